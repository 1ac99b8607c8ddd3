"""COPY text for the import, made from the CSV fields as they were read: the layout's CSV field is already
the ``COPY`` text of most values (``\\N`` is null in both; integers, booleans as ``true``/``false`` and JSON
pass as they are).  Dates and timestamps are written from their decoded values (the layout accepts forms
PostgreSQL might read otherwise), and a row with a backslash, tab or line break in a field (a text escaped in
the CSV, or one that needs escaping in COPY) is written from its decoded values instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from handlers.portability.layout import NULL_MARKER, SPEC_BY_NAME
from handlers.copy_text import copy_line


@dataclass(frozen=True)
class RawPlan:
    """Which CSV fields of a file go to COPY as they are, and which are written from their decoded values."""

    names: tuple[str, ...]  # the columns, in COPY order
    indexes: tuple[int, ...]  # their places in the CSV record
    decoded: tuple[tuple[int, str], ...]  # (place among ``names``, column) written from the decoded value


@cache
def raw_plan(file: str, columns: tuple[str, ...]) -> RawPlan:
    """The plan for ``columns`` of the file ``file`` (each a plain column of its layout)."""
    spec = SPEC_BY_NAME[file]
    kinds = {c.name: c.kind for c in spec.columns}
    decoded = tuple((i, n) for i, n in enumerate(columns) if kinds[n] in ("date", "datetime", "json"))
    return RawPlan(columns, tuple(spec.column_names.index(n) for n in columns), decoded)


def _database_value(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def copy_row(plan: RawPlan, first: list[Any], raw: list[str], values: dict[str, Any]) -> str:
    """One COPY line: the values ``first`` (ids, links), then the plan's columns from the CSV record."""
    fields = [raw[i] for i in plan.indexes]
    for place, name in plan.decoded:
        value = values[name]
        fields[place] = NULL_MARKER if value is None else _database_value(value) if not hasattr(
            value, "isoformat") else value.isoformat()  # fmt: skip
    line = "\t".join(fields)
    if (
        line.count("\\") == fields.count(NULL_MARKER)
        and line.count("\t") == len(fields) - 1
        and "\n" not in line
        and "\r" not in line
    ):
        return copy_line(first)[:-1] + "\t" + line + "\n"
    return copy_line([*first, *(_database_value(values[name]) for name in plan.names)])
