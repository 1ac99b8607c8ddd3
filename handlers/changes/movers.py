"""The persons of a household change: who moves, from which household, who stays, with which 続柄, and the
checks every household flow (転居, 転出, 世帯変更) shares (j460, j470, j490, j480, j570).

Everything here reads the register and returns ``Problem`` lists; nothing writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.changes.notification_origin import notified_input
from handlers.errors import Problem
from handlers.residents.events import ChangeRequest, check_change_request
from handlers.rules.deadlines import legal_deadline
from handlers.rules.head_leaving import HeadLeaving, head_leaving, head_leaving_alert
from handlers.rules.relationship import HEAD, normalize_relationship, relationship_problem
from models.resident import Household, Resident

ACTIVE = "resident"


@dataclass
class Movers:
    """The persons who move (``movers``) out of ``household``, and the active members who stay."""

    household: Household | None
    movers: list[Resident]
    staying: list[Resident]

    @property
    def whole(self) -> bool:
        return self.household is not None and not self.staying

    @property
    def atena_numbers(self) -> list[str]:
        return [m.atena_number for m in self.movers]

    def head_leaving(self) -> HeadLeaving:
        head = self.household.head if self.household is not None else None
        return head_leaving(
            head.atena_number if head is not None else None,
            self.atena_numbers,
            [m.atena_number for m in self.staying],
        )


def active_members(household: Household) -> list[Resident]:
    """Members counted as present: residents and persons whose 転出 date has not come (notes §3)."""
    return [m for m in household.members if m.status in (ACTIVE, "moving_out")]


def _problem(field: str, item: str, reason: str, remedy: str, code: str) -> Problem:
    return Problem(field, item, reason, remedy, code)


def find_movers(session: Session, atena_numbers: Any, problems: list[Problem]) -> Movers:
    """The movers by 宛名番号: each must be a present resident of this municipality, all of one household."""
    numbers = [str(n).strip() for n in (atena_numbers or []) if str(n).strip()]
    if not numbers:
        problems.append(
            _problem(
                "atena_numbers", "異動者", "選択されていません", "異動する人を選択してください", "required"
            )
        )
        return Movers(None, [], [])
    found = {
        r.atena_number: r for r in session.scalars(select(Resident).where(Resident.atena_number.in_(numbers)))
    }
    movers: list[Resident] = []
    for number in dict.fromkeys(numbers):
        resident = found.get(number)
        if resident is None:
            problems.append(
                _problem(
                    "atena_numbers",
                    "異動者",
                    f"宛名番号 {number} の住民は見つかりません",
                    "宛名番号を確認してください",
                    "not_found",
                )
            )
        elif resident.status != ACTIVE:
            problems.append(
                _problem(
                    "atena_numbers",
                    "異動者",
                    f"宛名番号 {number} の住民は{_status_label(resident)}です",
                    "現に住民である人だけを選択してください",
                    "not_present",
                )
            )
        else:
            movers.append(resident)
    households = {m.household_id for m in movers}
    if len(households) > 1:
        problems.append(
            _problem(
                "atena_numbers",
                "異動者",
                "異なる世帯の人が選択されています",
                "一つの世帯の人だけを選択し、世帯ごとに届出を処理してください",
                "several_households",
            )
        )
    if not movers or len(households) > 1:
        return Movers(None, movers, [])
    household = movers[0].household
    moving = {m.id for m in movers}
    staying = [m for m in active_members(household) if m.id not in moving]
    return Movers(household, movers, staying)


def _status_label(resident: Resident) -> str:
    return {"moving_out": "転出予定の人", "removed": "消除済（除票）"}.get(resident.status, resident.status)


def check_dates(
    intake: Mapping[str, Any], reason_code: str, category: str, kinds: Sequence[str], problems: list[Problem]
) -> ChangeRequest:
    """異動日 (required; ≤ today except 転出) and 届出日 (≤ today; today when blank; none ex officio, j760),
    j480, j570."""
    notified = notified_input(intake)
    request, found = check_change_request(
        reason_code, intake.get("change_date"), notified, category=category, kinds=kinds
    )
    problems.extend(found)
    return request


def late_notification_alert(request: ChangeRequest) -> list[Problem]:
    """An alert when the 届出日 is past the 14-day legal deadline of the 異動日 (notes §2.5)."""
    if request.change_date is None or request.notified_date is None:
        return []
    due = legal_deadline(request.change_date)
    if request.notified_date <= due:
        return []
    return [
        Problem(
            "notified_date",
            "届出日",
            f"届出期間（{due.isoformat()}まで）を過ぎた届出です",
            "届出が遅れた理由を確認し、必要に応じて簡易裁判所への通知（届出期間経過通知）を行ってください",
            "late_notification",
            level="alert",
        )
    ]


def check_relations(
    relations: Any, persons: Sequence[str], problems: list[Problem], *, head: str
) -> dict[str, str]:
    """The 続柄 of each person in ``persons`` (宛名番号 → 続柄), validated by the j110 rules.

    ``head``: "one" (exactly one of them is 世帯主: a new household), "none" (they join a household that
    keeps its head)."""
    given = {str(k): normalize_relationship(str(v)) for k, v in dict(relations or {}).items()}
    result: dict[str, str] = {}
    for number in persons:
        text = given.get(number, "")
        found = relationship_problem(text, field=f"relations.{number}")
        if found is not None:
            problems.append(_named(found, number))
        else:
            result[number] = text
    heads = [n for n, text in result.items() if text == HEAD]
    if head == "one" and persons and len(heads) != 1 and len(result) == len(persons):
        problems.append(
            _problem(
                "relations",
                "世帯主との続柄",
                f"新しい世帯の世帯主が{len(heads)}人入力されています",
                "新しい世帯の世帯主を一人だけ指定してください",
                "head_count",
            )
        )
    if head == "none" and heads:
        problems.append(
            _problem(
                "relations",
                "世帯主との続柄",
                "異動先の世帯には既に世帯主がいます",
                "世帯主以外の続柄を入力してください（世帯主を替えるときは世帯主変更を行ってください）",
                "duplicate_head",
            )
        )
    return result


def _named(found: Problem, number: str) -> Problem:
    return Problem(found.field, f"{found.item}（宛名番号 {number}）", found.reason, found.remedy, found.code)


def find_household(session: Session, number: Any, field: str, problems: list[Problem]) -> Household | None:
    """An active household by 世帯番号, or a problem."""
    text = str(number or "").strip()
    if not text:
        problems.append(
            _problem(field, "異動先世帯", "指定されていません", "世帯番号を指定してください", "required")
        )
        return None
    household = session.scalars(select(Household).where(Household.household_number == text)).one_or_none()
    if household is None or household.status != "active" or not active_members(household):
        problems.append(
            _problem(
                field,
                "異動先世帯",
                f"世帯番号 {text} の世帯は見つかりません",
                "現にある世帯の世帯番号を指定してください",
                "not_found",
            )
        )
        return None
    return household


def head_problems(movers: Movers, alerts: list[Problem]) -> HeadLeaving:
    """j490: the alert when the head leaves two or more members behind."""
    outcome = movers.head_leaving()
    if outcome.needs_alert:
        alerts.append(head_leaving_alert(len(movers.staying)))
    return outcome


def subjects(movers: Movers, *households: Household | None) -> list[str]:
    keys = [f"resident:{n}" for n in movers.atena_numbers]
    for household in (movers.household, *households):
        if household is not None:
            keys.append(f"household:{household.household_number}")
    return list(dict.fromkeys(keys))


def iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None
