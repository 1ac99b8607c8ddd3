"""Finding and viewing 除票 (j50, j1300): one search over the live database (status ``removed``) first and the
除票用データベース after it, each hit marked with where it was found; and the view of an archived record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.permissions import require
from handlers.residents.history import display_name
from handlers.residents.items import HIDDEN_ITEM_FIELDS, MASK, STATUS_LABELS
from handlers.residents.presenter import present_snapshot, reason_label
from handlers.rules.date_input import DateInputError, parse_calendar_date
from handlers.rules.digits import ascii_digits
from handlers.rules.kana import fold_kana
from handlers.rules.kanji import fold_name
from handlers.support_measures import protected_atena_numbers
from handlers.uow import UnitOfWork
from models.removed import RemovedRecordArchive
from models.resident import Resident

SEARCH_LIMIT = 200
SOURCE_LABELS = {"live": "住民記録DB", "archive": "除票用DB"}


@dataclass(frozen=True)
class RemovedHit:
    source: str  # live / archive
    atena_number: str
    name: str
    birth_date: dt.date | None
    removal_date: dt.date | None
    removal_reason: str
    protected: bool  # a 支援措置 protects the person (j440): search results make it obvious

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]


@dataclass(frozen=True)
class _Criteria:
    kana_key: str | None
    name_key: str | None
    birth_date: dt.date | None
    atena_number: str | None

    def used(self) -> list[str]:
        return [name for name, value in vars(self).items() if value]


def _escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _parse_birth_date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    if not value.strip():
        return None
    try:
        return parse_calendar_date(value)
    except DateInputError as err:
        raise ValidationError([err.to_problem("birth_date", "生年月日")]) from err


def _criteria(
    kana: str | None, name: str | None, birth_date: dt.date | str | None, atena_number: str | None
) -> _Criteria:
    criteria = _Criteria(
        kana_key=fold_kana(kana) if kana and kana.strip() else None,
        name_key=fold_name(name) if name and name.strip() else None,
        birth_date=_parse_birth_date(birth_date),
        atena_number=ascii_digits(atena_number).strip() if atena_number and atena_number.strip() else None,
    )
    if not criteria.used():
        reason = "検索条件が入力されていません"
        remedy = "カナ氏名・漢字氏名・生年月日・宛名番号のいずれかを入力してください"
        raise ValidationError([Problem("kana", "検索条件", reason, remedy, "required")])
    return criteria


def _where(model: Any, criteria: _Criteria) -> list[Any]:
    conditions = []
    if criteria.kana_key:
        conditions.append(model.kana_key.like(_escaped(criteria.kana_key) + "%", escape="\\"))
    if criteria.name_key:
        conditions.append(model.name_key.like("%" + _escaped(criteria.name_key) + "%", escape="\\"))
    if criteria.birth_date:
        conditions.append(model.birth_date == criteria.birth_date)
    if criteria.atena_number:
        conditions.append(model.atena_number == criteria.atena_number)
    return conditions


def _live_hits(uow: UnitOfWork, criteria: _Criteria) -> list[RemovedHit]:
    stmt = (
        select(Resident)
        .where(Resident.status == "removed", *_where(Resident, criteria))
        .order_by(Resident.kana_key, Resident.atena_number)
        .limit(SEARCH_LIMIT)
    )
    return [
        RemovedHit(
            "live",
            r.atena_number,
            display_name(r),
            r.birth_date,
            r.removal_date,
            r.removal_reason or "",
            False,
        )
        for r in uow.session.scalars(stmt)
    ]


def _archive_hits(uow: UnitOfWork, criteria: _Criteria) -> list[RemovedHit]:
    stmt = (
        select(RemovedRecordArchive)
        .where(*_where(RemovedRecordArchive, criteria))
        .order_by(RemovedRecordArchive.kana_key, RemovedRecordArchive.atena_number)
        .limit(SEARCH_LIMIT)
    )
    return [
        RemovedHit(
            "archive", a.atena_number, a.display_name, a.birth_date, a.removal_date, a.removal_reason, False
        )
        for a in uow.session.scalars(stmt)
    ]


def search_removed(
    uow: UnitOfWork,
    *,
    kana: str | None = None,
    name: str | None = None,
    birth_date: dt.date | str | None = None,
    atena_number: str | None = None,
) -> list[RemovedHit]:
    """One search button (j1300): the live 除票 first, then the 除票用データベース; each hit says its source."""
    require(uow.actor, "resident.search")
    criteria = _criteria(kana, name, birth_date, atena_number)
    hits = _live_hits(uow, criteria) + _archive_hits(uow, criteria)
    protected = protected_atena_numbers(uow.session, {h.atena_number for h in hits})
    hits = [replace(h, protected=True) if h.atena_number in protected else h for h in hits]
    live = sum(h.source == "live" for h in hits)
    detail = {"criteria": criteria.used(), "live": live, "archive": len(hits) - live}
    record_access(
        uow, "removed_record_searched", "search", targets=[h.atena_number for h in hits], detail=detail
    )
    return hits


def _hide_items(record: dict[str, Any], hidden: frozenset[str]) -> dict[str, Any]:
    shown = dict(record)
    for key in hidden:
        for field in HIDDEN_ITEM_FIELDS.get(key, ()):
            if shown.get(field):
                shown[field] = MASK
    return shown


def view_removed_record(uow: UnitOfWork, atena_number: str) -> dict[str, Any]:
    """An archived 除票: its final items, every history snapshot and the memos.  Items the user hides on
    every screen (j1390) are masked.  Another municipality's record is simply not found."""
    require(uow.actor, "resident.view")
    row = uow.session.scalars(
        select(RemovedRecordArchive).where(RemovedRecordArchive.atena_number == atena_number)
    ).one_or_none()
    if row is None:
        raise NotFoundError("指定された除票は除票用データベースに見つかりません。")
    hidden = uow.actor.hidden_items
    record = _hide_items(row.record, hidden)
    history = [
        {
            **h,
            "reason_label": reason_label(h["change_reason"]),
            "status_label": STATUS_LABELS.get(h["status"], h["status"]),
            "snapshot": _hide_items(h["snapshot"], hidden),
        }
        for h in row.history
    ]
    my_number_shown = bool(record.get("my_number")) and record.get("my_number") != MASK
    protected = bool(protected_atena_numbers(uow.session, [row.atena_number]))
    record_access(
        uow, "removed_record_viewed", "view", targets=[atena_number], my_number_shown=my_number_shown
    )
    return {
        "source": "archive",
        "atena_number": row.atena_number,
        "household_number": row.household_number,
        "name": row.display_name,
        "birth_date": row.birth_date,
        "removal_date": row.removal_date,
        "removal_reason": row.removal_reason,
        "retain_until": row.retain_until,
        "archived_at": row.archived_at,
        "protected": protected,
        "record": record,
        "presented": present_snapshot(uow.actor, row.record, protected=protected),
        "history": history,
        "memos": list(row.memos),
    }
