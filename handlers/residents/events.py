"""The event part of a change: 異動事由, 異動日 and 届出日, checked before any item (j210, j480, j570)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from handlers.clock import japan_today
from handlers.errors import Problem
from handlers.rules.change_reasons import CATEGORIES, ChangeReason, reason
from handlers.rules.date_input import DateInputError, parse_calendar_date

# 異動日 must not be in the future, except for a 転出 (its planned date, j480).
FUTURE_ALLOWED = frozenset({"domestic_move_out", "move_out_abroad"})


@dataclass(frozen=True)
class ChangeRequest:
    reason: ChangeReason
    change_date: dt.date | None
    notified_date: dt.date | None


def _reason(code: str, category: str, kinds: Iterable[str], problems: list[Problem]) -> ChangeReason:
    try:
        found = reason(code)
    except KeyError:
        problems.append(
            Problem(
                "reason_code",
                "異動事由",
                f"「{code}」は異動事由として登録されていません",
                "異動事由を一覧から選択してください",
                "unknown_reason",
            )
        )
        return ChangeReason(code, code, category)
    wanted = CATEGORIES[category]
    if found.category != category:
        reason_text = f"「{found.label}」は{wanted}の事由ではありません"
        problems.append(
            Problem(
                "reason_code",
                "異動事由",
                reason_text,
                f"{wanted}の異動事由を選択してください",
                "wrong_reason",
            )
        )
    for kind in set(kinds):
        if not found.applies_to(kind):
            who = "日本人住民" if kind == "japanese" else "外国人住民"
            reason_text = f"「{found.label}」は{who}には使えない事由です"
            problems.append(
                Problem(
                    "reason_code",
                    "異動事由",
                    reason_text,
                    "住民種別に合う異動事由を選択してください",
                    "wrong_reason",
                )
            )
    return found


def _date(value: str | dt.date | None, field: str, item: str, problems: list[Problem]) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    if not str(value).strip():
        return None
    try:
        return parse_calendar_date(str(value))
    except DateInputError as err:
        problems.append(err.to_problem(field, item))
        return None


def _not_future(value: dt.date | None, field: str, item: str, problems: list[Problem]) -> None:
    if value is not None and value > japan_today():
        problems.append(
            Problem(field, item, "未来の日付です", f"{item}は今日以前の日付を入力してください", "future_date")
        )


def check_change_request(
    reason_code: str,
    change_date: str | dt.date | None,
    notified_date: str | dt.date | None,
    *,
    category: str,
    kinds: Iterable[str] = (),
) -> tuple[ChangeRequest, list[Problem]]:
    """The reason must belong to ``category`` (record / removal / amendment) and fit every resident kind;
    the 異動日 is required and not in the future (except 転出); the 届出日 is not in the future."""
    problems: list[Problem] = []
    found = _reason(reason_code, category, kinds, problems)
    when = _date(change_date, "change_date", "異動日", problems)
    if when is None and not any(p.field == "change_date" for p in problems):
        problems.append(
            Problem("change_date", "異動日", "入力されていません", "異動日を入力してください", "required")
        )
    if found.code not in FUTURE_ALLOWED:
        _not_future(when, "change_date", "異動日", problems)
    notified = _date(notified_date, "notified_date", "届出日", problems)
    _not_future(notified, "notified_date", "届出日", problems)
    return ChangeRequest(found, when, notified), problems
