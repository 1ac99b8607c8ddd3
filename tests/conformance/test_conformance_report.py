"""The conformance report reads the req marks of the tests, lists gaps, partial sections (must lines known not
to be built) and known violations, and is published as a page for any signed-in user and as Markdown."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

import models
from handlers.conformance import build_report, collect_marked_tests, requirements
from handlers.conformance_render import render_markdown
from handlers.requirements_not_built import NotBuiltLine, find_mismatches, not_built_lines
from tests.web.auth_helpers import sign_in

SAMPLE = """
import pytest
pytestmark = [pytest.mark.req("j20")]

@pytest.mark.req("j10", "j80")
def test_one(): ...

class TestGroup:
    @pytest.mark.req("j90")
    def test_two(self): ...

def test_unmarked(): ...
"""

MUST_NOT = """
import pytest

@pytest.mark.req("j530")
@pytest.mark.xfail(strict=True, reason="known")
def test_violation(): ...

@pytest.mark.req("j210")
def test_absent(): ...
"""


@pytest.fixture
def sample_tests(tmp_path: Path) -> Path:
    tests = tmp_path / "tests"
    (tests / "contract").mkdir(parents=True)
    (tests / "test_sample.py").write_text(SAMPLE)
    (tests / "contract" / "test_must_not_implement.py").write_text(MUST_NOT)
    return tests


def test_marks_on_functions_classes_and_modules_are_collected(sample_tests: Path) -> None:
    found = {t.test_id: t.keys for t in collect_marked_tests(sample_tests)}
    assert found["tests/test_sample.py::test_one"] == ("j20", "j10", "j80")
    assert found["tests/test_sample.py::TestGroup::test_two"] == ("j20", "j90")
    assert found["tests/test_sample.py::test_unmarked"] == ("j20",)


def test_sections_without_tests_are_gaps_and_xfailed_must_not_tests_are_violations(
    sample_tests: Path,
) -> None:
    sections = {s.key: s for s in build_report(sample_tests, not_built=[])}
    assert sections["j10"].status == "covered"
    assert sections["j30"].status == "gap"
    assert sections["j530"].status == "violation"
    assert [t.known_violation for t in sections["j210"].must_not_tests] == [False]
    assert sections["j330"].options and sections["j330"].options[0]["key"] == "variant_kanji_search"
    markdown = render_markdown(list(sections.values()))
    assert "### 1.1.3 個人票／世帯票 (j30) — 未検証（ギャップ）" in markdown and "KNOWN VIOLATION" in markdown


MUST = {s["key"]: s["must"] for s in requirements()}
J10_LINE_3 = NotBuiltLine("j10", 3, MUST["j10"][3][:12], "sample reason", "サンプルの注記")


def test_a_section_with_tests_and_a_not_built_line_is_partial_and_covered_without_the_entry(
    sample_tests: Path,
) -> None:
    with_entry = {s.key: s for s in build_report(sample_tests, not_built=[J10_LINE_3])}
    without = {s.key: s for s in build_report(sample_tests, not_built=[])}
    assert with_entry["j10"].status == "partial" and without["j10"].status == "covered"
    assert [line.not_built for line in with_entry["j10"].must_lines][2:5] == [None, J10_LINE_3, None]


def test_a_section_without_tests_stays_a_gap_whatever_is_listed_as_not_built(sample_tests: Path) -> None:
    j30 = NotBuiltLine("j30", 0, MUST["j30"][0][:8], "sample reason", "サンプルの注記")
    sections = {s.key: s for s in build_report(sample_tests, not_built=[j30])}
    assert sections["j30"].status == "gap"


def test_partial_sections_are_counted_and_their_not_built_lines_marked_on_the_page_and_in_markdown(
    sample_tests: Path, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    sections = build_report(sample_tests, not_built=[J10_LINE_3])
    markdown = render_markdown(sections)
    assert "| 一部未実装 | 1 |" in markdown and "一部未実装: j10\n" in markdown
    assert "### 1.1.1 日本人住民データの管理 (j10) — 一部未実装" in markdown
    assert "実装すべき機能（58 行、うち未実装 1 行）" in markdown
    assert f"- **［未実装］** {MUST['j10'][3]} — *サンプルの注記*" in markdown

    from webui.conformance import views

    monkeypatch.setattr(views, "build_report", lambda: sections)
    with app.test_request_context("/conformance"):
        page = views.render_report_html()
    assert "<td>一部未実装</td><td>1</td>" in page and "実装すべき機能（58 行、うち未実装 1 行）" in page
    assert '<li class="not-built"><strong>［未実装］</strong>' in page and "サンプルの注記" in page


def test_every_not_built_entry_names_the_requirement_line_it_is_about() -> None:
    assert find_mismatches(not_built_lines(), requirements()) == []


def test_an_entry_whose_line_moved_or_whose_section_is_unknown_is_reported() -> None:
    moved = NotBuiltLine("j10", 4, J10_LINE_3.starts, "r", "n")
    problems = find_mismatches([moved, NotBuiltLine("j15", 0, "x", "r", "n"), J10_LINE_3, J10_LINE_3],
                               requirements())  # fmt: skip
    assert [p.split(":")[0] for p in problems] == ["j10 line 4", "j15 line 0", "j10 line 3"]
    assert "listed twice" in problems[-1]


def test_the_registry_holds_every_section_of_chapter_three() -> None:
    keys = [s["key"] for s in requirements()]
    assert keys[0] == "j10" and keys[-1] == "j1440" and len(keys) == 143
    assert all(s["must"] or s["may"] or s["must_not"] for s in requirements())


def test_any_signed_in_user_sees_the_report_page(
    client: FlaskClient, users_a: dict[str, models.User]
) -> None:
    assert client.get("/conformance").status_code in (302, 401)
    sign_in(client, users_a["auditor"].login_id)
    page = client.get("/conformance").get_data(as_text=True)
    assert "標準仕様 適合状況" in page and "日本人住民データの管理（j10）" in page


def test_the_command_prints_the_markdown_report(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["conformance", "report", "--format", "md"])
    assert result.exit_code == 0 and result.output.startswith("# Conformance report")
