"""法第30条の47届出 (j920): a person living here becomes a 中長期在留者, 特別永住者, 一時庇護許可者 or
仮滞在許可者.

Two forms:

* the person is not in the register yet (e.g. a 短期滞在 visitor granted a mid/long-term status): recorded like
  a 国外転入 (「国外転入等」) in a new household, 転入前住所 may be blank, 外国人住民となった年月日 = the day the
  status was granted (the 異動日) unless entered;
* the person is already recorded as a 経過滞在者 (``atena_number`` given): the art. 30-45 category and its items
  are amended (reason 職権修正, as the standard lists no 届出 amendment reason for it); 外国人住民となった年月日
  stays, because the person already was a foreign resident.

Both send a 市町村通知 「住基法・入管法」 (the notification doubles as the 入管法 住居地届出, j970).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from handlers.changes.base import Assessment, RegistrationResult, register_change_type
from handlers.changes.foreign_arrival import REASON, assess_arrival, category_problem, register_arrival
from handlers.changes.foreign_notices import BOTH_ACTS, immigration_notice
from handlers.errors import NotFoundError, Problem
from handlers.residents.events import check_change_request
from handlers.residents.lookup import find_resident
from handlers.residents.registration import amend_resident, current_items
from handlers.residents.validation import validate_resident_input
from handlers.rules.foreign import CATEGORY_FIELD, ITEM_NAMES, foreign_category_problems
from handlers.uow import UnitOfWork
from models.resident import Resident

AMEND_REASON = "ex_officio_correction"
TRANSITIONAL = ("transitional_birth", "transitional_nationality_loss")
CATEGORY_ITEMS = (CATEGORY_FIELD, *ITEM_NAMES)


def _problem(field: str, item: str, reason: str, remedy: str, code: str) -> Problem:
    return Problem(field, item, reason, remedy, code)


def _transitional_resident(uow: UnitOfWork, atena_number: str, problems: list[Problem]) -> Resident | None:
    try:
        resident = find_resident(uow.session, atena_number)
    except NotFoundError as err:
        problems.append(
            _problem("atena_number", "宛名番号", str(err), "宛名番号を確認してください", "not_found")
        )
        return None
    if resident.status != "resident" or resident.resident_kind != "foreign":
        problems.append(
            _problem(
                "atena_number",
                "宛名番号",
                "記録中の外国人住民ではありません",
                "住民でない方は宛名番号を入力せずに新規に記載してください",
                "not_foreign_resident",
            )
        )
        return None
    if resident.foreign_category not in TRANSITIONAL:
        problems.append(
            _problem(
                CATEGORY_FIELD,
                "法第30条の45の区分",
                "既に在留資格等のある外国人住民です",
                "在留資格の変更等は出入国在留管理庁長官通知により修正してください",
                "not_transitional",
            )
        )
        return None
    return resident


def category_changes(intake: Mapping[str, Any]) -> dict[str, Any]:
    """The category and its items as entered; the other categories' items are cleared."""
    return {field: intake.get(field) or None for field in CATEGORY_ITEMS} | {"residence_notified": True}


class ForeignStatusAcquired3047:
    code = "foreign_status_acquired_30_47"
    label = "法第30条の47届出"
    process_id = "foreign_status_acquired_30_47"
    deadline = "event_plus_14"  # within 14 days of becoming a covered person (Act art. 30-47)

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        atena_number = str(intake.get("atena_number") or "").strip()
        if not atena_number:
            request, problems = check_change_request(
                REASON,
                intake.get("change_date"),
                intake.get("notified_date"),
                category="record",
                kinds=["foreign"],
            )
            return assess_arrival(uow, intake, problems, request.change_date)
        request, problems = check_change_request(
            AMEND_REASON,
            intake.get("change_date"),
            intake.get("notified_date"),
            category="amendment",
            kinds=["foreign"],
        )
        resident = _transitional_resident(uow, atena_number, problems)
        changes = category_changes(intake)
        alerts: list[Problem] = []
        if resident is not None:
            merged = current_items(resident) | changes
            parsed, errors = validate_resident_input(merged, kind="foreign")
            problems += errors
            found = category_problem(parsed.values.get(CATEGORY_FIELD))
            if found is not None:
                problems.append(found)
            alerts = [p for p in foreign_category_problems(parsed.values) if p.level == "alert"]
        proposal = {
            "mode": "amend",
            "atena_number": atena_number,
            "changes": changes,
            "change_date": request.change_date.isoformat() if request.change_date else None,
            "notified_date": intake.get("notified_date"),
            "note": intake.get("note"),
        }
        return Assessment(proposal, problems, alerts, [f"resident:{atena_number}"], request.change_date)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        if proposal.get("mode") != "amend":
            return register_arrival(uow, proposal, event=self.code, event_label=self.label)
        resident = amend_resident(
            uow,
            proposal["atena_number"],
            proposal["changes"],
            reason_code=AMEND_REASON,
            change_date=proposal["change_date"],
            notified_date=proposal.get("notified_date"),
            note=proposal.get("note"),
        )
        change_date = dt.date.fromisoformat(proposal["change_date"])
        notice = immigration_notice(
            resident, category=BOTH_ACTS, event=self.code, event_label=self.label, change_date=change_date
        )
        return RegistrationResult(
            atena_numbers=[resident.atena_number],
            household_numbers=[resident.household.household_number],
            notices=[notice],
            documents=["residence_card_endorsement"],
            summary={
                "reason": AMEND_REASON,
                "event": self.code,
                "foreign_category": resident.foreign_category,
            },
        )


FOREIGN_STATUS_ACQUIRED_30_47 = register_change_type(ForeignStatusAcquired3047())
