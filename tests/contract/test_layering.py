"""House rules that keep every door going through the handlers (style.md: one place per rule)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("models", "handlers", "webui", "worker", "workflows")


def _python_files(*packages: str) -> list[Path]:
    files: list[Path] = []
    for pkg in packages:
        files.extend(p for p in (ROOT / pkg).rglob("*.py") if ".venv" not in p.parts)
    return files


def test_commit_happens_only_in_the_unit_of_work() -> None:
    """Transactions commit in handlers/uow.py only; releasing a SAVEPOINT (a nested commit) is allowed."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _python_files(*PACKAGES)
        if path != ROOT / "handlers" / "uow.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"\.commit\(", line) and "savepoint" not in line.lower()
    ]
    assert offenders == []


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("door", ["webui", "worker"])
def test_doors_do_not_query_resident_data_directly(door: str) -> None:
    """Views and Celery tasks call handlers; they never import the register models or sqlalchemy queries."""
    offenders = []
    for path in _python_files(door):
        imported = _imported_modules(path)
        if any(m == "models" or m.startswith("models.") for m in imported) or "sqlalchemy" in imported:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_only_the_engine_imports_spiffworkflow() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in _python_files(*PACKAGES)
        if "workflows/engine" not in path.as_posix()
        and any(m.startswith("SpiffWorkflow") for m in _imported_modules(path))
    ]
    assert offenders == []
