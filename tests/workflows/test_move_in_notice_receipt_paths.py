"""Every path through workflows/move_in_notice_receipt.bpmn (転入通知の受理, j680, j710), on the real file."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask

from handlers.clock import japan_today
from handlers.context import Actor
from handlers.residents.registration import remove_resident
from models.tenant import Municipality
from tests.handlers.test_change_move_in_notice_receipt import day, moved_out, notice
from tests.workflows.conftest import Step
from tests.workflows.household_steps import (
    access_functions,
    approve,
    case_status,
    enter,
    history_rows,
    open_task,
    outbox,
    pending,
    reject,
    resident,
    resubmit,
)

pytestmark = pytest.mark.req("j680", "j530", "j540")
CODE = "move_in_notice_receipt"
TODAY = japan_today()


def test_notice_before_the_planned_date_removes_the_record_on_the_earlier_confirmed_date(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    ichiro = moved_out(db, clerk_a, 10)["一郎"]
    case = enter(step, clerk_a, CODE, notice(ichiro, confirmed_move_out_date=day(-2)))
    assert step(clerk_a, resident, ichiro).move_in_notice_date is None  # provisional (j530)

    approve(step, supervisor_a, case, CODE)
    assert case_status(step, clerk_a, case.id) == "completed"
    person = step(clerk_a, resident, ichiro)
    assert (person.status, person.removal_date) == ("removed", TODAY - dt.timedelta(days=2))
    assert (person.move_in_notice_date, person.move_out_confirmed_date) == (
        TODAY,
        TODAY - dt.timedelta(days=2),
    )
    assert person.destination_confirmed_address == "長野県佐久市中込1番地"
    assert person.destination_planned_address == "長野県佐久市"  # kept beside the confirmed one
    assert person.move_out_planned_date == TODAY + dt.timedelta(days=10)
    last = step(clerk_a, history_rows, ichiro)[-1]
    assert (last.change_reason, last.status, last.effective_date) == (
        "domestic_move_out",
        "removed",
        TODAY - dt.timedelta(days=2),
    )
    assert last.case_id == case.id and last.note == "転入通知受理"
    assert step(clerk_a, outbox, case.id) == []
    assert {"move_in_notice_received", "change_registered"} <= set(step(clerk_a, access_functions, ichiro))


def test_rejected_notice_is_corrected_and_recorded_without_changing_the_removal_date(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    ichiro = moved_out(db, clerk_a, -5)["一郎"]  # already a 除票 on its planned date
    case = enter(step, clerk_a, CODE, notice(ichiro, confirmed_address="長野県佐久市"))
    reject(step, supervisor_a, case, CODE, "番地の入力漏れ")
    assert step(clerk_a, lambda uow: pending(uow, case.id).status) == "rejected"
    open_task(step, clerk_a, case.id, f"intake_{CODE}")

    resubmit(step, clerk_a, case, CODE, notice(ichiro, confirmed_move_out_date=day(-3)))
    approve(step, supervisor_a, case, CODE)
    person = step(clerk_a, resident, ichiro)
    assert person.removal_date == TODAY - dt.timedelta(days=5)  # the planned date was earlier
    assert person.move_out_confirmed_date == TODAY - dt.timedelta(days=3)
    rows = step(clerk_a, history_rows, ichiro)
    assert (rows[-1].change_reason, rows[-1].status, rows[-1].note) == (
        "domestic_move_out",
        "removed",
        "転入通知受理",
    )


def test_notice_for_an_ex_officio_removed_person_and_a_resent_notice_need_their_alerts(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    taro = moved_out(db, clerk_a, 5)["太郎"]
    step(clerk_a, remove_resident, taro, reason_code="ex_officio_removal", removal_date=day(-30))
    case = enter(step, clerk_a, CODE, notice(taro))
    approve(step, supervisor_a, case, CODE, ("no_move_out_here",))
    person = step(clerk_a, resident, taro)
    assert (person.removal_reason, person.removal_date, person.move_in_notice_date) == (
        "ex_officio_removal",
        TODAY - dt.timedelta(days=30),
        TODAY,
    )

    again = enter(step, clerk_a, CODE, notice(taro, confirmed_address="長野県佐久市中込2番地"))
    alerts = step(clerk_a, lambda uow: sorted(a["code"] for a in pending(uow, again.id).alerts))
    assert alerts == ["no_move_out_here", "notice_already_received"]
    approve(step, supervisor_a, again, CODE, tuple(alerts))
    assert step(clerk_a, resident, taro).destination_confirmed_address == "長野県佐久市中込2番地"
    assert step(clerk_a, history_rows, taro)[-1].change_reason == "ex_officio_removal"


@pytest.mark.req("j710")
def test_the_missing_notice_list_command_names_who_to_chase(
    db: Any, app: Flask, step: Step, clerk_a: Actor, city_a: Municipality
) -> None:
    ichiro = moved_out(db, clerk_a, -40)["一郎"]
    result = app.test_cli_runner().invoke(args=["batch", "missing-move-in-notices", "--tenant", city_a.code])
    assert ichiro in result.output and "転入通知未着 1 件" in result.output, result.output
    none = app.test_cli_runner().invoke(
        args=["batch", "missing-move-in-notices", "--tenant", city_a.code, "--after-days", "60"]
    )
    assert "転入通知未着 0 件" in none.output
