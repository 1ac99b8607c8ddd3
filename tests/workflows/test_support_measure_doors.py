"""Support measures at the change doors (j410, j440): a protected person's 転出 switches their measure to
provisional protection as the former-address municipality at 本登録 (no gap); an error-level 異動入力
suppression refuses the intake (logged); an alert-level one, or a protected person, must be acknowledged at
review."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

import models
from handlers.cases import doors
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.errors import ValidationError
from handlers.support_measures import create_support_measure
from handlers.suppression import DisclosureRequest, Identity, Requester, check_disclosure
from handlers.suppression_controls import set_suppression
from handlers.uow import UnitOfWork
from tests.factories import actor_for, make_household
from tests.workflows.conftest import Step
from tests.workflows.household_steps import access_functions, approve, enter

TODAY = japan_today()


@pytest.fixture
def officer_a(users_a: dict[str, models.User]) -> Actor:
    return actor_for(users_a["support_officer"])


def move_out(numbers: list[str]) -> dict[str, Any]:
    return {
        "atena_numbers": numbers,
        "change_date": (TODAY + dt.timedelta(days=10)).isoformat(),
        "notified_date": TODAY.isoformat(),
        "destination": {"municipality_code": "202177", "address": "中込1番地"},
    }


def protect(uow: UnitOfWork, atena_number: str) -> int:
    measure = create_support_measure(
        uow, applicant={"name": "山田 花子", "atena_number": atena_number}, co_applicants=[],
        perpetrators=[{"name": "加害 太郎"}], protected_services=["certificate"], protected_addresses=["current"],
        request_date=TODAY, victim_kind="dv",
    )  # fmt: skip
    return measure.id


def measure_of(uow: UnitOfWork, measure_id: int) -> models.SupportMeasure:
    found = uow.session.get(models.SupportMeasure, measure_id)
    assert found is not None
    return found


def certificate_outcome(uow: UnitOfWork, atena_number: str) -> str:
    request = DisclosureRequest(
        Requester("self", Identity(atena_number=atena_number)), (atena_number,), "certificate"
    )
    return check_disclosure(uow, request).outcome


def cases(uow: UnitOfWork) -> list[models.Case]:
    return list(uow.session.scalars(select(models.Case)))


def suppress(step: Step, officer: Actor, level: str, **target: str) -> None:
    step(officer, set_suppression, process="change_input", level=level, start_date=dt.date(2024, 1, 1),
         reason="関係機関からの依頼", **target)  # fmt: skip


@pytest.mark.req("j440", "j640")
def test_a_protected_persons_move_out_switches_to_former_address_protection_without_a_gap(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor, officer_a: Actor, city_a: models.Municipality
) -> None:
    home = make_household(db, clerk_a)
    mover = home.members[1].atena_number
    measure_id = step(officer_a, protect, mover)
    case = enter(step, clerk_a, "move_out", move_out([mover]))
    with pytest.raises(ValidationError) as unacknowledged:
        approve(step, supervisor_a, case, "move_out")
    assert [p.code for p in unacknowledged.value.problems] == ["alert_not_acknowledged"]
    approve(step, supervisor_a, case, "move_out", ("protected_subject",))
    measure = step(officer_a, measure_of, measure_id)
    assert (measure.status, measure.provisional, measure.provisional_start_date) == (
        "provisional",
        True,
        TODAY,
    )
    assert (measure.originating_municipality, measure.forwarded_to_municipality) == (city_a.code, "202177")
    assert "support_measure_switched" in step(officer_a, access_functions, mover)
    assert step(clerk_a, certificate_outcome, mover) == "needs_release", "still protected during the move"


@pytest.mark.req("j440", "j640")
def test_a_move_out_of_unprotected_persons_switches_nothing(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor, officer_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    protected, mover = home.members[1].atena_number, home.members[2].atena_number
    measure_id = step(officer_a, protect, protected)
    case = enter(step, clerk_a, "move_out", move_out([mover]))
    approve(step, supervisor_a, case, "move_out")
    measure = step(officer_a, measure_of, measure_id)
    assert (measure.forwarded_to_municipality, measure.originating_municipality) == (None, None)


@pytest.mark.req("j410")
@pytest.mark.parametrize("target", ["person", "household"])
def test_an_error_level_change_input_suppression_refuses_the_intake_in_japanese(
    db: Any, step: Step, clerk_a: Actor, officer_a: Actor, target: str
) -> None:
    home = make_household(db, clerk_a)
    mover = home.members[0].atena_number
    if target == "person":
        suppress(step, officer_a, "error", atena_number=mover)
    else:
        suppress(step, officer_a, "error", household_number=home.household_number)
    with pytest.raises(ValidationError) as refused:
        step(clerk_a, doors.open_case, "move_out", move_out([mover]))
    [problem] = refused.value.problems
    assert problem.code == "change_input_suppressed" and "異動入力の抑止" in problem.reason
    assert step(clerk_a, cases) == []
    assert "disclosure_decided" in step(officer_a, access_functions, mover), "the refusal is logged"


@pytest.mark.req("j410")
def test_an_alert_level_change_input_suppression_must_be_acknowledged_at_review(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor, officer_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    mover = home.members[2].atena_number
    suppress(step, officer_a, "alert", atena_number=mover)
    case = enter(step, clerk_a, "move_out", move_out([mover]))
    with pytest.raises(ValidationError) as unacknowledged:
        approve(step, supervisor_a, case, "move_out")
    assert [p.code for p in unacknowledged.value.problems] == ["alert_not_acknowledged"]
    assert "抑止" in unacknowledged.value.problems[0].reason
    done = approve(step, supervisor_a, case, "move_out", ("suppression_alert",))
    assert done.status in ("waiting", "completed", "running")
