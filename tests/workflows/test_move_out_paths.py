"""Every path through workflows/move_out.bpmn (転出, j640–j670, j490, j50), on the real file."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask

from handlers.clock import japan_today
from handlers.context import Actor
from handlers.errors import ValidationError
from models.tenant import Municipality
from tests.factories import make_household
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
    outbox,
    pending,
    reject,
    resident,
    resubmit,
)

pytestmark = pytest.mark.req("j640", "j530", "j540")
TODAY = japan_today()


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def intake(numbers: list[str], offset: int = 10, **extra: Any) -> dict[str, Any]:
    return {
        "atena_numbers": numbers,
        "change_date": day(offset),
        "notified_date": TODAY.isoformat(),
        "destination": {"municipality_code": "202177", "address": "中込1番地"},
        **extra,
    }


@pytest.mark.req("j660", "j50")
def test_planned_whole_household_move_out_issues_the_certificate_and_the_batch_removes_on_the_date(
    db: Any, app: Flask, step: Step, clerk_a: Actor, supervisor_a: Actor, city_a: Municipality
) -> None:
    home = make_household(db, clerk_a)
    numbers = [m.atena_number for m in home.members]
    case = enter(step, clerk_a, "move_out", intake(numbers))
    assert step(clerk_a, resident, numbers[0]).status == "resident"  # provisional only (j530)

    approve(step, supervisor_a, case, "move_out")
    assert issue_documents(step, clerk_a, case) == ["move_out_certificate"]
    person = step(clerk_a, resident, numbers[0])
    assert (person.status, person.move_out_planned_date) == ("moving_out", TODAY + dt.timedelta(days=10))
    assert person.destination_planned_address == "長野県佐久市中込1番地"
    assert person.destination_planned_code == "202177" and person.removal_date is None
    assert step(clerk_a, history, numbers[0])[-1] == (
        2,
        "domestic_move_out",
        home.household_number,
        "moving_out",
    )
    sent = step(clerk_a, outbox, case.id)
    assert [(d, k, p["change"]) for d, k, p in sent] == [("cs", "identity_change", "move_out")] * 3

    cli = app.test_cli_runner()
    early = cli.invoke(args=["batch", "move-outs", "--tenant", city_a.code, "--today", day(9)])
    assert "除票 0 件" in early.output, early.output
    due = cli.invoke(args=["batch", "move-outs", "--tenant", city_a.code, "--today", day(10)])
    assert "除票 3 件" in due.output, due.output
    gone = step(clerk_a, resident, numbers[0])
    assert (gone.status, gone.removal_reason, gone.removal_date) == (
        "removed",
        "domestic_move_out",
        TODAY + dt.timedelta(days=10),
    )
    assert step(clerk_a, history, numbers[0])[-1] == (
        3,
        "domestic_move_out",
        home.household_number,
        "removed",
    )
    assert step(clerk_a, lambda uow: household(uow, home.household_number).status) == "dissolved"
    assert {"change_registered", "resident_removed"} <= set(step(clerk_a, access_functions, numbers[0]))


@pytest.mark.req("j670")
def test_rejected_move_out_is_corrected_to_a_special_move_out_with_certificate_info_for_cs(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    ichiro = home.members[2].atena_number
    case = enter(step, clerk_a, "move_out", intake([ichiro]))
    reject(step, supervisor_a, case, "move_out", "特例転出の届出だった")
    assert step(clerk_a, lambda uow: pending(uow, case.id).status) == "rejected"
    assert step(clerk_a, resident, ichiro).status == "resident"

    resubmit(step, clerk_a, case, "move_out", intake([ichiro], special_move_out=True))
    approve(step, supervisor_a, case, "move_out")
    assert issue_documents(step, clerk_a, case) == []  # no 転出証明書 (j670)
    sent = step(clerk_a, outbox, case.id)
    assert [(d, k) for d, k, _ in sent] == [("cs", "identity_change"), ("cs", "move_out_certificate_info")]
    info = sent[1][2]
    assert info["atena_number"] == ichiro and info["move_out_planned_date"] == day(10)
    assert info["destination_planned_code"] == "202177" and info["resident_code"]
    assert step(clerk_a, members, home.household_number) == [
        ("太郎", "世帯主"),
        ("花子", "妻"),
        ("一郎", "子"),
    ]


@pytest.mark.req("j660")
def test_a_move_out_notified_20_days_late_is_ex_officio_removed_at_once_with_the_equivalent_certificate(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    ichiro = home.members[2].atena_number
    case = enter(step, clerk_a, "move_out", intake([ichiro], offset=-20))
    with pytest.raises(ValidationError):
        approve(step, supervisor_a, case, "move_out")
    approve(step, supervisor_a, case, "move_out", ("ex_officio_move_out",))
    assert issue_documents(step, clerk_a, case) == ["move_out_certificate_equivalent"]
    person = step(clerk_a, resident, ichiro)
    assert (person.status, person.removal_date) == ("removed", TODAY - dt.timedelta(days=20))
    rows = step(clerk_a, history_rows, ichiro)
    assert [(r.change_reason, r.status) for r in rows[1:]] == [
        ("domestic_move_out", "moving_out"),
        ("domestic_move_out", "removed"),
    ]
    assert rows[1].note.startswith("職権記載") and rows[1].notified_date is None
    summary = step(clerk_a, lambda uow: pending(uow, case.id).result["summary"])
    assert summary["ex_officio"] is True and summary["removed_now"] is True


@pytest.mark.req("j490", "j500")
def test_head_leaving_two_behind_alert_acknowledged_leaves_the_head_unset_on_the_date(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    taro = home.members[0].atena_number
    case = enter(step, clerk_a, "move_out", intake([taro], offset=0))
    approve(step, supervisor_a, case, "move_out", ("head_leaving",))
    assert issue_documents(step, clerk_a, case) == ["move_out_certificate", "head_change_request_notice"]
    assert step(clerk_a, resident, taro).status == "removed"
    assert step(clerk_a, lambda uow: household(uow, home.household_number).head_resident_id) is None


@pytest.mark.req("j490", "j500", "j650")
def test_head_moving_abroad_with_one_member_left_makes_that_member_head_ex_officio(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    taro, hanako, ichiro = (m.atena_number for m in home.members)
    abroad = {"abroad": True, "country": "アメリカ合衆国", "address": "1 Main St, Boston"}
    case = enter(step, clerk_a, "move_out", intake([taro, ichiro], offset=-1, destination=abroad))
    approve(step, supervisor_a, case, "move_out")
    assert issue_documents(step, clerk_a, case) == ["move_out_certificate", "head_change_notice"]
    assert step(clerk_a, resident, taro).removal_reason == "move_out_abroad"
    assert step(clerk_a, members, home.household_number) == [("花子", "世帯主")]
    assert step(clerk_a, history, hanako)[-1][1] == "head_change"
