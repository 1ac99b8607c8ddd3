"""What every ex-officio change (職権記載等, j750–j790) adds to its intake and to its history rows.

* 職権記録書 (j750): what was done ex officio and why — required, kept in the proposal and written into the
  history row's 留意事項 so the register itself shows it.
* 職権記載等通知書 (j750): optionally issued to the person at 交付 (document ``ex_officio_notice``).
* 戸籍届出・通知日 (j780): for changes based on a 戸籍 notification or notice; defaults to today, never later.
* 申出による職権記載等 (j790, j990): a flag and the 申出日 (defaults to today, never later).

The dates are stored on the history row: 戸籍届出・通知日 as 通知日, 申出日 as 申出日.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from handlers.changes.base import NoticeDraft
from handlers.clock import japan_today
from handlers.errors import Problem
from handlers.residents.history import HistoryDates
from handlers.residents.parsing import clean_text
from handlers.rules.date_input import (
    DateInputError,
    FlexDate,
    parse_calendar_date,
    parse_flexible_date,
    stored_flex_date,
)
from models.resident import Resident

EX_OFFICIO_NOTICE = "ex_officio_notice"  # 職権記載等通知書
TRUE_WORDS = {"1", "true", "on", "yes", "はい"}


def flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in TRUE_WORDS


def past_or_today(
    raw: Any, field: str, item: str, problems: list[Problem], *, default_today: bool = True
) -> dt.date | None:
    """A calendar date not after today; blank means today when ``default_today`` (j780, j790)."""
    today = japan_today()
    if isinstance(raw, dt.date):
        when: dt.date | None = raw
    elif clean_text(raw) is None:
        return today if default_today else None
    else:
        try:
            when = parse_calendar_date(str(raw))
        except DateInputError as err:
            problems.append(err.to_problem(field, item))
            return None
    if when is not None and when > today:
        problems.append(
            Problem(field, item, "未来の日付です", f"{item}は今日以前の日付を入力してください", "future_date")
        )
    return when


def read_ex_officio(intake: Mapping[str, Any], problems: list[Problem], *, koseki: bool) -> dict[str, Any]:
    """The ex-officio part of an intake as JSON-safe proposal items; problems are appended."""
    record = clean_text(intake.get("ex_officio_record"))
    if record is None:
        problems.append(
            Problem(
                "ex_officio_record",
                "職権記録書",
                "職権で行う事項とその理由が入力されていません",
                "職権記録書に、職権で記載等を行う事項と理由を入力してください",
                "required",
            )
        )
    on_request = flag(intake.get("on_request"))
    requested = None
    if on_request:
        requested = past_or_today(intake.get("requested_date"), "requested_date", "申出日", problems)
    koseki_date = None
    if koseki:
        koseki_date = past_or_today(intake.get("koseki_date"), "koseki_date", "戸籍届出・通知日", problems)
    return {
        "ex_officio_record": record,
        "on_request": on_request,
        "requested_date": requested.isoformat() if requested else None,
        "koseki_date": koseki_date.isoformat() if koseki_date else None,
        "notify_person": flag(intake.get("notify_person")),
    }


def history_note(proposal: Mapping[str, Any]) -> str:
    """The 留意事項 of the history row: the 職権記録書 and, when asked for, that it was on request."""
    note = f"職権記録書：{proposal.get('ex_officio_record') or ''}"
    if proposal.get("on_request"):
        note += f"（申出による職権記載等、申出日 {proposal.get('requested_date')}）"
    return note


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def history_dates(proposal: Mapping[str, Any]) -> HistoryDates:
    """The 申出日 and 戸籍届出・通知日 of the proposal, as ``append_history`` keywords."""
    return HistoryDates(
        requested_date=_date(proposal.get("requested_date")), notice_date=_date(proposal.get("koseki_date"))
    )


def documents(proposal: Mapping[str, Any], *extra: str) -> list[str]:
    """The documents to issue at 交付: the change's own ones, then the 職権記載等通知書 when asked for."""
    found = list(extra)
    if proposal.get("notify_person"):
        found.append(EX_OFFICIO_NOTICE)
    return found


def cs_notice(kind: str, resident: Resident, reason_code: str, **payload: Any) -> NoticeDraft:
    """A notice to 住基ネット (CS) about one person."""
    return NoticeDraft(
        "cs",
        kind,
        {
            "atena_number": resident.atena_number,
            "history_no": resident.history_no,
            "reason": reason_code,
            **payload,
        },
    )


def read_event_date(raw: Any, field: str, item: str, problems: list[Problem]) -> FlexDate | None:
    """The event date of 出生/死亡/失踪: any form j80 allows (non-calendar, 不詳), not after today."""
    text = clean_text(raw)
    if text is None:
        problems.append(Problem(field, item, "入力されていません", f"{item}を入力してください", "required"))
        return None
    try:
        event = parse_flexible_date(text)
    except DateInputError as err:
        problems.append(err.to_problem(field, item))
        return None
    if event.value is not None and event.value > japan_today():
        problems.append(
            Problem(field, item, "未来の日付です", f"{item}は今日以前の日付を入力してください", "future_date")
        )
    return event


def event_proposal(event: FlexDate | None) -> dict[str, Any]:
    if event is None:
        return {"event_date": None, "event_text": None}
    return {"event_date": event.value.isoformat() if event.value else None, "event_text": event.text}


def event_of(proposal: Mapping[str, Any]) -> FlexDate:
    """The event date kept in a proposal by ``event_proposal``."""
    return stored_flex_date(_date(proposal.get("event_date")), proposal.get("event_text"))
