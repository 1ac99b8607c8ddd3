"""Every path through workflows/move_within.bpmn (転居, j630, j490, j530), on the real file."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from handlers.clock import japan_today
from handlers.context import Actor
from handlers.errors import ValidationError
from tests.factories import default_address, make_household
from tests.workflows.conftest import Step
from tests.workflows.household_steps import (
    access_functions,
    approve,
    enter,
    history,
    history_rows,
    household,
    issue_documents,
    members,
    open_task,
    outbox,
    pending,
    reject,
    resident,
    resubmit,
)

pytestmark = pytest.mark.req("j630", "j530", "j540")
TODAY = japan_today()
NEW = {"address": "神奈川県横浜市中区山下町2番地", "postal_code": "231-0023"}


def intake(numbers: list[str], days_ago: int = 3, **extra: Any) -> dict[str, Any]:
    return {
        "atena_numbers": numbers,
        "change_date": (TODAY - dt.timedelta(days=days_ago)).isoformat(),
        "notified_date": TODAY.isoformat(),
        "address": dict(NEW),
        **extra,
    }


def test_whole_household_move_keeps_its_number_and_notifies_cs_per_person(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    numbers = [m.atena_number for m in home.members]
    case = enter(step, clerk_a, "move_within", intake(numbers))
    assert step(clerk_a, lambda uow: household(uow, home.household_number).address) == home.address  # j530

    approve(step, supervisor_a, case, "move_within")
    assert issue_documents(step, clerk_a, case) == []
    moved = step(clerk_a, lambda uow: household(uow, home.household_number))
    assert moved.address == NEW["address"] and moved.postal_code == "2310023"
    for number in numbers:
        assert step(clerk_a, history, number)[-1] == (2, "move_within", home.household_number, "resident")
        person = step(clerk_a, resident, number)
        assert person.address_set_date == TODAY - dt.timedelta(days=3)  # 住所を定めた年月日 = 異動日
        assert step(clerk_a, history_rows, number)[-1].case_id == case.id
    sent = step(clerk_a, outbox, case.id)
    assert [(d, k, p["atena_number"], p["change"]) for d, k, p in sent] == [
        ("cs", "identity_change", n, "address") for n in numbers
    ]
    assert {"change_entered", "change_approved", "change_registered"} <= set(
        step(clerk_a, access_functions, numbers[0])
    )


def test_rejected_move_returns_to_intake_and_the_corrected_part_move_forms_a_new_household(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    taro, hanako, ichiro = (m.atena_number for m in home.members)
    first = intake(
        [ichiro], destination={"kind": "new", "relations": {ichiro: "世帯主"}}, address={"address": "横浜市"}
    )
    case = enter(step, clerk_a, "move_within", first)
    reject(step, supervisor_a, case, "move_within", "住所の番地が届書と違う")
    assert step(clerk_a, lambda uow: pending(uow, case.id).status) == "rejected"
    open_task(step, clerk_a, case.id, "intake_move_within")
    assert step(clerk_a, history, ichiro)[-1][1] == "domestic_move_in"  # untouched

    resubmit(step, clerk_a, case, "move_within", {**first, "address": dict(NEW)})
    approve(step, supervisor_a, case, "move_within")
    issue_documents(step, clerk_a, case)
    new_number = step(clerk_a, lambda uow: resident(uow, ichiro).household.household_number)
    assert new_number != home.household_number
    assert step(clerk_a, members, new_number) == [("一郎", "世帯主")]
    assert step(clerk_a, members, home.household_number) == [("太郎", "世帯主"), ("花子", "妻")]
    assert step(clerk_a, history, ichiro)[-1] == (2, "move_within", new_number, "resident")
    assert len(step(clerk_a, history, taro)) == 1  # those who stay get no row


def test_head_leaving_two_behind_needs_the_alert_acknowledged_and_leaves_the_head_unset(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    taro = home.members[0].atena_number
    case = enter(
        step,
        clerk_a,
        "move_within",
        intake([taro], destination={"kind": "new", "relations": {taro: "世帯主"}}),
    )
    assert step(clerk_a, lambda uow: [a["code"] for a in pending(uow, case.id).alerts]) == ["head_leaving"]
    with pytest.raises(ValidationError) as refused:
        approve(step, supervisor_a, case, "move_within")
    assert refused.value.problems[0].code == "alert_not_acknowledged"

    approve(step, supervisor_a, case, "move_within", ("head_leaving",))
    acks = step(clerk_a, lambda uow: pending(uow, case.id).acknowledgements)
    assert [(a["code"], a["by_login"]) for a in acks] == [("head_leaving", supervisor_a.login_id)]
    assert issue_documents(step, clerk_a, case) == ["head_change_request_notice"]
    assert step(clerk_a, lambda uow: household(uow, home.household_number).head_resident_id) is None  # j100


@pytest.mark.req("j140")
def test_head_leaving_one_member_behind_makes_that_member_head_ex_officio(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    taro, hanako, ichiro = (m.atena_number for m in home.members)
    relations = {taro: "世帯主", ichiro: "子"}
    case = enter(
        step,
        clerk_a,
        "move_within",
        intake([taro, ichiro], destination={"kind": "new", "relations": relations}),
    )
    approve(step, supervisor_a, case, "move_within")
    assert issue_documents(step, clerk_a, case) == ["head_change_notice"]
    assert step(clerk_a, members, home.household_number) == [("花子", "世帯主")]
    rows = step(clerk_a, history_rows, hanako)
    assert (rows[-1].change_reason, rows[-1].note) == ("head_change", "世帯主の異動により職権で世帯主とした")


def test_late_move_alert_acknowledged_then_joining_a_household_at_the_new_address(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    there = make_household(db, clerk_a, household=default_address(address=NEW["address"]))
    ichiro = home.members[2].atena_number
    join = {"kind": "existing", "household_number": there.household_number, "relations": {ichiro: "同居人"}}
    case = enter(step, clerk_a, "move_within", intake([ichiro], days_ago=30, destination=join))
    approve(step, supervisor_a, case, "move_within", ("late_notification",))
    issue_documents(step, clerk_a, case)
    assert ("一郎", "同居人") in step(clerk_a, members, there.household_number)
    assert step(clerk_a, history, ichiro)[-1] == (2, "move_within", there.household_number, "resident")


def test_an_inter_ward_move_in_a_designated_city_renumbers_the_household_but_not_the_persons(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a, household=default_address(ward_code="141011"))
    numbers = [m.atena_number for m in home.members]
    case = enter(step, clerk_a, "move_within", intake(numbers, address={**NEW, "ward_code": "141046"}))
    approve(step, supervisor_a, case, "move_within")
    issue_documents(step, clerk_a, case)
    new_number = step(clerk_a, lambda uow: resident(uow, numbers[0]).household.household_number)
    assert new_number != home.household_number
    assert step(clerk_a, members, new_number) == [("太郎", "世帯主"), ("花子", "妻"), ("一郎", "子")]
    assert step(clerk_a, lambda uow: household(uow, new_number).ward_code) == "141046"
    assert step(clerk_a, lambda uow: household(uow, home.household_number).status) == "dissolved"
    assert [step(clerk_a, resident, n).atena_number for n in numbers] == numbers
