"""CSP forbids inline scripts: no template may carry a <script> without src, nor an on*= event handler."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

WEBUI = Path(__file__).resolve().parents[2] / "webui"
TEMPLATES = sorted(p for p in WEBUI.rglob("*.html") if "templates" in p.parts)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def test_there_are_templates_to_scan() -> None:
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(WEBUI)))
def test_template_has_no_inline_script_or_event_handler(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    found = INLINE_SCRIPT.findall(text) + EVENT_HANDLER.findall(text) + JS_URL.findall(text)
    assert found == [], f"{template.name}: {found}"


@pytest.mark.parametrize(
    ("snippet", "bad"),
    [
        ('<script src="/static/js/x.js"></script>', False),
        ("<script>alert(1)</script>", True),
        ('<script type="module">', True),
        ('<button onclick="go()">', True),
        ('<a href="javascript:go()">', True),
        ('<div data-once="1" class="online">', False),
    ],
)
def test_the_scanner_catches_what_it_should(snippet: str, bad: bool) -> None:
    found = INLINE_SCRIPT.findall(snippet) + EVENT_HANDLER.findall(snippet) + JS_URL.findall(snippet)
    assert bool(found) is bad
