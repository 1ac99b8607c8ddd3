"""異動履歴照会 by the history's own items (j350): the changes registered, across persons, found by 異動事由,
異動日, 処理日, 届出日, 世帯番号 or 入力端末 — tenant-scoped, logged as a search, protected persons (支援措置)
marked as the resident search marks them.  One person's whole history is on the record page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import Select, select

from handlers.audit import record_access
from handlers.errors import Problem, ValidationError
from handlers.permissions import require
from handlers.residents.history import display_name
from handlers.residents.protection import active_measures_by_person, protection_label
from handlers.rules.change_reasons import REASONS
from handlers.rules.dates import format_resident_date
from handlers.uow import UnitOfWork
from models.resident import Resident, ResidentHistory

DEFAULT_LIMIT = 100
RANGES = (("change", "異動日", "change_date"), ("processed", "処理日", "processed_date"),
          ("notified", "届出日", "notified_date"))  # fmt: skip


@dataclass(frozen=True)
class HistoryQuery:
    change_reason: str = ""
    change_from: dt.date | None = None
    change_to: dt.date | None = None
    processed_from: dt.date | None = None
    processed_to: dt.date | None = None
    notified_from: dt.date | None = None
    notified_to: dt.date | None = None
    household_number: str = ""
    input_terminal: str = ""
    limit: int = DEFAULT_LIMIT

    def criteria(self) -> list[str]:
        """Names of the conditions given (for the access log: never the values)."""
        return [f.name for f in fields(self) if f.name != "limit" and getattr(self, f.name) not in ("", None)]

    def problems(self) -> list[Problem]:
        found = []
        if not self.criteria():
            found.append(Problem("query", "検索条件", "検索条件が入力されていません",
                                 "異動事由・異動日などの条件を一つ以上入力してください", "required"))  # fmt: skip
        if self.change_reason and self.change_reason not in REASONS:
            found.append(Problem("change_reason", "異動事由", "選択肢にありません", "異動事由を選び直してください", "invalid"))  # fmt: skip
        for prefix, label, _column in RANGES:
            start, end = getattr(self, f"{prefix}_from"), getattr(self, f"{prefix}_to")
            if start and end and start > end:
                found.append(Problem(f"{prefix}_to", f"{label}（至）", "開始日より前です", "期間を確認してください", "range"))  # fmt: skip
        return found


@dataclass(frozen=True)
class HistoryHit:
    atena_number: str
    name: str
    history_no: int
    reason_label: str
    change_date: str
    processed_date: str
    notified_date: str
    household_number: str
    input_place: str
    input_terminal: str
    protection_label: str


@dataclass
class HistoryResults:
    hits: list[HistoryHit] = field(default_factory=list)
    truncated: bool = False


def _statement(query: HistoryQuery) -> Select[Any]:
    row = ResidentHistory
    columns: tuple[Any, ...] = (
        row.atena_number, row.history_no, row.change_reason, row.change_date, row.change_date_text,
        row.processed_date, row.notified_date, row.household_number, row.input_place, row.input_terminal,
        Resident.family_name, Resident.given_name, Resident.name_alphabet, Resident.resident_kind,
    )  # fmt: skip
    statement: Select[Any] = select(*columns).join(Resident, Resident.atena_number == row.atena_number)
    if query.change_reason:
        statement = statement.where(row.change_reason == query.change_reason)
    for prefix, _label, column_name in RANGES:
        column = getattr(row, column_name)
        if start := getattr(query, f"{prefix}_from"):
            statement = statement.where(column >= start)
        if end := getattr(query, f"{prefix}_to"):
            statement = statement.where(column <= end)
    if query.household_number.strip():
        statement = statement.where(row.household_number == query.household_number.strip())
    if query.input_terminal.strip():
        statement = statement.where(row.input_terminal == query.input_terminal.strip())
    order = (row.processed_date.desc(), row.atena_number, row.history_no)
    return statement.order_by(*order).limit(query.limit + 1)


def search_history(uow: UnitOfWork, query: HistoryQuery) -> HistoryResults:
    """History rows of the actor's municipality matching every given condition, newest 処理日 first."""
    require(uow.actor, "resident.search")
    if problems := query.problems():
        raise ValidationError(problems)
    rows = list(uow.session.execute(_statement(query)))
    results = HistoryResults(truncated=len(rows) > query.limit)
    rows = rows[: query.limit]
    measures = active_measures_by_person(uow, {r.atena_number for r in rows})
    for r in rows:
        kind, reason = r.resident_kind, REASONS.get(r.change_reason)
        results.hits.append(HistoryHit(
            atena_number=r.atena_number, name=display_name(r), history_no=r.history_no,
            reason_label=reason.label if reason else r.change_reason,
            change_date=format_resident_date("change_date", r.change_date, r.change_date_text, kind),
            processed_date=format_resident_date("processed_date", r.processed_date, None, kind),
            notified_date=format_resident_date("notified_date", r.notified_date, None, kind),
            household_number=r.household_number, input_place=r.input_place or "", input_terminal=r.input_terminal or "",
            protection_label=protection_label(measures.get(r.atena_number, [])),
        ))  # fmt: skip
    record_access(
        uow, "history_searched", "search", sorted({hit.atena_number for hit in results.hits}),
        detail={"criteria": query.criteria(), "count": len(results.hits), "truncated": results.truncated},
    )  # fmt: skip
    return results
