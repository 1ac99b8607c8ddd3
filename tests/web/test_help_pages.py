"""j1400 ヘルプ機能: the operations manual (docs/manual/, Japanese) covers the main screens and operations, every
screen of the app has its section (a new screen without one fails here), and the app serves the same Markdown as
the on-screen help, without signing in, as text only."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from webui.help.manual import MANUAL_DIR, chapter_names, load_chapter
from webui.help.topics import API_PREFIX, NOT_SCREENS, SCREEN_HELP

pytestmark = pytest.mark.req("j1400")

MAIN_OPERATIONS = {
    "login": ["login", "totp", "password"],
    "counter": ["intake", "tasks", "case", "receipt-notice"],
    "review": ["review", "provisional"],
    "certificates": ["issue", "history", "verify"],
    "residents": ["search", "record"],
    "support": ["new", "suppressions", "releases", "lift"],
    "admin": ["users", "user-edit", "destinations", "flows"],
    "batches": ["batches", "batch", "csv-intake"],
    "operations": ["daily", "scheduled", "backup", "incidents"],
}


def test_every_screen_of_the_app_has_a_section_of_the_manual(app: Flask) -> None:
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    pages = {e for e, r in rules.items() if "GET" in (r.methods or ()) and not e.startswith(API_PREFIX)}
    missing = sorted(pages - set(SCREEN_HELP) - set(NOT_SCREENS))
    assert missing == [], (
        f"screens without help (add a section to docs/manual and webui/help/topics.py): {missing}"
    )
    assert sorted(set(SCREEN_HELP) - set(rules)) == [], "help entries for endpoints that no longer exist"
    for endpoint, (chapter, anchor) in SCREEN_HELP.items():
        found = load_chapter(chapter)
        assert found is not None and anchor in found.anchors, f"{endpoint}: no section {chapter}#{anchor}"


def test_the_manual_covers_the_main_screens_and_operations_in_japanese() -> None:
    for chapter, anchors in MAIN_OPERATIONS.items():
        found = load_chapter(chapter)
        assert found is not None, chapter
        assert set(anchors) <= found.anchors, (chapter, sorted(set(anchors) - found.anchors))
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", found.title), chapter
    for name in chapter_names():
        text = (MANUAL_DIR / f"{name}.md").read_text(encoding="utf-8")
        for target, anchor in re.findall(r"\]\(([a-z0-9_-]+)\.md(?:#([a-z0-9-]+))?\)", text):
            linked = load_chapter(target)
            assert linked is not None and (not anchor or anchor in linked.anchors), (
                f"{name}: {target}#{anchor}"
            )


def test_the_help_of_a_screen_opens_without_signing_in_at_its_section(client: FlaskClient) -> None:
    login = client.get("/login").get_data(as_text=True)
    assert 'class="help-link" href="/help/login#login"' in login and 'target="_blank"' in login
    page = client.get("/help/counter")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="receipt-notice"' in body and "住民異動届受理通知" in body
    assert "異動前住所・届出人本人" in body and "{#" not in body
    contents = client.get("/help").get_data(as_text=True)
    assert 'href="/help/certificates"' in contents and "操作マニュアル" in contents
    assert 'class="help-link" href="/help/index#help"' in contents


def test_an_unknown_chapter_or_a_path_is_not_found(client: FlaskClient) -> None:
    for path in ("/help/nothing", "/help/..%2FREADME", "/help/INDEX", "/help/index.md"):
        assert client.get(path).status_code == 404, path


def test_html_written_into_the_manual_is_shown_as_text(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "x.md").write_text(
        "# 見出し {#top}\n\n<script>alert(1)</script> [章](index.md#help)\n", "utf-8"
    )
    found = load_chapter("x", "/help", tmp_path)
    assert found is not None and found.anchors == {"top"}
    assert "<script>" not in found.html and "&lt;script&gt;" in found.html
    assert 'href="/help/index#help"' in found.html
