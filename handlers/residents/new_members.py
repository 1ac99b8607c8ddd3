"""New persons (new 宛名番号) joining a household (j470), and a new household founded with them (転入 into a new
household, j560): checked and built first, numbered, then written.

The 宛名番号 and 世帯番号 counters stay locked from the statement that counts them up to COMMIT (the
municipality's other registrations queue on them; 宛名番号 is a 単純連番, so it cannot be taken outside the
transaction).  So what does not need the numbers — the checks of the household and of every person, and the
persons' objects — comes before that statement (``build_new_members``), and only the writes after it
(``write_new_members``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from handlers.errors import Problem, ValidationError
from handlers.residents.change_records import record_household_change
from handlers.residents.created_here import remember_created
from handlers.residents.events import ChangeRequest, check_change_request
from handlers.residents.household_members import HEAD, settle_household, write_new_head
from handlers.residents.household_problems import head_problem
from handlers.residents.search_keys import refresh_resident_keys
from handlers.residents.validation import validate_resident_input
from handlers.row_writes import insert_rows
from handlers.rules.change_reasons import REASONS
from handlers.uow import UnitOfWork
from models.resident import Household, Resident


def change_request(
    reason_code: str,
    change_date: str | dt.date,
    notified_date: str | dt.date | None,
    kinds: Sequence[str],
) -> tuple[ChangeRequest, list[Problem]]:
    """The change's reason and dates checked (a reason the catalogue does not know counts as 修正)."""
    known = REASONS.get(reason_code)
    category = known.category if known is not None else "amendment"
    return check_change_request(reason_code, change_date, notified_date, category=category, kinds=kinds)


@dataclass
class NewMembers:
    """Persons checked and built (``build_new_members``), not yet numbered, in no household, not written."""

    request: ChangeRequest
    persons: list[Resident]


def build_new_members(
    members: Sequence[Mapping[str, Any]],
    *,
    reason_code: str,
    change_date: str | dt.date,
    notified_date: str | dt.date | None = None,
    has_head: bool = False,
) -> NewMembers:
    """Check the persons' items and the change (refused whole, nothing written) and build them;
    ``has_head``: the household they join has a head already (no one of them may be 世帯主)."""
    kinds = [str(m.get("resident_kind") or "japanese") for m in members]
    request, problems = change_request(reason_code, change_date, notified_date, kinds)
    persons = []
    heads = 1 if has_head else 0
    for index, (member, kind) in enumerate(zip(members, kinds, strict=True)):
        values, found = validate_resident_input(member, kind=kind)
        problems += [
            Problem(f"members[{index}].{p.field}", f"{p.item}（{index + 1}人目）", p.reason, p.remedy, p.code)
            for p in found
        ]
        if values.values.get("relation_to_head") == HEAD:
            heads += 1
            if heads > 1:
                problems.append(head_problem(f"members[{index}].relation_to_head"))
        if not problems:
            persons.append(
                Resident(
                    resident_kind=values.kind,
                    status="resident",
                    history_no=1,  # the first history row is appended with them, in this transaction
                    **{"notified_date": request.notified_date, **values.values},
                )
            )
    if not members:
        problems.append(
            Problem("members", "世帯員", "入力されていません", "世帯員を入力してください", "required")
        )
    if problems:
        raise ValidationError(problems)
    for person in persons:
        refresh_resident_keys(person)
    return NewMembers(request, persons)


def write_new_members(
    uow: UnitOfWork,
    household: Household,
    new: NewMembers,
    atena_numbers: Sequence[str],
    note: str | None = None,
    family_of: Mapping[str, str] | None = None,
) -> list[Resident]:
    """The built persons numbered (``atena_numbers``, issued in this transaction) and joined to ``household``:
    head and order settled, the persons in one INSERT, the head they bring in one UPDATE, their first history
    rows and one access-log row."""
    if len(atena_numbers) != len(new.persons):
        raise ValueError("one 宛名番号 per member")
    for person, atena_number in zip(new.persons, atena_numbers, strict=True):
        person.atena_number = atena_number
        person.household = household
        uow.session.add(person)
    settle_household(household, family_of)
    insert_rows(uow.session, new.persons)
    remember_created(uow.session, new.persons)
    write_new_head(uow.session, household)
    record_household_change(
        uow, "household_members_added", household, new.persons, new.request, note, new_persons=True
    )
    return new.persons
