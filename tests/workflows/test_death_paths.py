"""Every path through workflows/death.bpmn and workflows/disappearance.bpmn (死亡 j820, 失踪 j830, j490)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from handlers.clock import japan_today
from handlers.context import Actor
from handlers.errors import ValidationError
from tests.factories import japanese_member, make_household
from tests.workflows.conftest import Step
from tests.workflows.ex_officio_steps import (
    access_functions,
    approve,
    enter,
    history,
    issue_documents,
    outbox,
    reject,
    resident,
    resubmit,
)

pytestmark = pytest.mark.req("j820", "j830", "j490", "j750", "j780")


def removal_intake(atena_number: str, event_date: str, **extra: Any) -> dict[str, Any]:
    return {
        "atena_number": atena_number,
        "event_date": event_date,
        "ex_officio_record": "本籍地からの通知により職権で消除した",
        **extra,
    }


def test_death_of_a_member_makes_a_removed_record_with_the_death_date_and_notices(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    household = make_household(db, clerk_a)
    child = household.members[2].atena_number
    died = (japan_today() - dt.timedelta(days=2)).isoformat()
    case = enter(step, clerk_a, "death", removal_intake(child, died, notify_person=True))
    assert step(clerk_a, resident, child).status == "resident"  # provisional only (j530)
    approve(step, supervisor_a, case, "death")
    data = issue_documents(step, clerk_a, case)
    assert data["registration"]["documents"] == ["ex_officio_notice"]

    person = step(clerk_a, resident, child)
    assert (person.status, person.removal_reason, person.removal_date) == (
        "removed",
        "death",
        dt.date.fromisoformat(died),
    )
    rows = step(clerk_a, history, child)
    assert [(r.change_reason, r.status, r.case_id) for r in rows] == [
        ("domestic_move_in", "resident", None),
        ("death", "removed", case.id),
    ]
    assert rows[-1].notice_date == japan_today() and "職権記録書" in rows[-1].note
    sent = step(clerk_a, outbox, case.id)
    assert [(d, k, p["reason"]) for d, k, p in sent] == [
        ("cs", "identity_change", "death"),
        ("addressee", "identity_change", "death"),
    ]
    assert "change_registered" in step(clerk_a, access_functions, child)


def test_death_with_an_unknown_date_keeps_the_wording_and_a_blank_removal_date(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    household = make_household(db, clerk_a)
    child = household.members[2].atena_number
    case = enter(step, clerk_a, "death", removal_intake(child, "年月日不詳"))
    approve(step, supervisor_a, case, "death")
    person = step(clerk_a, resident, child)
    assert person.status == "removed" and person.removal_date is None
    row = step(clerk_a, history, child)[-1]
    assert (row.change_date, row.change_date_text, row.effective_date) == (
        None,
        "年月日不詳",
        japan_today(),
    )


def test_head_dying_with_two_members_left_needs_the_head_alert_and_leaves_the_head_unset(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    household = make_household(db, clerk_a)
    head = household.members[0].atena_number
    case = enter(step, clerk_a, "death", removal_intake(head, "2024-05-01"))
    with pytest.raises(ValidationError):
        approve(step, supervisor_a, case, "death")
    approve(step, supervisor_a, case, "death", ("head_leaving",))
    data = issue_documents(step, clerk_a, case)
    assert data["registration"]["documents"] == ["head_change_request_notice"]
    assert (
        step(clerk_a, lambda uow: resident(uow, household.members[1].atena_number).household.head_resident_id)
        is None
    )


def test_head_dying_with_one_member_left_makes_that_member_head_ex_officio(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    members = [
        japanese_member(),
        japanese_member(given_name="花子", given_name_kana="ハナコ", sex="2", relation_to_head="妻"),
    ]
    household = make_household(db, clerk_a, members)
    head, wife = household.members[0].atena_number, household.members[1].atena_number
    case = enter(step, clerk_a, "death", removal_intake(head, "2024-05-01"))
    approve(step, supervisor_a, case, "death")
    data = issue_documents(step, clerk_a, case)
    assert data["registration"]["documents"] == ["head_change_notice"]
    assert data["registration"]["atena_numbers"] == [head, wife]
    widow = step(clerk_a, resident, wife)
    assert widow.relation_to_head == "世帯主"
    assert step(clerk_a, lambda uow: resident(uow, wife).household.head_resident_id) == widow.id
    assert [(r.change_reason, r.case_id) for r in step(clerk_a, history, wife)][-1] == (
        "head_change",
        case.id,
    )


def test_rejected_death_is_corrected_then_registered(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    household = make_household(db, clerk_a)
    child = household.members[2].atena_number
    case = enter(step, clerk_a, "death", removal_intake(child, "2024-05-02"))
    reject(step, supervisor_a, case, "death", "死亡日が死亡届と違う")
    assert step(clerk_a, resident, child).status == "resident"
    resubmit(step, clerk_a, case, "death", removal_intake(child, "2024-05-01"))
    approve(step, supervisor_a, case, "death")
    assert step(clerk_a, resident, child).removal_date == dt.date(2024, 5, 1)


def test_disappearance_is_an_ex_officio_removal_on_the_koseki_notice(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    household = make_household(db, clerk_a)
    child = household.members[2].atena_number
    intake = removal_intake(
        child, "2023-12-31", koseki_date="2024-06-01", on_request=True, requested_date="2024-06-02"
    )
    case = enter(step, clerk_a, "disappearance", intake)
    reject(step, supervisor_a, case, "disappearance", "通知日の確認")
    resubmit(step, clerk_a, case, "disappearance", intake)
    approve(step, supervisor_a, case, "disappearance")
    issue_documents(step, clerk_a, case)
    person = step(clerk_a, resident, child)
    assert (person.status, person.removal_reason) == ("removed", "ex_officio_removal")
    row = step(clerk_a, history, child)[-1]
    assert (row.change_reason, row.notice_date, row.requested_date) == (
        "ex_officio_removal", dt.date(2024, 6, 1), dt.date(2024, 6, 2),
    )  # fmt: skip
    assert "申出による職権記載等" in row.note
    assert [k for _, k, _ in step(clerk_a, outbox, case.id)] == ["identity_change", "identity_change"]
