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
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ARRAY,
    Date,
    Row,
    Select,
    String,
    Table,
    and_,
    any_,
    bindparam,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session

from handlers.row_writes import run_prebuilt
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


# On PostgreSQL, the same with arrays (compiled once, sent by the driver's cursor: ``run_prebuilt``): each
# number column ``= ANY(…)``, and the names by ``family_name = ANY(…) AND birth_date = ANY(…)`` (the columns
# of the partial index of 除票), whose rows ``removed_matching`` narrows to the exact names.
_ARRAY_CONDITIONS = {
    **{
        column: _RESIDENTS.c[column] == any_(bindparam(column, type_=ARRAY(String())))
        for column in NUMBER_COLUMNS
    },
    "names": and_(
        _RESIDENTS.c.family_name == any_(bindparam("family_names", type_=ARRAY(String()))),
        _RESIDENTS.c.birth_date == any_(bindparam("birth_dates", type_=ARRAY(Date()))),
    ),
}


@cache
def _removed_matching_by_arrays(kinds: tuple[str, ...]) -> Select[Any]:
    return select(*(_RESIDENTS.c[name] for name in MATCHED_COLUMNS)).where(
        _RESIDENTS.c.tenant_id == bindparam("tenant"),
        text(REMOVED),
        or_(*(_ARRAY_CONDITIONS[kind] for kind in kinds)),
    )


class RemovedMatch(NamedTuple):
    """The columns of a 除票 the judgement reads (``MATCHED_COLUMNS``)."""

    atena_number: str
    my_number: str | None
    resident_code: str | None
    residence_card_number: str | None
    family_name: str | None
    given_name: str | None
    sex: str | None
    birth_date: dt.date | None


@cache
def _removed_matching(kinds: tuple[str, ...]) -> Select[Any]:
    """The statement for the kinds of key a family has (built once per combination; its cache key is kept)."""
    return select(*(_RESIDENTS.c[name] for name in MATCHED_COLUMNS)).where(
        _RESIDENTS.c.tenant_id == bindparam("tenant"),
        text(REMOVED),  # as a literal, so that the partial index serves the statement once it is prepared
        or_(*(_CONDITIONS[kind] for kind in kinds)),
    )


def removed_matching(session: Session, keys: MatchKeys) -> list[RemovedMatch]:
    """The 除票 of the session's municipality that meet any of ``keys`` (a name without 名 matches a 除票
    without 名, as an equality on None would)."""
    tenant_id = session_tenant(session)
    if tenant_id is None or session.info.get(CROSS_TENANT_KEY):
        return [RemovedMatch._make(row) for row in _removed_matching_orm(session, keys)]
    if session.autoflush:
        session.flush()  # as the ORM statement's autoflush did
    if session.get_bind().dialect.name == "postgresql":
        return _removed_matching_in_arrays(session, tenant_id, keys)
    lists: dict[str, list[Any]] = {
        **keys.numbers,
        "names": [name for name in keys.names if name[1] is not None],
        "names_without_given": [(n[0], n[2], n[3]) for n in keys.names if n[1] is None],
    }
    kinds = tuple(kind for kind, values in lists.items() if values)
    params = {"tenant": tenant_id, **{kind: lists[kind] for kind in kinds}}
    return [RemovedMatch._make(row) for row in session.connection().execute(_removed_matching(kinds), params)]


def _removed_matching_in_arrays(session: Session, tenant_id: int, keys: MatchKeys) -> list[RemovedMatch]:
    """``removed_matching`` on PostgreSQL: the statement of arrays, its name rows narrowed to the exact
    (氏, 名, 性別, 生年月日) — SQL's equality: a NULL column matches nothing, a name without 名 a 除票
    without 名."""
    numbers = {column: values for column, values in keys.numbers.items() if values}
    kinds = (*numbers, "names") if keys.names else tuple(numbers)
    params: dict[str, Any] = {"tenant": tenant_id, **numbers}
    if keys.names:
        params["family_names"] = sorted({str(name[0]) for name in keys.names})
        params["birth_dates"] = sorted({name[3] for name in keys.names})
    number_sets = {column: set(values) for column, values in numbers.items()}
    names = set(keys.names)
    found = []
    for row in run_prebuilt(session, _removed_matching_by_arrays(kinds), params).rows:
        match = RemovedMatch._make(row)
        if any(getattr(match, column) in values for column, values in number_sets.items()) or (
            match.family_name is not None
            and match.sex is not None
            and match.birth_date is not None
            and (match.family_name, match.given_name, match.sex, match.birth_date) in names
        ):
            found.append(match)
    return found


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
