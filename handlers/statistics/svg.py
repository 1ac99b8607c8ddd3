"""A small server-side SVG renderer for the dashboard (no JS chart library, no CDN): a population pyramid and
bar charts.  Text is escaped; sizes are fixed so the page lays out without scripts."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR_HEIGHT = 14
LABEL_WIDTH = 90


COLOURS = {"bar-men": "#3b6ea5", "bar-women": "#c0504d", "bar": "#5b8c5a"}


def _rect(x: float, y: float, w: float, h: float, css: str, title: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" fill="{COLOURS[css]}">'
        f"<title>{escape(title)}</title></rect>"
    )


def _text(x: float, y: float, body: str, anchor: str = "start") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="11">{escape(body)}</text>'


def pyramid(rows: Sequence[tuple[str, int, int]], *, width: int = 560) -> str:
    """Rows (age group, men, women) from the youngest; drawn with the oldest on top, men left, women right."""
    half = (width - LABEL_WIDTH) / 2
    peak = max([max(m, w) for _, m, w in rows] + [1])
    height = BAR_HEIGHT * len(rows) + 24
    parts = [_text(half / 2, 12, "男", "middle"), _text(half + LABEL_WIDTH + half / 2, 12, "女", "middle")]
    for i, (label, men, women) in enumerate(reversed(rows)):
        y = 18 + i * BAR_HEIGHT
        mw, ww = men / peak * half, women / peak * half
        parts.append(_rect(half - mw, y, mw, BAR_HEIGHT - 2, "bar-men", f"{label} 男 {men}人"))
        parts.append(_text(half + LABEL_WIDTH / 2, y + BAR_HEIGHT - 4, label, "middle"))
        parts.append(_rect(half + LABEL_WIDTH, y, ww, BAR_HEIGHT - 2, "bar-women", f"{label} 女 {women}人"))
    return _svg(width, height, "人口ピラミッド", parts)


def bars(rows: Sequence[tuple[str, int]], *, title: str, width: int = 560) -> str:
    """Horizontal bars, one per (label, value)."""
    peak = max([v for _, v in rows] + [1])
    room = width - LABEL_WIDTH - 50
    parts = []
    for i, (label, value) in enumerate(rows):
        y = 4 + i * BAR_HEIGHT
        parts.append(_text(LABEL_WIDTH - 4, y + BAR_HEIGHT - 4, label, "end"))
        parts.append(_rect(LABEL_WIDTH, y, value / peak * room, BAR_HEIGHT - 2, "bar", f"{label} {value}"))
        parts.append(_text(LABEL_WIDTH + value / peak * room + 4, y + BAR_HEIGHT - 4, str(value)))
    return _svg(width, BAR_HEIGHT * len(rows) + 8, title, parts)


def _svg(width: int, height: int, title: str, parts: list[str]) -> str:
    body = "".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )
