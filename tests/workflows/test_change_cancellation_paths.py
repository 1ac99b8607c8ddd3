"""Every path through workflows/change_cancellation.bpmn (異動の取消し j980, j990): 取消（増）, 取消（減） and
取消（修正）, each appending history and restoring the state before the cancelled change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from handlers.clock import japan_today
from handlers.context import Actor
from handlers.errors import ValidationError
from handlers.uow import UnitOfWork
from models.resident import Household
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

pytestmark = pytest.mark.req("j980")
CODE = "change_cancellation"
RECORD = "誤って登録した異動を取り消す"
TWO_DAYS_AGO = (japan_today() - dt.timedelta(days=2)).isoformat()


def cancel_intake(atena_number: str, history_no: int, **extra: Any) -> dict[str, Any]:
    return {"atena_number": atena_number, "history_no": history_no, "ex_officio_record": RECORD, **extra}


def run(step: Step, clerk: Actor, supervisor: Actor, code: str, intake: dict[str, Any]) -> int:
    case = enter(step, clerk, code, intake)
    approve(step, supervisor, case, code)
    issue_documents(step, clerk, case)
    return case.id


def die(step: Step, clerk: Actor, supervisor: Actor, atena_number: str) -> int:
    intake = {"atena_number": atena_number, "event_date": TWO_DAYS_AGO, "ex_officio_record": "死亡届"}
    return run(step, clerk, supervisor, "death", intake)


def household_of(uow: UnitOfWork, atena_number: str) -> tuple[str, str, str, str]:
    person = resident(uow, atena_number)
    home = person.household
    return home.household_number, home.status, home.address, person.relation_to_head


def frozen(rows: list[Any]) -> list[tuple[Any, ...]]:
    return [(r.id, r.history_no, r.change_reason, dict(r.snapshot), r.note, r.effective_date) for r in rows]


def test_cancelling_a_mistaken_death_restores_the_member_and_appends_history(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    child = home.members[2].atena_number
    die(step, clerk_a, supervisor_a, child)
    before = frozen(step(clerk_a, history, child))
    case = enter(step, clerk_a, CODE, cancel_intake(child, 2, notify_person=True))
    assert step(clerk_a, resident, child).status == "removed"  # provisional only (j530)
    approve(step, supervisor_a, case, CODE)
    data = issue_documents(step, clerk_a, case)
    assert data["registration"]["documents"] == ["ex_officio_notice"]

    person = step(clerk_a, resident, child)
    assert (person.status, person.removal_reason, person.removal_date) == ("resident", None, None)
    assert step(clerk_a, household_of, child) == (home.household_number, "active", home.address, "子")
    rows = step(clerk_a, history, child)
    assert frozen(rows[:2]) == before  # the cancelled change stays as it was
    assert [(r.change_reason, r.status, r.case_id) for r in rows][2] == (
        "cancellation_increase",
        "resident",
        case.id,
    )
    assert rows[2].effective_date == rows[1].effective_date and rows[2].change_date == japan_today()
    assert "履歴番号2の異動「死亡」を取り消した" in rows[2].note
    assert [(d, k, p["reason"]) for d, k, p in step(clerk_a, outbox, case.id)] == [
        ("cs", "identity_change", "cancellation_increase"),
        ("addressee", "identity_change", "cancellation_increase"),
    ]
    assert "change_cancelled" in step(clerk_a, access_functions, child)


def test_a_dissolved_household_is_recreated_with_a_new_number_on_request(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a, [japanese_member()])
    alone = home.members[0].atena_number
    die(step, clerk_a, supervisor_a, alone)
    assert step(clerk_a, household_of, alone)[1] == "dissolved"
    intake = cancel_intake(alone, 2, on_request=True, requested_date=TWO_DAYS_AGO)
    case = enter(step, clerk_a, CODE, intake)
    reject(step, supervisor_a, case, CODE, "申出書の確認")
    resubmit(step, clerk_a, case, CODE, intake)
    approve(step, supervisor_a, case, CODE)
    issue_documents(step, clerk_a, case)
    number, status, address, relation = step(clerk_a, household_of, alone)
    assert (status, address, relation) == (
        "active",
        home.address,
        "世帯主",
    ) and number != home.household_number
    row = step(clerk_a, history, alone)[-1]
    assert (row.change_reason, row.household_number, row.requested_date) == (
        "cancellation_increase",
        number,
        dt.date.fromisoformat(TWO_DAYS_AGO),
    )
    assert "申出による職権記載等" in row.note
    old = step(
        clerk_a,
        lambda uow: (
            uow.session.scalars(select(Household).where(Household.household_number == home.household_number))
            .one()
            .status
        ),
    )
    assert old == "dissolved"


@pytest.mark.req("j210")
def test_a_mistaken_whole_household_move_is_cancelled_as_an_amendment(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    numbers = [m.atena_number for m in home.members]
    move = {
        "atena_numbers": numbers,
        "change_date": TWO_DAYS_AGO,
        "notified_date": japan_today().isoformat(),
        "address": {"address": "神奈川県横浜市中区山下町2番地", "postal_code": "231-0023"},
    }
    run(step, clerk_a, supervisor_a, "move_within", move)
    case = enter(step, clerk_a, CODE, cancel_intake(numbers[0], 2, atena_numbers=numbers))
    approve(step, supervisor_a, case, CODE)
    issue_documents(step, clerk_a, case)
    for number, relation in zip(numbers, ("世帯主", "妻", "子"), strict=True):
        assert step(clerk_a, household_of, number) == (
            home.household_number,
            "active",
            home.address,
            relation,
        )
        rows = step(clerk_a, history, number)
        assert [r.change_reason for r in rows] == [
            "domestic_move_in",
            "move_within",
            "cancellation_amendment",
        ]
        assert rows[-1].snapshot["household_address"] == home.address
    assert len(step(clerk_a, outbox, case.id)) == 6


def test_a_member_moved_out_of_the_household_by_mistake_returns_to_it(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    taro, _hanako, ichiro = (m.atena_number for m in home.members)
    move = {
        "atena_numbers": [ichiro],
        "change_date": TWO_DAYS_AGO,
        "notified_date": japan_today().isoformat(),
        "address": {"address": "神奈川県横浜市中区山下町2番地", "postal_code": "231-0023"},
        "destination": {"kind": "new", "relations": {ichiro: "世帯主"}},
    }
    run(step, clerk_a, supervisor_a, "move_within", move)
    split_number = step(clerk_a, household_of, ichiro)[0]
    run(step, clerk_a, supervisor_a, CODE, cancel_intake(ichiro, 2))
    assert step(clerk_a, household_of, ichiro) == (home.household_number, "active", home.address, "子")
    assert step(clerk_a, lambda uow: resident(uow, taro).household.head.atena_number) == taro
    split = step(
        clerk_a,
        lambda uow: (
            uow.session.scalars(select(Household).where(Household.household_number == split_number))
            .one()
            .status
        ),
    )
    assert split == "dissolved"


def test_a_mistaken_move_in_is_cancelled_by_removing_the_whole_household(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    numbers = [m.atena_number for m in home.members]
    run(step, clerk_a, supervisor_a, CODE, cancel_intake(numbers[0], 1, atena_numbers=numbers[1:]))
    for number in numbers:
        person = step(clerk_a, resident, number)
        assert (person.status, person.removal_reason, person.removal_date) == (
            "removed",
            "cancellation_decrease",
            japan_today(),
        )
        rows = step(clerk_a, history, number)
        assert [(r.change_reason, r.status) for r in rows] == [
            ("domestic_move_in", "resident"),
            ("cancellation_decrease", "removed"),
        ]
    assert step(clerk_a, household_of, numbers[0])[1] == "dissolved"


@pytest.mark.req("j490")
def test_the_former_head_cannot_return_while_another_member_heads_the_household(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(
        db, clerk_a, [japanese_member(), japanese_member(given_name="花子", relation_to_head="妻", sex="2")]
    )
    head = home.members[0].atena_number
    die(step, clerk_a, supervisor_a, head)  # the one remaining member becomes head ex officio (j490)
    with pytest.raises(ValidationError) as refused:
        enter(step, clerk_a, CODE, cancel_intake(head, 2))
    assert [p.code for p in refused.value.problems] == ["duplicate_head"]
