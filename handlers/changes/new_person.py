"""A person recorded ex officio (出生 j810, 住所設定 j800): into an existing household or a new one, with a
住民票コード taken from the pool at 本登録 (j870).

The assess half checks the entered items against the register without changing it (the code is not taken
yet, so a missing 住民票コード is not an error here); the register half takes the code, writes the person and
the first history row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from handlers.address_lookup import dictionary_code_problems
from handlers.audit import record_access
from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.permissions import require
from handlers.residents.history import HistoryDates, append_history
from handlers.residents.household_members import reorder_members, set_head_from_relations
from handlers.residents.lookup import find_household
from handlers.residents.numbering import issue_number
from handlers.residents.resident_code_pool import pool_problems, take_resident_code
from handlers.residents.search_keys import refresh_household_keys, refresh_resident_keys
from handlers.residents.validation import validate_household_input, validate_resident_input
from handlers.rules.date_input import FlexDate
from handlers.uow import UnitOfWork
from models.resident import Household, Resident


@dataclass(frozen=True)
class Destination:
    household: Household | None  # None: a new household
    proposal: dict[str, Any]  # {"household_number": …} or {"household": {address items}}
    subjects: list[str]


def read_destination(session: Session, intake: Mapping[str, Any], problems: list[Problem]) -> Destination:
    """An existing household (世帯番号) or a new one (its address items), j460/j470."""
    number = str(intake.get("household_number") or "").strip()
    if number:
        try:
            household = find_household(session, number)
        except NotFoundError as err:
            problems.append(
                Problem("household_number", "世帯番号", str(err), "世帯番号を確認してください", "not_found")
            )
            return Destination(None, {"household_number": number}, [])
        if household.status != "active":
            problems.append(
                Problem(
                    "household_number",
                    "世帯番号",
                    "この世帯は既に消滅しています",
                    "新しい世帯として住所を入力してください",
                    "household_dissolved",
                )
            )
        return Destination(household, {"household_number": number}, [f"household:{number}"])
    address = dict(intake.get("household") or {})
    _parsed, found = validate_household_input(address)
    problems.extend(found + dictionary_code_problems(session, address))
    return Destination(None, {"household": address}, [])


def check_person(
    session: Session,
    member: Mapping[str, Any],
    problems: list[Problem],
    alerts: list[Problem],
    *,
    reported: tuple[str, ...] = (),
) -> None:
    """The person's items as they will be registered, and the 住民票コード pool (error when empty, alert when
    it falls below the municipality's threshold).  Problems of the ``reported`` fields are left out (the
    caller has reported them already)."""
    kind = str(member.get("resident_kind") or "japanese")
    _parsed, found = validate_resident_input({**member, "resident_code": None}, kind=kind)
    problems.extend(
        p
        for p in found
        if p.field not in reported and not (p.field == "resident_code" and p.code == "required")
    )
    errors, low = pool_problems(session)
    problems.extend(errors)
    alerts.extend(low)


def _household(uow: UnitOfWork, proposal: Mapping[str, Any]) -> Household:
    if proposal.get("household_number"):
        return find_household(uow.session, str(proposal["household_number"]))
    parsed, _problems = validate_household_input(dict(proposal["household"]))
    household = Household(household_number=issue_number(uow.session, "household"), **parsed.values)
    refresh_household_keys(household)
    uow.session.add(household)
    return household


def record_new_person(
    uow: UnitOfWork,
    proposal: Mapping[str, Any],
    *,
    reason_code: str,
    event: FlexDate,
    note: str,
    dates: HistoryDates | None = None,
) -> Resident:
    """本登録 of the person in ``proposal["member"]`` with a fresh 住民票コード; one history row, one log row."""
    require(uow.actor, "resident.change")
    member = {**dict(proposal["member"]), "resident_code": take_resident_code(uow.session)}
    kind = str(member.get("resident_kind") or "japanese")
    parsed, problems = validate_resident_input(member, kind=kind)
    if problems:
        raise ValidationError(problems)
    household = _household(uow, proposal)
    resident = Resident(
        atena_number=issue_number(uow.session, "atena"),
        resident_kind=kind,
        status="resident",
        history_no=0,
        household=household,
        **parsed.values,
    )
    refresh_resident_keys(resident)
    uow.session.add(resident)
    uow.session.flush()
    members = [m for m in household.members if m.status != "removed"]
    if household.head is None:
        set_head_from_relations(household, members)
    reorder_members(members)
    append_history(
        uow.session,
        resident,
        reason_code=reason_code,
        change_date=event.value,
        change_date_text=event.text,
        effective_date=event.value,
        note=note,
        entered_by=uow.actor.user_id,
        input_terminal=uow.actor.terminal,
        **(dates or HistoryDates()),
    )
    record_access(
        uow, "resident_registered", "change", [resident.atena_number], detail={"reason": reason_code}
    )
    return resident


def duplicate_head_problem(destination: Destination, member: Mapping[str, Any]) -> list[Problem]:
    """A person entered as 世帯主 into a household that already has one."""
    household = destination.household
    if household is None or household.head is None or member.get("relation_to_head") != "世帯主":
        return []
    return [
        Problem(
            "member.relation_to_head",
            "世帯主との続柄",
            "この世帯には既に世帯主がいます",
            "世帯主との続柄を入力し直してください",
            "duplicate_head",
        )
    ]
