"""帰化 (j930) and 国籍取得 (j940): a foreign resident becomes a Japanese resident.

The foreign record is removed (職権消除（帰化等）) and a Japanese record is made (職権記載（帰化等）) on the
same 宛名番号 (see ``handlers.residents.nationality``).  Inherited: address with 方書, birth date, sex,
relationship, 住所を定めた年月日, 住民票コード, 宛名番号, 個人番号, 転入前住所; 外国人住民となった年月日 becomes
住民となった年月日.  From the 戸籍 notice: the name in kanji with its kana, 本籍 and 筆頭者.  The 異動日 is the day
the nationality was acquired (官報告示日 / 届出日); the notice date is kept as 届出日 of the history rows.
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
from handlers.uow import UnitOfWork
from models.resident import Resident

REMOVAL_REASON = "naturalization_removal"
RECORD_REASON = "naturalization_record"
JAPANESE_ITEMS = ("family_name", "given_name", "family_name_kana", "given_name_kana", "honseki", "hittosha")


def _foreign_resident(uow: UnitOfWork, atena_number: str, problems: list[Problem]) -> Resident | None:
    try:
        resident = find_resident(uow.session, atena_number)
    except NotFoundError as err:
        problems.append(
            Problem("atena_number", "宛名番号", str(err), "宛名番号を確認してください", "not_found")
        )
        return None
    if resident.status != "resident" or resident.resident_kind != "foreign":
        problems.append(
            Problem(
                "atena_number",
                "宛名番号",
                "記録中の外国人住民ではありません",
                "帰化・国籍取得をした外国人住民の宛名番号を入力してください",
                "not_foreign_resident",
            )
        )
        return None
    return resident


def japanese_values(resident: Resident, intake: Mapping[str, Any]) -> dict[str, Any]:
    """The Japanese record's own items: name and 戸籍 from the notice, 住民となった年月日 from the foreign record."""
    values = {field: intake.get(field) for field in JAPANESE_ITEMS}
    values["name_kana_confirmed"] = bool(intake.get("name_kana_confirmed"))
    values["became_resident_date"] = resident.foreign_resident_date or resident.became_resident_date
    values["became_resident_date_text"] = (
        resident.foreign_resident_date_text
        if resident.foreign_resident_date
        else resident.became_resident_date_text
    )
    return values


def _kanji_name_problems(intake: Mapping[str, Any]) -> list[Problem]:
    if str(intake.get("family_name") or "").strip():
        return []
    return [
        Problem(
            "family_name",
            "氏",
            "入力されていません",
            "戸籍に記載された氏を漢字で入力してください",
            "required",
        )
    ]


class Naturalization:
    def __init__(self, code: str, label: str) -> None:
        self.code = code
        self.label = label
        self.process_id = code
        self.deadline = "none"  # ex officio on the 戸籍 notice

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        atena_number = str(intake.get("atena_number") or "").strip()
        change_date, notified_date = intake.get("change_date"), intake.get("notified_date")
        request, problems = check_change_request(
            REMOVAL_REASON, change_date, notified_date, category="removal", kinds=["foreign"]
        )
        problems += _kanji_name_problems(intake)
        resident = _foreign_resident(uow, atena_number, problems)
        if resident is not None:
            items = switched_items(resident, japanese_values(resident, intake), "japanese")
            problems += validate_resident_input(items, kind="japanese")[1]
        proposal = {
            "atena_number": atena_number,
            "values": {field: intake.get(field) for field in JAPANESE_ITEMS}
            | {"name_kana_confirmed": bool(intake.get("name_kana_confirmed"))},
            "change_date": request.change_date.isoformat() if request.change_date else None,
            "notified_date": intake.get("notified_date"),
            "note": intake.get("note"),
        }
        return Assessment(proposal, problems, [], [f"resident:{atena_number}"], request.change_date)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        foreign = find_resident(uow.session, proposal["atena_number"])
        values = japanese_values(foreign, proposal["values"])
        change_date = dt.date.fromisoformat(proposal["change_date"])
        notice = immigration_notice(  # about the foreign record being removed, so built before the switch
            foreign, category=RESIDENTS_ACT, event=self.code, event_label=self.label, change_date=change_date
        )
        resident = switch_resident_kind(
            uow,
            proposal["atena_number"],
            values,
            to_kind="japanese",
            removal_reason=REMOVAL_REASON,
            record_reason=RECORD_REASON,
            change_date=proposal["change_date"],
            notified_date=proposal.get("notified_date"),
            note=proposal.get("note"),
        )
        return RegistrationResult(
            atena_numbers=[resident.atena_number],
            household_numbers=[resident.household.household_number],
            notices=[
                cs_identity_change(
                    resident, event=self.code, reason_code=RECORD_REASON, change_date=change_date
                ),
                notice,
            ],
            summary={"reasons": [REMOVAL_REASON, RECORD_REASON], "event": self.code},
        )


NATURALIZATION = register_change_type(Naturalization("naturalization", "帰化"))
NATIONALITY_ACQUISITION = register_change_type(Naturalization("nationality_acquisition", "国籍取得"))
