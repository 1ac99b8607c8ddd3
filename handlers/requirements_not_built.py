"""The must-implement lines of chapter 3 that are known not to be built, one entry per line.

A section whose tests prove some of its lines would otherwise read as covered.  Each entry of
``handlers/requirements_not_built.json`` names a section key, the index of the line in that section's ``must``
list of ``handlers/requirements_data.json``, the line's opening words (``starts``: a regenerated registry that
shifts the lines is caught by ``find_mismatches``, which a test runs), why it is not built (``reason``, English,
with the evidence) and the note the report shows (``note``, Japanese).  An entry is added only after checking
the code and tests; it is removed in the change that builds the line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

NOT_BUILT_REGISTRY = Path(__file__).with_name("requirements_not_built.json")


@dataclass(frozen=True)
class NotBuiltLine:
    key: str
    line: int
    starts: str
    reason: str
    note: str


@lru_cache(maxsize=1)
def not_built_lines() -> tuple[NotBuiltLine, ...]:
    return tuple(NotBuiltLine(**entry) for entry in json.loads(NOT_BUILT_REGISTRY.read_text("utf-8")))


def find_mismatches(entries: Iterable[NotBuiltLine], sections: Sequence[Mapping[str, Any]]) -> list[str]:
    """Each entry that does not name a must line of ``sections`` by key, index and opening words (or repeats one,
    or lacks its reason or note), as a sentence; empty when the registry matches the requirements."""
    must = {section["key"]: section["must"] for section in sections}
    problems: list[str] = []
    seen: set[tuple[str, int]] = set()
    for entry in entries:
        where = f"{entry.key} line {entry.line}"
        lines = must.get(entry.key)
        if lines is None:
            problems.append(f"{where}: no such section")
        elif not 0 <= entry.line < len(lines):
            problems.append(f"{where}: the section has {len(lines)} must lines")
        elif not entry.starts or not lines[entry.line].startswith(entry.starts):
            problems.append(f"{where}: the line reads {lines[entry.line][:40]!r}, not {entry.starts!r}…")
        if (entry.key, entry.line) in seen:
            problems.append(f"{where}: listed twice")
        seen.add((entry.key, entry.line))
        if not entry.reason.strip() or not entry.note.strip():
            problems.append(f"{where}: reason and note are both required")
    return problems
