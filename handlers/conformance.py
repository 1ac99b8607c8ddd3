"""Conformance report: chapter 3 of the standard, section by section — the "must implement" requirements with
the tests that prove them, the "may implement" choices of this deployment, and the tests proving the "must not
implement" functions absent.  Sections whose requirements no test covers are listed as gaps.

The requirements come from ``handlers/requirements_data.json`` (generated once by docs/requirements/generate.py
from the standard's text).  Tests are found by reading the test files' syntax trees for
``@pytest.mark.req("jNNN", …)`` (on functions, classes and ``pytestmark``): no test is imported or run, so the
report is cheap and works on a checkout without a database.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from handlers.tenants import MAY_IMPLEMENT

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = Path(__file__).with_name("requirements_data.json")
MUST_NOT_MODULE = "tests/contract/test_must_not_implement.py"


@dataclass(frozen=True)
class MarkedTest:
    test_id: str
    keys: tuple[str, ...]
    known_violation: bool  # xfail(strict): a 実装しない機能 we still do


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

    @property
    def status(self) -> str:
        if any(t.known_violation for t in self.must_not_tests):
            return "violation"
        if self.must and not self.tests:
            return "gap"
        return "covered" if self.tests or self.must_not_tests else "no_requirement"


STATUS_LABELS = {"covered": "テストあり", "gap": "未検証（ギャップ）", "violation": "実装しない機能に抵触",
                 "no_requirement": "要件なし"}  # fmt: skip


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


def build_report(tests_dir: Path | None = None) -> list[SectionReport]:
    sections = [SectionReport(s["key"], s["number"], s["title"], s["must"], s["may"], s["must_not"])
                for s in requirements()]  # fmt: skip
    by_key = {s.key: s for s in sections}
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
