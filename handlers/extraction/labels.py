"""宛名シール as PDF (j1330, j1360) with WeasyPrint and the certificates' typeface (IPAmj明朝 core subset and its
fallbacks, ``handlers.certificates.fonts``), so MJ characters in names print as on certificates."""

from __future__ import annotations

import threading
from html import escape
from typing import Any

from handlers.certificates.fonts import font_face_css

LABEL_CSS = """
@page { size: A4; margin: 10mm 6mm; }
body { margin: 0; font-size: 10pt; }
.sheet { display: flex; flex-wrap: wrap; }
.label { box-sizing: border-box; width: 66mm; height: 33.9mm; padding: 3mm 4mm; overflow: hidden; }
.postal { font-size: 9pt; }
.name { font-size: 12pt; margin-top: 2mm; }
"""
_lock = threading.Lock()
_cache: dict[str, Any] = {}


def _weasy() -> tuple[Any, Any]:
    with _lock:
        if not _cache:
            from weasyprint import CSS
            from weasyprint.text.fonts import FontConfiguration

            config = FontConfiguration()
            _cache["config"] = config
            _cache["css"] = CSS(string=font_face_css() + LABEL_CSS, font_config=config)
        return _cache["config"], _cache["css"]


def labels_html(labels: list[dict[str, str]]) -> str:
    cells = "".join(
        '<div class="label">'
        f'<div class="postal">{escape(lab["postal"])}</div><div>{escape(lab["address"])}</div>'
        f'<div>{escape(lab["katagaki"])}</div><div class="name">{escape(lab["name"])} 様</div></div>'
        for lab in labels
    )
    return f'<!doctype html><html lang="ja"><body><div class="sheet">{cells}</div></body></html>'


def render_labels(labels: list[dict[str, str]]) -> bytes:
    from weasyprint import HTML

    config, css = _weasy()
    pdf: bytes = HTML(string=labels_html(labels)).write_pdf(stylesheets=[css], font_config=config)
    return pdf
