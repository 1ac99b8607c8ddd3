"""出生 (j810, j770, j800): a new-born recorded ex officio on the 出生届 / 本籍地 notice.

Intake: ``household_number`` (an existing household) or ``household`` (address items of a new one);
``member`` (the child's items; ``birth_date`` may be any form j80 allows for 出生); ``copy_koseki_from``
(宛名番号 of a member of that household whose 本籍・筆頭者 the child shares, j770); the ex-officio items
(``ex_officio_record``, ``koseki_date``, ``on_request``, ``requested_date``, ``notify_person``).

The child's 住民となった年月日 and 住所を定めた年月日 are the birth date; the 転入前住所 is blank (j800).  At
本登録 a 住民票コード is taken from the pool (j870) and the 住民票コード通知票 issued (j890); 住基ネット gets an
identity_change notice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.changes.base import Assessment, RegistrationResult, register_change_type
from handlers.changes.ex_officio import (
    cs_notice,
    documents,
    event_of,
    event_proposal,
    history_dates,
    history_note,
    read_event_date,
    read_ex_officio,
)
from handlers.changes.new_person import (
    Destination,
    check_person,
    duplicate_head_problem,
    read_destination,
    record_new_person,
)
from handlers.errors import Problem
from handlers.residents.parsing import clean_text
from handlers.uow import UnitOfWork

RESIDENT_CODE_NOTICE = "resident_code_notice"  # 住民票コード通知票
EVENT_FIELDS = ("birth_date", "became_resident_date", "address_set_date")  # all the birth date


def register_ex_officio_person(
    uow: UnitOfWork, proposal: Mapping[str, Any], reason_code: str
) -> RegistrationResult:
    """本登録 of a person recorded ex officio (出生, 住所設定): the new record with a pooled 住民票コード, the
    住基ネット identity_change notice and the 住民票コード通知票 (j870, j890)."""
    person = record_new_person(
        uow,
        proposal,
        reason_code=reason_code,
        event=event_of(proposal),
        note=history_note(proposal),
        dates=history_dates(proposal),
    )
    notice = cs_notice("identity_change", person, reason_code, resident_code=person.resident_code)
    return RegistrationResult(
        atena_numbers=[person.atena_number],
        household_numbers=[person.household.household_number],
        notices=[notice],
        documents=documents(proposal, RESIDENT_CODE_NOTICE),
        summary={"atena_number": person.atena_number, "reason": reason_code},
    )


def _copy_koseki(
    destination: Destination, member: dict[str, Any], source: str, problems: list[Problem]
) -> bool:
    """j770: the child's 本籍・筆頭者 quoted from a member of the household."""
    household = destination.household
    found = None
    if household is not None:
        found = next(
            (m for m in household.members if m.atena_number == source and m.status != "removed"), None
        )
    if found is None:
        problems.append(
            Problem(
                "copy_koseki_from",
                "戸籍の表示の引用元",
                "指定された宛名番号の人はこの世帯の世帯員ではありません",
                "同じ世帯の世帯員を選択してください",
                "not_household_member",
            )
        )
        return False
    member["honseki"], member["hittosha"] = found.honseki, found.hittosha
    return True


def _child(
    destination: Destination, intake: Mapping[str, Any], problems: list[Problem]
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The child's items as registered, and the fields whose problems are already reported."""
    member = dict(intake.get("member") or {})
    source = clean_text(intake.get("copy_koseki_from"))
    reported: tuple[str, ...] = ()
    if source is not None and not _copy_koseki(destination, member, source, problems):
        reported = ("honseki", "hittosha")
    if clean_text(member.get("previous_address")) is not None:
        problems.append(
            Problem(
                "member.previous_address",
                "転入前住所",
                "出生の場合、転入前住所はありません",
                "転入前住所は空欄にしてください",
                "previous_address_not_blank",
            )
        )
    member["previous_address"] = None
    birth = clean_text(member.get("birth_date"))
    member["became_resident_date"] = birth
    member["address_set_date"] = birth
    return member, reported


class Birth:
    code = "birth"
    label = "出生"
    process_id = "birth"
    deadline = "none"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        problems: list[Problem] = []
        alerts: list[Problem] = []
        proposal = read_ex_officio(intake, problems, koseki=True)
        destination = read_destination(uow.session, intake, problems)
        member, reported = _child(destination, intake, problems)
        event = read_event_date(member.get("birth_date"), "member.birth_date", "生年月日", problems)
        reported += () if event is not None else EVENT_FIELDS
        check_person(uow.session, member, problems, alerts, reported=reported)
        problems.extend(duplicate_head_problem(destination, member))
        proposal.update(destination.proposal, member=member)
        proposal.update(event_proposal(event))
        return Assessment(
            proposal=proposal,
            problems=problems,
            alerts=alerts,
            subjects=destination.subjects,
            event_date=event.value if event else None,
        )

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        return register_ex_officio_person(uow, proposal, "birth")


BIRTH = register_change_type(Birth())
