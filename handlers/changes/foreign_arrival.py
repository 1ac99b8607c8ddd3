"""Recording foreign residents who arrive or become covered persons (Act arts. 30-46 and 30-47, j910, j920).

Both are registered like a 国外転入 (reason ``move_in_from_abroad``, 「国外転入等」): a new household with new
宛名番号; 転入前住所 may be blank; 住民となった年月日, 住所を定めた年月日 and 外国人住民となった年月日 default
to the 異動日.  Only the four categories the articles name may arrive this way (a 経過滞在者 is recorded on
birth or loss of nationality, never on arrival).  Dates are shown in 西暦 on the confirmation (j20).

An arrival from abroad (30-46) is checked against the 除票 like a 転入 (j600): a person with one here comes back
under the old 宛名番号 (``re_move_in_of``) into the new household, with the 通称 of a 国外転出 from here (j70).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from handlers.address_lookup import dictionary_code_problems
from handlers.changes.base import Assessment, NoticeDraft, RegistrationResult
from handlers.changes.carried_names import carry_over_names
from handlers.changes.foreign_notices import BOTH_ACTS, cs_identity_change, immigration_notice
from handlers.changes.move_in_checks import re_move_in_problems_of
from handlers.errors import Problem
from handlers.residents.households import create_household, readmit_resident
from handlers.residents.registration import register_household
from handlers.residents.resident_code_pool import pool_problems, take_resident_codes
from handlers.residents.validation import validate_household_input, validate_resident_input
from handlers.rules.dates import format_resident_date
from handlers.rules.foreign import FOREIGN_CATEGORIES, foreign_category_problems
from handlers.uow import UnitOfWork
from models.resident import Household, Resident

REASON = "move_in_from_abroad"
COVERED_CATEGORIES = ("mid_long_term", "special_permanent", "temporary_refuge", "provisional_stay")
DEFAULTED_DATES = ("became_resident_date", "address_set_date", "foreign_resident_date")
SHOWN_DATES = ("birth_date", "foreign_resident_date", "stay_expiry_date")


def for_member(index: int, problems: Sequence[Problem]) -> list[Problem]:
    """Name the member a problem belongs to (「（2人目）」)."""
    return [
        Problem(
            f"members[{index}].{p.field}", f"{p.item}（{index + 1}人目）", p.reason, p.remedy, p.code, p.level
        )
        for p in problems
    ]


def prepared_member(member: Mapping[str, Any], change_date: dt.date | None) -> dict[str, Any]:
    """The member as entered, marked foreign, with the dates that default to the 異動日 filled in."""
    prepared = {key: value for key, value in member.items() if value is not None}
    prepared["resident_kind"] = "foreign"
    for field in DEFAULTED_DATES:
        if change_date is not None and not str(prepared.get(field) or "").strip():
            prepared[field] = change_date.isoformat()
    return prepared


def category_problem(category: Any) -> Problem | None:
    """Only 中長期在留者, 特別永住者, 一時庇護許可者 and 仮滞在許可者 arrive by these notifications."""
    if category in FOREIGN_CATEGORIES and category not in COVERED_CATEGORIES:
        label = FOREIGN_CATEGORIES[category].label
        return Problem(
            "foreign_category",
            "法第30条の45の区分",
            f"{label}はこの届出では記載できません",
            "中長期在留者・特別永住者・一時庇護許可者・仮滞在許可者のいずれかを選んでください",
            "category_not_covered",
        )
    return None


def _card_in_use(uow: UnitOfWork, card_number: Any) -> bool:
    if not card_number:
        return False
    found = uow.session.scalars(
        select(Resident.atena_number).where(
            Resident.residence_card_number == str(card_number), Resident.status != "removed"
        )
    ).first()
    return found is not None


def _duplicate_card(number: str) -> Problem:
    return Problem(
        "residence_card_number",
        "在留カードの番号",
        f"在留カード番号「{number}」の住民が既に記録されています",
        "同じ人を二重に記載していないか確認してください",
        "duplicate_card",
    )


def _confirmation(values: Mapping[str, Any]) -> dict[str, str]:
    shown = {"name_alphabet": str(values.get("name_alphabet") or "")}
    for field in SHOWN_DATES:
        shown[field] = format_resident_date(field, values.get(field), values.get(f"{field}_text"), "foreign")
    return shown


def check_member(
    uow: UnitOfWork, member: Mapping[str, Any]
) -> tuple[list[Problem], list[Problem], dict[str, str]]:
    """(errors, alerts, confirmation) for one arriving foreign resident."""
    parsed, entered = validate_resident_input(member, kind="foreign")
    # a first arrival has no 住民票コード yet: one is taken from the pool at 本登録, as for a 転入 (j870)
    errors = [p for p in entered if not (p.field == "resident_code" and p.code == "required")]
    values = parsed.values
    found = category_problem(values.get("foreign_category"))
    if found is not None:
        errors.append(found)
    if _card_in_use(uow, values.get("residence_card_number")):
        errors.append(_duplicate_card(str(values["residence_card_number"])))
    alerts = [p for p in foreign_category_problems(values) if p.level == "alert"]
    return errors, alerts, _confirmation(values)


def _no_members() -> Problem:
    return Problem(
        "members", "世帯員", "世帯員が一人も入力されていません", "世帯員を入力してください", "required"
    )


def returning_problems(
    uow: UnitOfWork, entered: Sequence[Mapping[str, Any]], members: list[dict[str, Any]]
) -> tuple[list[Problem], list[Problem]]:
    """(errors, alerts) of a 30-46 arrival's 再転入 (j600): a 除票 with the same 在留カード番号, 個人番号 or
    住民票コード must be chosen (``re_move_in_of``); the chosen one's 通称 of a 国外転出 from here is carried
    over (j70, ``handlers.changes.carried_names``) into ``members``."""
    errors: list[Problem] = []
    alerts: list[Problem] = []
    for index, ((found, alerted), member) in enumerate(
        zip(re_move_in_problems_of(uow.session, entered), members, strict=True)
    ):
        errors += found
        alerts += alerted + carry_over_names(uow.session, "abroad", index, entered[index], member)
    return errors, alerts


def assess_arrival(
    uow: UnitOfWork,
    intake: Mapping[str, Any],
    request_problems: list[Problem],
    change_date: dt.date | None,
    *,
    from_abroad: bool = False,
) -> Assessment:
    """Check the new household and its foreign members; the proposal keeps the entered values.  An arrival
    from abroad (30-46) may be a 再転入 of a 除票 (``returning_problems``)."""
    problems = list(request_problems)
    household = dict(intake.get("household") or {})
    problems += validate_household_input(household)[1] + dictionary_code_problems(uow.session, household)
    entered = [m for m in intake.get("members") or [] if isinstance(m, Mapping)]
    members = [prepared_member(m, change_date) for m in entered]
    if not members:
        problems.append(_no_members())
    alerts: list[Problem] = []
    if from_abroad:
        returning_errors, alerts = returning_problems(uow, entered, members)
        problems += returning_errors
    shown = []
    for index, member in enumerate(members):
        errors, member_alerts, confirmation = check_member(uow, member)
        problems += for_member(index, errors)
        alerts += for_member(index, member_alerts)
        shown.append(confirmation)
    new_codes = sum(1 for m in members if not m.get("resident_code") and not m.get("re_move_in_of"))
    if new_codes:
        pool_errors, pool_alerts = pool_problems(uow.session, new_codes)
        problems += pool_errors
        alerts += pool_alerts
    proposal = {
        "mode": "new_household",
        "change_date": change_date.isoformat() if change_date else None,
        "notified_date": intake.get("notified_date"),
        "household": household,
        "members": members,
        "note": intake.get("note"),
        "confirmation": shown,
    }
    subjects = [f"resident:{m['re_move_in_of']}" for m in members if m.get("re_move_in_of")]
    return Assessment(proposal, problems, alerts, subjects, change_date)


def _register_household(uow: UnitOfWork, proposal: Mapping[str, Any]) -> tuple[Household, bool]:
    """The new household with its new members (a 住民票コード from the pool for each who has none), then each
    再転入 under its old 宛名番号 (j600); and whether a code was issued."""
    dates: dict[str, Any] = {"reason_code": REASON, "change_date": proposal["change_date"],
                             "notified_date": proposal.get("notified_date"), "note": proposal.get("note")}  # fmt: skip
    members = [{k: v for k, v in m.items() if k != "carry_over_names"} for m in proposal["members"]]
    new = [m for m in members if not m.get("re_move_in_of")]
    issuing = [m for m in new if not m.get("resident_code")]
    for member, code in zip(issuing, take_resident_codes(uow.session, len(issuing)), strict=True):
        member["resident_code"] = code
    if new:
        household = register_household(uow, proposal["household"], new, **dates)
    else:  # every member comes back: an empty household they join
        household = create_household(uow, proposal["household"])
    for entry in members:
        if entry.get("re_move_in_of"):
            values = {k: v for k, v in entry.items() if k != "re_move_in_of"}
            readmit_resident(uow, str(entry["re_move_in_of"]), household.household_number, values, **dates)
    return household, bool(issuing)


def register_arrival(
    uow: UnitOfWork, proposal: Mapping[str, Any], *, event: str, event_label: str
) -> RegistrationResult:
    """本登録: the household and its members, then CS and 市町村通知 (「住基法・入管法」) per person."""
    household, issued = _register_household(uow, proposal)
    change_date = dt.date.fromisoformat(proposal["change_date"])
    members = [m for m in household.members if m.status == "resident"]
    notices: list[NoticeDraft] = []
    for member in members:
        notices.append(cs_identity_change(member, event=event, reason_code=REASON, change_date=change_date))
        notices.append(
            immigration_notice(
                member, category=BOTH_ACTS, event=event, event_label=event_label, change_date=change_date
            )
        )
    return RegistrationResult(
        atena_numbers=[m.atena_number for m in members],
        household_numbers=[household.household_number],
        notices=notices,
        documents=["residence_card_endorsement", *(["resident_code_notice"] if issued else [])],
        summary={"reason": REASON, "event": event, "household_number": household.household_number},
    )
