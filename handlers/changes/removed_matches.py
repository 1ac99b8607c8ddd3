"""The 除票 (removed persons) an entered person of a 転入 may be (j600), read in one statement for a whole
family: the same 個人番号, 住民票コード or 在留カード番号, or the same 氏名・性別・生年月日.

Which match is an error and which an alert is judged by the caller on the rows read here (the eight columns
of the judgement, not whole residents).  The statement is built once (its cache key is kept) with the
family's values as lists, and names the session's tenant in its WHERE clause; a cross-tenant session keeps
the ORM statement, filtered as any other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast

from sqlalchemy import Row, Select, Table, and_, bindparam, or_, select, text, tuple_
from sqlalchemy.orm import Session

from handlers.tenancy import CROSS_TENANT_KEY, session_tenant
from models.resident import REMOVED, Resident

# What the judgement reads of a 除票: the columns of the match and its 宛名番号.
MATCHED_COLUMNS = (
    "atena_number", "my_number", "resident_code", "residence_card_number",
    "family_name", "given_name", "sex", "birth_date",
)  # fmt: skip
NUMBER_COLUMNS = ("my_number", "resident_code", "residence_card_number")

Name = tuple[Any, Any, str, dt.date]  # (氏, 名, 性別, 生年月日)


@dataclass
class MatchKeys:
    """What the 除票 of a family are searched by: each number column's values, and the names."""

    numbers: dict[str, list[str]] = field(default_factory=lambda: {c: [] for c in NUMBER_COLUMNS})
    names: list[Name] = field(default_factory=list)

    def add_number(self, column: str, value: str) -> None:
        self.numbers[column].append(value)

    def add_name(self, name: Name) -> None:
        self.names.append(name)


_RESIDENTS = cast(Table, Resident.__table__)
_NAME = tuple_(_RESIDENTS.c.family_name, _RESIDENTS.c.given_name, _RESIDENTS.c.sex, _RESIDENTS.c.birth_date)
_NAME_WITHOUT_GIVEN = tuple_(_RESIDENTS.c.family_name, _RESIDENTS.c.sex, _RESIDENTS.c.birth_date)
# One condition per kind of key, each on a non-empty list (an empty IN list would make PostgreSQL scan the
# whole table instead of OR-ing index scans).
_CONDITIONS = {
    **{column: _RESIDENTS.c[column].in_(bindparam(column, expanding=True)) for column in NUMBER_COLUMNS},
    "names": _NAME.in_(bindparam("names", expanding=True)),
    "names_without_given": and_(
        _RESIDENTS.c.given_name.is_(None),
        _NAME_WITHOUT_GIVEN.in_(bindparam("names_without_given", expanding=True)),
    ),
}


@cache
def _removed_matching(kinds: tuple[str, ...]) -> Select[Any]:
    """The statement for the kinds of key a family has (built once per combination; its cache key is kept)."""
    return select(*(_RESIDENTS.c[name] for name in MATCHED_COLUMNS)).where(
        _RESIDENTS.c.tenant_id == bindparam("tenant"),
        text(REMOVED),  # as a literal, so that the partial index serves the statement once it is prepared
        or_(*(_CONDITIONS[kind] for kind in kinds)),
    )


def removed_matching(session: Session, keys: MatchKeys) -> list[Row[Any]]:
    """The 除票 of the session's municipality that meet any of ``keys`` (a name without 名 matches a 除票
    without 名, as an equality on None would)."""
    tenant_id = session_tenant(session)
    if tenant_id is None or session.info.get(CROSS_TENANT_KEY):
        return _removed_matching_orm(session, keys)
    if session.autoflush:
        session.flush()  # as the ORM statement's autoflush did
    lists: dict[str, list[Any]] = {
        **keys.numbers,
        "names": [name for name in keys.names if name[1] is not None],
        "names_without_given": [(n[0], n[2], n[3]) for n in keys.names if n[1] is None],
    }
    kinds = tuple(kind for kind, values in lists.items() if values)
    params = {"tenant": tenant_id, **{kind: lists[kind] for kind in kinds}}
    return list(session.connection().execute(_removed_matching(kinds), params))


def _removed_matching_orm(session: Session, keys: MatchKeys) -> list[Row[Any]]:
    conditions: list[Any] = [
        getattr(Resident, column) == value for column, values in keys.numbers.items() for value in values
    ]
    conditions += [
        and_(
            Resident.family_name == name[0],
            Resident.given_name == name[1],
            Resident.sex == name[2],
            Resident.birth_date == name[3],
        )
        for name in keys.names
    ]
    columns = [getattr(Resident, name) for name in MATCHED_COLUMNS]
    return list(session.execute(select(*columns).where(Resident.status == "removed", or_(*conditions))))
