"""住所設定 (j800): a person living here with no registered address, recorded ex officio.

Intake as for 出生 (``household_number`` or ``household``, ``member``, the ex-officio items) plus
``previous_address_kind``: ``unknown`` (前住所地が不明 → 転入前住所「不明」), ``none`` (no former address →
blank) or ``known`` (the entered 転入前住所).  The event date is the member's 住所を定めた年月日.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.changes.base import Assessment, RegistrationResult, register_change_type
from handlers.changes.birth import register_ex_officio_person
from handlers.changes.ex_officio import (
    event_proposal,
    read_event_date,
    read_ex_officio,
)
from handlers.changes.new_person import (
    check_person,
    duplicate_head_problem,
    read_destination,
)
from handlers.errors import Problem
from handlers.residents.parsing import clean_text
from handlers.uow import UnitOfWork

UNKNOWN_ADDRESS = "不明"
PREVIOUS_KINDS = ("unknown", "none", "known")


def previous_address(kind: str, entered: Any, problems: list[Problem]) -> str | None:
    """The 転入前住所 of a 住所設定 (j800): 「不明」, blank, or the entered one (required then)."""
    if kind not in PREVIOUS_KINDS:
        problems.append(
            Problem(
                "previous_address_kind",
                "転入前住所の区分",
                "選択されていません",
                "「不明」「なし」「入力する」のいずれかを選択してください",
                "required",
            )
        )
        return None
    if kind == "unknown":
        return UNKNOWN_ADDRESS
    if kind == "none":
        return None
    text = clean_text(entered)
    if text is None:
        problems.append(
            Problem(
                "member.previous_address",
                "転入前住所",
                "入力されていません",
                "転入前住所を入力するか、「不明」を選択してください",
                "required",
            )
        )
    return text


class AddressSetting:
    code = "address_setting"
    label = "住所設定"
    process_id = "address_setting"
    deadline = "none"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        problems: list[Problem] = []
        alerts: list[Problem] = []
        proposal = read_ex_officio(intake, problems, koseki=False)
        destination = read_destination(uow.session, intake, problems)
        member = dict(intake.get("member") or {})
        kind = str(intake.get("previous_address_kind") or "")
        member["previous_address"] = previous_address(kind, member.get("previous_address"), problems)
        event = read_event_date(
            member.get("address_set_date"), "member.address_set_date", "住所を定めた年月日", problems
        )
        member.setdefault("became_resident_date", member.get("address_set_date"))
        reported = () if event is not None else ("address_set_date",)
        check_person(uow.session, member, problems, alerts, reported=reported)
        problems.extend(duplicate_head_problem(destination, member))
        proposal.update({**destination.proposal, **event_proposal(event), "member": member})
        return Assessment(proposal, problems, alerts, destination.subjects, event.value if event else None)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        return register_ex_officio_person(uow, proposal, "ex_officio_record")


ADDRESS_SETTING = register_change_type(AddressSetting())
