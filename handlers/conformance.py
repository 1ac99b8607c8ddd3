"""Conformance report: chapter 3 of the standard, section by section — the "must implement" requirements with
the tests that prove them, the "may implement" choices of this deployment, and the tests proving the "must not
implement" functions absent.  Sections whose requirements no test covers are listed as gaps; sections with
tests but with lines known not to be built (``handlers/requirements_not_built.json``) are listed as partial.

The requirements come from ``handlers/requirements_data.json`` (generated once by docs/requirements/generate.py
from the standard's text).  Tests are found by reading the test files' syntax trees for
``@pytest.mark.req("jNNN", …)`` (on functions, classes and ``pytestmark``): no test is imported or run, so the
report is cheap and works on a checkout without a database.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from handlers.requirements_not_built import NotBuiltLine, not_built_lines
from handlers.tenants import MAY_IMPLEMENT

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = Path(__file__).with_name("requirements_data.json")
MUST_NOT_MODULE = "tests/contract/test_must_not_implement.py"


@dataclass(frozen=True)
class MarkedTest:
    test_id: str
    keys: tuple[str, ...]
    known_violation: bool  # xfail(strict): a 実装しない機能 we still do


@dataclass(frozen=True)
class MustLine:
    """A must-implement line as the report shows it: its text, and the registry's entry when it is not built."""

    text: str
    not_built: NotBuiltLine | None


@dataclass
class SectionReport:
    key: str
    number: str
    title: str
    must: list[str]
    may: list[str]
    must_not: list[str]
    tests: list[MarkedTest] = field(default_factory=list)
    must_not_tests: list[MarkedTest] = field(default_factory=list)
    options: list[dict[str, Any]] = field(default_factory=list)
    not_built: dict[int, NotBuiltLine] = field(default_factory=dict)

    @property
    def status(self) -> str:
        if any(t.known_violation for t in self.must_not_tests):
            return "violation"
        if self.must and not self.tests:
            return "gap"
        if self.not_built:
            return "partial"
        return "covered" if self.tests or self.must_not_tests else "no_requirement"

    @property
    def must_lines(self) -> list[MustLine]:
        return [MustLine(text, self.not_built.get(index)) for index, text in enumerate(self.must)]


STATUS_LABELS = {"covered": "テストあり", "partial": "一部未実装", "gap": "未検証（ギャップ）",
                 "violation": "実装しない機能に抵触", "no_requirement": "要件なし"}  # fmt: skip
NOT_BUILT_LABEL = "未実装"


@lru_cache(maxsize=1)
def requirements() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(REGISTRY.read_text("utf-8")))


def _mark_name(node: ast.expr) -> tuple[str, list[str]] | None:
    """('req', ['j10', …]) for ``pytest.mark.req('j10', …)``; ('xfail', []) for an xfail mark."""
    call = node if isinstance(node, ast.Call) else None
    target = call.func if call else node
    if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Attribute)):
        return None
    if target.value.attr != "mark":
        return None
    args = [
        a.value
        for a in (call.args if call else [])
        if isinstance(a, ast.Constant) and isinstance(a.value, str)
    ]
    return target.attr, args


def _marks(nodes: list[ast.expr]) -> tuple[list[str], bool]:
    keys: list[str] = []
    xfail = False
    for node in nodes:
        for element in node.elts if isinstance(node, ast.List | ast.Tuple) else [node]:
            mark = _mark_name(element)
            if mark and mark[0] == "req":
                keys.extend(mark[1])
            elif mark and mark[0] == "xfail":
                xfail = True
    return keys, xfail


def _module_marks(tree: ast.Module) -> list[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            return _marks([node.value])[0]
    return []


def _tests_in(body: list[ast.stmt], prefix: str, inherited: list[str]) -> list[MarkedTest]:
    found: list[MarkedTest] = []
    for node in body:
        if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            keys, _ = _marks(node.decorator_list)
            found.extend(_tests_in(node.body, f"{prefix}::{node.name}", inherited + keys))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
            keys, xfail = _marks(node.decorator_list)
            all_keys = tuple(dict.fromkeys(inherited + keys))
            if all_keys:
                found.append(MarkedTest(f"{prefix}::{node.name}", all_keys, xfail))
    return found


def collect_marked_tests(tests_dir: Path | None = None) -> list[MarkedTest]:
    """Every test function carrying a req mark, with its keys."""
    base = tests_dir or ROOT / "tests"
    found: list[MarkedTest] = []
    for path in sorted(base.rglob("test_*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        found.extend(_tests_in(tree.body, str(path.relative_to(base.parent)), _module_marks(tree)))
    return found


def build_report(
    tests_dir: Path | None = None, not_built: Iterable[NotBuiltLine] | None = None
) -> list[SectionReport]:
    """Every section with its tests, options and not-built lines (by default the committed registry's)."""
    sections = [SectionReport(s["key"], s["number"], s["title"], s["must"], s["may"], s["must_not"])
                for s in requirements()]  # fmt: skip
    by_key = {s.key: s for s in sections}
    for entry in not_built_lines() if not_built is None else not_built:
        if entry.key in by_key:
            by_key[entry.key].not_built[entry.line] = entry
    for test in collect_marked_tests(tests_dir):
        for key in test.keys:
            section = by_key.get(key)
            if section is None:
                continue
            if test.test_id.startswith(MUST_NOT_MODULE):
                section.must_not_tests.append(test)
            else:
                section.tests.append(test)
    for option in MAY_IMPLEMENT:
        if option.section in by_key:
            by_key[option.section].options.append({"key": option.key, "label": option.label,
                                                   "default": option.default})  # fmt: skip
    return sections


def summary(sections: list[SectionReport]) -> dict[str, int]:
    counts = {status: 0 for status in STATUS_LABELS}
    for section in sections:
        counts[section.status] += 1
    return counts


HEADLINE_STATUSES = ("partial", "gap", "violation")


def headline(sections: list[SectionReport]) -> list[tuple[str, list[str]]]:
    """The sections the top of the report names, by status: (label, keys) for partial, gap and violation."""
    return [
        (STATUS_LABELS[status], [s.key for s in sections if s.status == status])
        for status in HEADLINE_STATUSES
    ]


def must_heading(section: SectionReport) -> str:
    """The must list's heading, the same on the page and in the Markdown."""
    counted = f"{len(section.must)} 行"
    if section.not_built:
        counted += f"、うち{NOT_BUILT_LABEL} {len(section.not_built)} 行"
    return f"実装すべき機能（{counted}）"
