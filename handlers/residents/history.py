"""異動履歴 (j200, j210): one full snapshot per registered change, appended and never overwritten, and the
as-of reads that answer "what did the register say on that date".

The snapshot is stored compact (its None items left out) and read back whole by the column's type
(``models.snapshot``: ``compact_snapshot`` / ``expand_snapshot``), so every reader of ``ResidentHistory.snapshot``
sees every key.

A row is keyed by (宛名番号, 履歴番号); 履歴番号 counts 1, 2, 3 … per person.  ``effective_date`` is the date
from which the snapshot holds in law (the 異動日); ``processed_date`` (処理日) is always the day it was entered.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, TypedDict

from sqlalchemy import Row, bindparam, func, inspect, select
from sqlalchemy.orm import Session, aliased

from handlers.clock import japan_today
from handlers.input_places import registered_place
from handlers.residents.search_key_rows import record_search_keys
from handlers.row_writes import assign_changed, insert_rows
from handlers.tenancy import built_once
from models.resident import Resident, ResidentHistory
from models.snapshot import NOT_IN_SNAPSHOT

CASE_TAG_KEY = "history_case_tag"


class HistoryDates(TypedDict, total=False):
    """The dates a history row may carry besides the 異動日 (j200): 通知日 (戸籍届出・通知日, j780), 申出日 (j790)
    and 請求日 (旧氏, 個人番号・住民票コードの変更請求).  Pass them to ``append_history`` as keywords."""

    notice_date: dt.date | None
    requested_date: dt.date | None
    claim_date: dt.date | None


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def head_name(resident: Resident) -> str | None:
    """The name of the head of the person's household, or None when the head is unset (j100)."""
    head = resident.household.head
    if head is None:
        return None
    return display_name(head)


class Named(Protocol):
    family_name: str | None
    given_name: str | None
    name_alphabet: str | None


def display_name(resident: Named) -> str:
    """氏名 as shown: kanji name, else the alphabet name (foreign residents)."""
    kanji = " ".join(part for part in (resident.family_name, resident.given_name) if part)
    return kanji or resident.name_alphabet or ""


@functools.cache
def _snapshot_keys() -> tuple[str, ...]:
    """The person's columns a snapshot holds, in the mapper's order (read from the mapper once)."""
    return tuple(attr.key for attr in inspect(Resident).column_attrs if attr.key not in NOT_IN_SNAPSHOT)


def snapshot_of(resident: Resident) -> dict[str, Any]:
    """Every column of the person, plus the household's number, address and head name; JSON-safe."""
    data = {key: _json_safe(getattr(resident, key)) for key in _snapshot_keys()}
    household = resident.household
    data.update(
        household_number=household.household_number,
        household_address=household.address,
        household_address_katagaki=household.address_katagaki,
        household_postal_code=household.postal_code,
        household_address_code=household.address_code,
        household_ward_code=household.ward_code,
        head_atena_number=household.head.atena_number if household.head is not None else None,
        head_name=head_name(resident),
    )
    return data


def _last_rows(session: Session, atena_numbers: list[str]) -> dict[str, tuple[int, dict[str, Any]]]:
    """The greatest 履歴番号 of each person and that row's snapshot (one query for all of them): the number
    counts on, the snapshot tells what the change changed (``search_key_rows``)."""
    last = aliased(ResidentHistory)
    greatest = (
        select(func.max(last.history_no))
        .where(last.atena_number == ResidentHistory.atena_number)
        .scalar_subquery()
    )
    rows = session.execute(
        select(ResidentHistory.atena_number, ResidentHistory.history_no, ResidentHistory.snapshot).where(
            ResidentHistory.atena_number.in_(atena_numbers), ResidentHistory.history_no == greatest
        )
    )
    return {atena_number: (int(number), snapshot) for atena_number, number, snapshot in rows}


@contextmanager
def history_of_case(session: Session, case_id: int) -> Iterator[list[ResidentHistory]]:
    """Inside the block, every history row appended without its own ``case_id`` carries ``case_id`` (the
    case whose 本登録 appends it); those rows are collected in the list the block receives."""
    previous = session.info.get(CASE_TAG_KEY)
    appended: list[ResidentHistory] = []
    session.info[CASE_TAG_KEY] = (case_id, appended)
    try:
        yield appended
    finally:
        if previous is None:
            session.info.pop(CASE_TAG_KEY, None)
        else:
            session.info[CASE_TAG_KEY] = previous


def append_history(
    session: Session,
    resident: Resident,
    *,
    reason_code: str,
    change_date: dt.date | None,
    effective_date: dt.date | None = None,
    change_date_text: str | None = None,
    notified_date: dt.date | None = None,
    notice_date: dt.date | None = None,
    requested_date: dt.date | None = None,
    claim_date: dt.date | None = None,
    note: str | None = None,
    entered_by: int | None = None,
    input_terminal: str | None = None,
    case_id: int | None = None,
) -> ResidentHistory:
    """Append the person's current state as a new history row (履歴番号 = previous + 1).

    ``effective_date`` defaults to the change date (the legal effect), and to today when that is unknown.
    ``notified_date`` is the 届出日, ``notice_date`` the 通知日, ``requested_date`` the 申出日 and ``claim_date``
    the 請求日 (see ``HistoryDates``).  Inside ``history_of_case`` the row carries that case unless
    ``case_id`` is given.
    """
    [row] = append_histories(
        session,
        [resident],
        reason_code=reason_code,
        change_date=change_date,
        effective_date=effective_date,
        change_date_text=change_date_text,
        notified_date=notified_date,
        notice_date=notice_date,
        requested_date=requested_date,
        claim_date=claim_date,
        note=note,
        entered_by=entered_by,
        input_terminal=input_terminal,
        case_id=case_id,
    )
    return row


def append_histories(
    session: Session,
    residents: Sequence[Resident],
    *,
    first: bool = False,
    reason_code: str,
    change_date: dt.date | None,
    effective_date: dt.date | None = None,
    case_id: int | None = None,
    **fields: Any,
) -> list[ResidentHistory]:
    """``append_history`` for several persons and the same change: one flush before (the persons' rows and
    ids), one query for their last 履歴番号 and one INSERT of the new rows.  ``first``: the persons were
    created in this transaction and have no history yet (履歴番号 1, set before their own INSERT, nothing to
    read)."""
    if first:
        for resident in residents:
            # written with the person's own INSERT, not an UPDATE after it
            assign_changed(resident, history_no=1)
        insert_rows(session, residents)  # the new ones: one INSERT, without the unit of work
    session.flush()
    found = {} if first else _last_rows(session, [r.atena_number for r in residents])
    last = {atena_number: number for atena_number, (number, _snapshot) in found.items()}
    before: dict[str, dict[str, Any] | None] = {a: snapshot for a, (_number, snapshot) in found.items()}
    key_changes: list[tuple[str, dict[str, Any] | None, dict[str, Any]]] = []
    tag = session.info.get(CASE_TAG_KEY) if case_id is None else None
    if tag is not None:
        case_id = tag[0]
    if fields.get("input_terminal") and not fields.get("input_place"):
        fields["input_place"] = registered_place(session, fields["input_terminal"])  # 入力場所 (j230)
    today = japan_today()
    rows = []
    for resident in residents:
        last[resident.atena_number] = last.get(resident.atena_number, 0) + 1  # a person twice: n+1, n+2
        row = ResidentHistory(
            resident_id=resident.id,
            atena_number=resident.atena_number,
            history_no=last[resident.atena_number],
            change_reason=reason_code,
            change_date=change_date,
            effective_date=effective_date or change_date or today,
            processed_date=today,
            case_id=case_id,
            household_number=resident.household.household_number,
            status=resident.status,
            snapshot={},
            **fields,
        )
        assign_changed(resident, history_no=row.history_no)  # unchanged: the row stays clean (no flush)
        row.snapshot = snapshot_of(resident)
        rows.append(row)
        key_changes.append((resident.atena_number, before.get(resident.atena_number), row.snapshot))
        before[resident.atena_number] = row.snapshot
    session.add_all(rows)
    insert_rows(session, rows)
    if residents:
        record_search_keys(session, residents[0].tenant_id, key_changes)
    if tag is not None:
        tag[1].extend(rows)
    return rows


def history_rows(session: Session, atena_number: str) -> list[ResidentHistory]:
    return list(
        session.scalars(
            select(ResidentHistory)
            .where(ResidentHistory.atena_number == atena_number)
            .order_by(ResidentHistory.history_no)
        )
    )


# the dates and reasons of one person's rows, without the snapshot (built once; bound at execution)
_HISTORY_ENTRIES = built_once(
    select(
        ResidentHistory.history_no,
        ResidentHistory.change_reason,
        ResidentHistory.change_date,
        ResidentHistory.change_date_text,
        ResidentHistory.effective_date,
        ResidentHistory.processed_date,
        ResidentHistory.notified_date,
        ResidentHistory.note,
        ResidentHistory.caution,
        ResidentHistory.caution_items,
    )  # fmt: skip
    .where(ResidentHistory.atena_number == bindparam("atena_number"))
    .order_by(ResidentHistory.history_no)
)


def history_entries(session: Session, atena_number: str) -> list[Row[Any]]:
    """The person's history list in 履歴番号 order: the dates and reasons of each row, without its snapshot
    (a JSON document of the whole person that a list does not show)."""
    return list(session.execute(_HISTORY_ENTRIES, {"atena_number": atena_number}))


# the person's row holding on a date: greatest effective date ≤ on, then greatest 履歴番号 (built once)
_ROW_AS_OF = built_once(
    select(ResidentHistory)
    .where(
        ResidentHistory.atena_number == bindparam("atena_number"),
        ResidentHistory.effective_date <= bindparam("on"),
    )
    .order_by(ResidentHistory.effective_date.desc(), ResidentHistory.history_no.desc())
    .limit(1)
)


def _row_as_of(session: Session, atena_number: str, on: dt.date) -> ResidentHistory | None:
    return session.scalars(_ROW_AS_OF, {"atena_number": atena_number, "on": on}).first()


def resident_as_of(session: Session, atena_number: str, on: dt.date) -> dict[str, Any] | None:
    """The person's snapshot holding on ``on``: greatest effective date ≤ on, then greatest 履歴番号."""
    row = _row_as_of(session, atena_number, on)
    if row is None:
        return None
    return {**row.snapshot, "history_no": row.history_no, "effective_date": row.effective_date.isoformat()}


def household_as_of(session: Session, household_number: str, on: dt.date) -> list[dict[str, Any]]:
    """The members of the household on ``on``: persons whose as-of snapshot is in it and not removed,
    in household order."""
    candidates = session.scalars(
        select(ResidentHistory.atena_number)
        .where(ResidentHistory.household_number == household_number, ResidentHistory.effective_date <= on)
        .distinct()
    )
    members = []
    for atena_number in candidates:
        snapshot = resident_as_of(session, atena_number, on)
        if snapshot is None or snapshot["household_number"] != household_number:
            continue
        if snapshot["status"] == "removed":
            continue
        members.append(snapshot)
    return sorted(members, key=lambda s: (s.get("household_order") or 0, s["atena_number"]))
