"""国籍喪失 (j950): a Japanese resident loses Japanese nationality and is recorded as a foreign resident.

The Japanese record is removed (職権消除（国籍喪失）) and a foreign record made (職権記載（国籍喪失）) on the same
宛名番号 (see ``handlers.residents.nationality``), inheriting address, birth date, sex, relationship, dates,
住民票コード, 個人番号 and 転入前住所.  外国人住民となった年月日 = the later of the day nationality was lost and
住民となった年月日.  Until a status of residence is granted the person is a 国籍喪失による経過滞在者; a category
with its items may be entered when a status was already granted.  j950 forbids printing the Japanese
住民となった年月日 as 「旧外登法による登録年月日」, so that item stays blank.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from handlers.changes.base import Assessment, RegistrationResult, register_change_type
from handlers.changes.foreign_notices import RESIDENTS_ACT, cs_identity_change, immigration_notice
from handlers.errors import NotFoundError, Problem
from handlers.residents.events import check_change_request
from handlers.residents.lookup import find_resident
from handlers.residents.nationality import switch_resident_kind, switched_items
from handlers.residents.validation import validate_resident_input
from handlers.rules.foreign import CATEGORY_FIELD, ITEM_NAMES, foreign_category_problems
from handlers.uow import UnitOfWork
from models.resident import Resident

REMOVAL_REASON = "nationality_loss_removal"
RECORD_REASON = "nationality_loss_record"
TRANSITIONAL = "transitional_nationality_loss"
FOREIGN_ENTRY_ITEMS = ("name_alphabet", "nationality", CATEGORY_FIELD, *ITEM_NAMES)


def foreign_resident_date(lost_on: dt.date, became_resident: dt.date | None) -> dt.date:
    """外国人住民となった年月日: the later of the day nationality was lost and 住民となった年月日 (j950)."""
    if became_resident is None:
        return lost_on
    return max(lost_on, became_resident)


def foreign_values(resident: Resident, intake: Mapping[str, Any], lost_on: dt.date) -> dict[str, Any]:
    values = {field: intake.get(field) or None for field in FOREIGN_ENTRY_ITEMS}
    values[CATEGORY_FIELD] = values[CATEGORY_FIELD] or TRANSITIONAL
    values["foreign_resident_date"] = foreign_resident_date(lost_on, resident.became_resident_date)
    values["foreign_resident_date_text"] = None
    values["old_alien_registration_date"] = None  # j950: never the Japanese 住民となった年月日
    return values


def _japanese_resident(uow: UnitOfWork, atena_number: str, problems: list[Problem]) -> Resident | None:
    try:
        resident = find_resident(uow.session, atena_number)
    except NotFoundError as err:
        problems.append(
            Problem("atena_number", "宛名番号", str(err), "宛名番号を確認してください", "not_found")
        )
        return None
    if resident.status != "resident" or resident.resident_kind != "japanese":
        problems.append(
            Problem(
                "atena_number",
                "宛名番号",
                "記録中の日本人住民ではありません",
                "国籍を喪失した日本人住民の宛名番号を入力してください",
                "not_japanese_resident",
            )
        )
        return None
    return resident


def _nationality_problem(intake: Mapping[str, Any]) -> list[Problem]:
    if str(intake.get("nationality") or "").strip():
        return []
    return [
        Problem("nationality", "国籍・地域", "入力されていません", "国籍・地域を入力してください", "required")
    ]


class NationalityLoss:
    code = "nationality_loss"
    label = "国籍喪失"
    process_id = "nationality_loss"
    deadline = "none"  # ex officio on the 戸籍 notice

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        atena_number = str(intake.get("atena_number") or "").strip()
        request, problems = check_change_request(
            REMOVAL_REASON,
            intake.get("change_date"),
            intake.get("notified_date"),
            category="removal",
            kinds=["japanese"],
        )
        problems += _nationality_problem(intake)
        resident = _japanese_resident(uow, atena_number, problems)
        alerts: list[Problem] = []
        if resident is not None and request.change_date is not None:
            values = foreign_values(resident, intake, request.change_date)
            parsed, errors = validate_resident_input(
                switched_items(resident, values, "foreign"), kind="foreign"
            )
            problems += errors
            alerts = [p for p in foreign_category_problems(parsed.values) if p.level == "alert"]
        proposal = {
            "atena_number": atena_number,
            "entered": {field: intake.get(field) for field in FOREIGN_ENTRY_ITEMS},
            "change_date": request.change_date.isoformat() if request.change_date else None,
            "notified_date": intake.get("notified_date"),
            "note": intake.get("note"),
        }
        return Assessment(proposal, problems, alerts, [f"resident:{atena_number}"], request.change_date)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        change_date = dt.date.fromisoformat(proposal["change_date"])
        japanese = find_resident(uow.session, proposal["atena_number"])
        resident = switch_resident_kind(
            uow,
            proposal["atena_number"],
            foreign_values(japanese, proposal["entered"], change_date),
            to_kind="foreign",
            removal_reason=REMOVAL_REASON,
            record_reason=RECORD_REASON,
            change_date=change_date,
            notified_date=proposal.get("notified_date"),
            note=proposal.get("note"),
        )
        notices = [
            cs_identity_change(resident, event=self.code, reason_code=RECORD_REASON, change_date=change_date),
            immigration_notice(
                resident,
                category=RESIDENTS_ACT,
                event=self.code,
                event_label=self.label,
                change_date=change_date,
            ),
        ]
        return RegistrationResult(
            atena_numbers=[resident.atena_number],
            household_numbers=[resident.household.household_number],
            notices=notices,
            summary={
                "reasons": [REMOVAL_REASON, RECORD_REASON],
                "event": self.code,
                "foreign_resident_date": resident.foreign_resident_date.isoformat()
                if resident.foreign_resident_date
                else None,
            },
        )


NATIONALITY_LOSS = register_change_type(NationalityLoss())
