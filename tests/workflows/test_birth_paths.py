"""Every path through workflows/birth.bpmn (出生, j810, j770, j800, j870, j890), on the real file."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from handlers.clock import japan_today
from handlers.context import Actor
from handlers.errors import ValidationError
from models.resident_code_pool import ResidentCodePoolEntry
from models.tenant import Municipality
from tests.factories import make_household
from tests.workflows.conftest import Step
from tests.workflows.ex_officio_steps import (
    access_functions,
    approve,
    enter,
    fill_pool,
    history,
    issue_documents,
    open_task,
    outbox,
    pending,
    reject,
    resident,
    resubmit,
)

pytestmark = pytest.mark.req("j810", "j770", "j800", "j750", "j870", "j890")


def birth_intake(household_number: str, source: str, **member: Any) -> dict[str, Any]:
    child = {
        "resident_kind": "japanese",
        "family_name": "山田",
        "given_name": "次郎",
        "family_name_kana": "ヤマダ",
        "given_name_kana": "ジロウ",
        "birth_date": (japan_today() - dt.timedelta(days=3)).isoformat(),
        "sex": "1",
        "relation_to_head": "子",
        **member,
    }
    return {
        "household_number": household_number,
        "member": child,
        "copy_koseki_from": source,
        "ex_officio_record": "出生届の送付を受け、職権で住民票を記載した",
        "notify_person": True,
    }


@pytest.fixture
def low_threshold(setup_session: Session, city_a: Municipality) -> None:
    city_a.settings = {"resident_code_pool_alert": 1}
    setup_session.flush()


def _new_child(step: Step, actor: Actor, case_id: int) -> str:
    result = step(actor, lambda uow: pending(uow, case_id).result)
    return result["atena_numbers"][0]


def test_birth_in_an_existing_household_is_recorded_with_a_pool_code_and_notices(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor, low_threshold: None
) -> None:
    household = make_household(db, clerk_a)
    head = household.members[0]
    codes = fill_pool(step, supervisor_a, 3)
    case = enter(step, clerk_a, "birth", birth_intake(household.household_number, head.atena_number))
    assert step(clerk_a, lambda uow: pending(uow, case.id).status) == "provisional"
    assert len(household.members) == 3  # nothing registered before approval (j530)

    approve(step, supervisor_a, case, "birth")
    child = _new_child(step, clerk_a, case.id)
    data = issue_documents(step, clerk_a, case)
    assert data["registration"]["documents"] == ["resident_code_notice", "ex_officio_notice"]

    person = step(clerk_a, resident, child)
    assert person.status == "resident" and person.household_id == household.id
    assert (person.honseki, person.hittosha) == (head.honseki, head.hittosha)  # quoted (j770)
    assert person.previous_address is None  # blank for a birth (j800)
    assert person.resident_code in codes and person.became_resident_date == person.birth_date
    rows = step(clerk_a, history, child)
    assert [(r.history_no, r.change_reason, r.case_id) for r in rows] == [(1, "birth", case.id)]
    assert rows[0].note.startswith("職権記録書：出生届") and rows[0].notice_date == japan_today()
    taken = step(
        clerk_a,
        lambda uow: uow.session.query(ResidentCodePoolEntry).filter_by(code=person.resident_code).one(),
    )
    assert taken.taken and taken.taken_at is not None
    sent = step(clerk_a, outbox, case.id)
    assert [(d, k) for d, k, _ in sent] == [("cs", "identity_change")]
    assert sent[0][2]["resident_code"] == person.resident_code and sent[0][2]["reason"] == "birth"
    assert {"resident_registered", "change_registered"} <= set(step(clerk_a, access_functions, child))


def test_rejected_birth_returns_to_intake_and_the_corrected_entry_is_registered(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor, low_threshold: None
) -> None:
    household = make_household(db, clerk_a)
    fill_pool(step, supervisor_a, 3)
    intake = birth_intake(household.household_number, household.members[0].atena_number, given_name="二郎")
    case = enter(step, clerk_a, "birth", intake)
    reject(step, supervisor_a, case, "birth", "名の漢字が出生届と違う")
    assert step(clerk_a, lambda uow: pending(uow, case.id).status) == "rejected"
    open_task(step, clerk_a, case.id, "intake_birth")

    resubmit(step, clerk_a, case, "birth", {**intake, "member": {**intake["member"], "given_name": "次郎"}})
    approve(step, supervisor_a, case, "birth")
    child = step(clerk_a, resident, _new_child(step, clerk_a, case.id))
    assert child.given_name == "次郎"
    issue_documents(step, clerk_a, case)


def test_low_resident_code_pool_alert_must_be_acknowledged_before_approval(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    household = make_household(db, clerk_a)
    fill_pool(step, supervisor_a, 2)  # default threshold 100 (j870)
    case = enter(
        step, clerk_a, "birth", birth_intake(household.household_number, household.members[0].atena_number)
    )
    assert step(clerk_a, lambda uow: [a["code"] for a in pending(uow, case.id).alerts]) == [
        "resident_code_pool_low"
    ]
    with pytest.raises(ValidationError) as refused:
        approve(step, supervisor_a, case, "birth")
    assert refused.value.problems[0].code == "alert_not_acknowledged"

    approve(step, supervisor_a, case, "birth", ("resident_code_pool_low",))
    acks = step(clerk_a, lambda uow: pending(uow, case.id).acknowledgements)
    assert [(a["code"], a["by_login"]) for a in acks] == [("resident_code_pool_low", supervisor_a.login_id)]
    issue_documents(step, clerk_a, case)


def test_birth_with_a_non_calendar_date_into_a_new_household_keeps_the_wording(
    step: Step, clerk_a: Actor, supervisor_a: Actor, low_threshold: None
) -> None:
    fill_pool(step, supervisor_a, 3)
    intake = birth_intake("", "", birth_date="令和5年2月29日", relation_to_head="世帯主")
    intake.update(household={"address": "神奈川県横浜市中区港町2丁目2番地"}, copy_koseki_from="")
    intake["member"].update(honseki="不明")
    case = enter(step, clerk_a, "birth", intake)
    approve(step, supervisor_a, case, "birth")
    child = _new_child(step, clerk_a, case.id)
    row = step(clerk_a, history, child)[0]
    assert (row.change_date, row.change_date_text) == (dt.date(2023, 2, 28), "令和5年2月29日")
    is_head = step(
        clerk_a, lambda uow: resident(uow, child).household.head_resident_id == resident(uow, child).id
    )
    assert is_head and step(clerk_a, resident, child).birth_date_text == "令和5年2月29日"
