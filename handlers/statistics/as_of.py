"""The register as it stood on a date, in SQL: each person's latest history snapshot with
``effective_date <= D`` (PostgreSQL: DISTINCT ON; SQLite: ROW_NUMBER), never one Python object per person.

A person is *present* on D when that snapshot's status is ``resident``, or ``moving_out`` with a planned
move-out date after D (j1080: a 転出予定者 whose planned date has not passed counts as present).

Limit: 除票 moved to the 除票用データベース (five years after removal, j1300) carry their history in the archive
row, not in ``resident_history``; statistics for dates before such a move therefore miss those persons.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Integer, Select, and_, cast, func, literal, or_, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from models.resident import ResidentHistory

RH = ResidentHistory


def snapshot_text(key: str) -> Any:
    """One snapshot item as text (both backends)."""
    return RH.snapshot[key].as_string()


def latest_rows(session: Session, on: dt.date, *columns: Any) -> Select[Any]:
    """SELECT atena_number, status, household_number, ``columns`` … of each person's snapshot as of ``on``."""
    base = (RH.atena_number, RH.status, RH.household_number, *columns)
    if session.get_bind().dialect.name == "postgresql":
        return (
            select(*base)
            .where(RH.effective_date <= on)
            .ext(distinct_on(RH.atena_number))
            .order_by(RH.atena_number, RH.effective_date.desc(), RH.history_no.desc())
        )
    ranked = func.row_number().over(
        partition_by=RH.atena_number, order_by=(RH.effective_date.desc(), RH.history_no.desc())
    )
    inner = select(*base, ranked.label("rank_in_person")).where(RH.effective_date <= on).subquery()
    return select(*[c for c in inner.c if c.name != "rank_in_person"]).where(inner.c.rank_in_person == 1)


def present_condition(status: Any, planned_move_out: Any, on: dt.date) -> Any:
    """Present on ``on``: a resident, or a 転出予定者 whose planned date is after ``on`` (ISO text compare)."""
    return or_(
        status == "resident",
        and_(
            status == "moving_out",
            or_(planned_move_out.is_(None), planned_move_out > on.isoformat()),
        ),
    )


PERSON_ITEMS = {
    "sex": "sex",
    "resident_kind": "resident_kind",
    "birth_date": "birth_date",
    "nationality": "nationality",
    "foreign_category": "foreign_category",
    "residence_status": "residence_status",
    "ward_code": "household_ward_code",
    "move_out_planned_date": "move_out_planned_date",
}


def present_persons(session: Session, on: dt.date) -> Any:
    """A subquery of the persons present on ``on`` with the items statistics group by."""
    columns = [snapshot_text(key).label(name) for name, key in PERSON_ITEMS.items()]
    rows = latest_rows(session, on, *columns).subquery("as_of")
    return (
        select(rows)
        .where(present_condition(rows.c.status, rows.c.move_out_planned_date, on))
        .subquery("present")
    )


def age_on(birth_text: Any, on: dt.date) -> Any:
    """Age in whole years on ``on`` from an ISO birth date text (NULL when unknown)."""
    years = literal(on.year) - cast(func.substr(birth_text, 1, 4), Integer)
    not_yet = func.substr(birth_text, 6, 5) > on.strftime("%m-%d")
    return years - cast(not_yet, Integer)
