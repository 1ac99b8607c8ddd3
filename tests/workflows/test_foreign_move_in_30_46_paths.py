"""Every path through workflows/foreign_move_in_30_46.bpmn (法第30条の46転入, j910, j970)."""

from __future__ import annotations

import pytest

from handlers.context import Actor
from tests.workflows.conftest import Step
from tests.workflows.ex_officio_steps import (
    access_functions,
    approve,
    enter,
    fill_pool,
    history,
    issue_documents,
    outbox,
    pending,
    reject,
    resident,
    resubmit,
)
from tests.workflows.foreign_steps import arrival_intake, case_log

CODE = "foreign_move_in_30_46"
pytestmark = pytest.mark.req("j910", "j970", "j530")


def registered_atena(data: dict) -> str:
    return data["registration"]["atena_numbers"][0]


def test_arrival_from_abroad_is_recorded_like_a_move_in_from_abroad_with_both_notices(
    step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    intake = arrival_intake()
    card = intake["members"][0]["residence_card_number"]
    case = enter(step, clerk_a, CODE, intake)
    assert (
        step(clerk_a, lambda uow: pending(uow, case.id).proposal["members"][0].get("previous_address"))
        is None
    )

    approve(step, supervisor_a, case, CODE)
    data = issue_documents(step, clerk_a, case)
    assert data["registration"]["documents"] == ["residence_card_endorsement"]
    atena = registered_atena(data)

    person = step(clerk_a, resident, atena)
    assert (person.resident_kind, person.status, person.residence_card_number) == (
        "foreign",
        "resident",
        card,
    )
    assert person.previous_address is None and person.landing_permit_move_in is True
    assert person.foreign_resident_date.isoformat() == intake["change_date"]
    assert person.became_resident_date == person.address_set_date == person.foreign_resident_date
    rows = step(clerk_a, history, atena)
    assert [(r.change_reason, r.status, r.case_id) for r in rows] == [
        ("move_in_from_abroad", "resident", case.id)
    ]

    notices = step(clerk_a, outbox, case.id)
    assert [(d, k) for d, k, _ in notices] == [
        ("cs", "identity_change"),
        ("immigration", "municipality_notice"),
    ]
    immigration = notices[1][2]
    assert immigration["category"] == "住基法・入管法" and immigration["residence_card_number"] == card
    assert immigration["atena_number"] == atena and immigration["address"] == "神奈川県横浜市中区山下町10番地"
    assert "my_number" not in notices[0][2]
    assert step(clerk_a, access_functions, atena) == [
        "household_registered",
        "change_registered",
        "change_approved",
    ]


def test_rejected_arrival_returns_to_intake_then_the_corrected_one_is_registered(
    step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    intake = arrival_intake()
    case = enter(step, clerk_a, CODE, intake)
    reject(step, supervisor_a, case, CODE, "国籍の記載誤り")
    assert step(clerk_a, outbox, case.id) == []
    intake["members"][0]["nationality"] = "カナダ"
    resubmit(step, clerk_a, case, CODE, intake)
    approve(step, supervisor_a, case, CODE)
    atena = registered_atena(issue_documents(step, clerk_a, case))
    assert step(clerk_a, resident, atena).nationality == "カナダ"
    assert [r.change_reason for r in step(clerk_a, history, atena)] == ["move_in_from_abroad"]
    assert step(clerk_a, case_log, case.case_number) == [
        "change_entered", "change_rejected", "change_entered", "change_registered", "change_approved",
    ]  # fmt: skip


def test_blank_status_items_are_alerts_that_must_be_acknowledged(
    step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    intake = arrival_intake(period_of_stay="", stay_expiry_date="")
    case = enter(step, clerk_a, CODE, intake)
    with pytest.raises(Exception) as refused:
        approve(step, supervisor_a, case, CODE)
    assert "確認されていません" in str(refused.value)
    approve(step, supervisor_a, case, CODE, ("blank_item",))
    atena = registered_atena(issue_documents(step, clerk_a, case))
    acks = step(clerk_a, lambda uow: pending(uow, case.id).acknowledgements)
    assert [a["field"] for a in acks] == ["members[0].period_of_stay", "members[0].stay_expiry_date"]
    assert all(a["by_login"] == supervisor_a.login_id for a in acks)
    assert step(clerk_a, resident, atena).period_of_stay is None


@pytest.mark.req("j870")
@pytest.mark.parametrize("code", [CODE, "foreign_status_acquired_30_47"])
def test_a_first_arrival_without_a_resident_code_takes_one_from_the_pool_and_gets_its_notice(
    step: Step, clerk_a: Actor, supervisor_a: Actor, code: str
) -> None:
    free = fill_pool(step, supervisor_a, 101)  # above the municipality's alert threshold (100)
    case = enter(step, clerk_a, code, arrival_intake(resident_code=""))
    approve(step, supervisor_a, case, code)
    data = issue_documents(step, clerk_a, case)
    assert data["registration"]["documents"] == ["residence_card_endorsement", "resident_code_notice"]
    assert step(clerk_a, resident, registered_atena(data)).resident_code in free
