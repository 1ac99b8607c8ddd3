"""Resident and history COPY lines of generated persons, made without a per-value type dispatch.

``copy_line`` looks at the type of each of a row's values (~3.5 µs of the ~10 µs a resident line cost).
Here the columns' types are known in advance, so the line of a resident is one f-string compiled once from
the column list (as ``dataclasses`` compiles ``__init__``): text as it is, dates by ``str`` (ISO form),
integers in decimal, booleans ``t``/``f``, an item the person lacks ``\\N``.  The history row's fields are
``tables.first_history_template`` made once into a ``%`` template.

These lines are only used for a person whose items need no escaping: the caller checks that the person's
JSON (made anyway for the snapshot) holds no backslash, which JSON writes for every quote, backslash,
tab, newline and other control character; any other person goes through ``copy_line``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers.synthetic.copy_text import copy_line
from handlers.synthetic.rows import PERSON_START
from handlers.synthetic.tables import (
    PERSON_COLUMNS,
    RESIDENT,
    UNSET_DEFAULTS,
    HistoryField,
    first_history_template,
)

ResidentLine = Callable[[int, int, dict[str, Any], Callable[[str], Any]], str]
HistoryFields = Callable[[int, dict[str, Any], str, str, Any], str]


def _field(column: str) -> str:
    """The f-string field of a resident column: ``p`` is the person, ``g`` its ``get``."""
    if not column.isidentifier():
        raise ValueError(f"unexpected column name {column!r}")
    flag = RESIDENT.c[column].type.python_type is bool
    if column in PERSON_START:  # every person has it, never None
        return f"{{T if p[{column!r}] else F}}" if flag else f"{{p[{column!r}]}}"
    if flag:
        return f"{{N if (v := g({column!r})) is None else T if v else F}}"
    return f"{{N if (v := g({column!r})) is None else v}}"


def resident_line_function(tenant_id: int) -> ResidentLine:
    """``(resident_id, household_id, person, person.get) → the resident's COPY line`` in
    ``RESIDENT_COPY_COLUMNS`` order, with its newline."""
    fields = "\t".join(["{resident_id}", "{household_id}", *(_field(c) for c in PERSON_COLUMNS), "{tail}"])
    source = f'lambda resident_id, household_id, p, g: f"""{fields}\n"""'
    namespace = {"T": "t", "F": "f", "N": "\\N", "tail": copy_line((*UNSET_DEFAULTS, tenant_id))[:-1]}
    line: ResidentLine = eval(source, namespace)  # noqa: S307 - source built above from the column list
    return line


def history_fields_function(tenant_id: int) -> HistoryFields:
    """``(resident_id, person, household_number, 異動事由, 異動日) → the history row's COPY fields`` (all but the
    snapshot, without a newline): ``tables.first_history_template`` made once into a ``%`` template."""
    template = "\t".join(
        f"%({v})s" if isinstance(v, HistoryField) else copy_line([v])[:-1].replace("%", "%%")
        for v in first_history_template(tenant_id)
    )

    def fields(resident_id: int, person: dict[str, Any], number: str, reason: str, day: Any) -> str:
        return template % {
            "resident_id": resident_id, "atena_number": person["atena_number"], "change_reason": reason,
            "change_date": day, "notified_date": person["notified_date"], "status": person["status"],
            "household_number": number,
        }  # fmt: skip

    return fields
