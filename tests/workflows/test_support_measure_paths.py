"""Every path through the real workflows/support_measure.bpmn (j160, j440, j420), each step in its own unit of
work: provisional protection from intake, approval with the default period, refusal ending the protection."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.errors import PermissionDeniedError, ValidationError
from handlers.outbox_sequence import next_outbox_seq
from handlers.support_measure_flow import complete_support_task, open_support_measure_case
from handlers.suppression import DisclosureRequest, Identity, Requester, check_disclosure
from handlers.uow import UnitOfWork
from tests import factories
from tests.workflows.conftest import Step
from workflows.engine import runner

pytestmark = pytest.mark.req("j160", "j440")


@pytest.fixture
def officer_a(users_a: dict[str, models.User]) -> Actor:
    return factories.actor_for(users_a["support_officer"])


@pytest.fixture
def victim(setup_session: Session, city_a: models.Municipality) -> models.Resident:
    household = factories.make_household_row(setup_session, city_a, number=501)
    resident = factories.make_resident_row(setup_session, household, number=501, given_name="花子")
    setup_session.flush()
    return resident


def support_request(victim: models.Resident) -> dict[str, Any]:
    return {
        "applicant": {"name": "山田 花子", "atena_number": victim.atena_number, "birth_date": "1980-01-01"},
        "co_applicants": [],
        "perpetrators": [{"name": "佐藤 次郎", "name_kana": "サトウ ジロウ", "birth_date": "1978-03-03"}],
        "protected_services": ["inspection", "certificate"],
        "protected_addresses": ["current"],
        "request_date": dt.date(2026, 4, 1),
        "victim_kind": "dv",
    }


def outcome_for(uow: UnitOfWork, victim: models.Resident) -> str:
    request = DisclosureRequest(
        Requester("third_party", Identity(name="第三 者")), (victim.atena_number,), "certificate"
    )
    return check_disclosure(uow, request).outcome


def task_of(step: Step, actor: Actor, case_id: int, bpmn_id: str) -> models.CaseTask:
    (task,) = [t for t in step(actor, runner.ready_tasks) if t.case_id == case_id and t.bpmn_id == bpmn_id]
    return task


def work(step: Step, actor: Actor, case_id: int, bpmn_id: str, data: dict[str, Any]) -> models.CaseTask:
    task = task_of(step, actor, case_id, bpmn_id)
    step(actor, runner.claim_task, task.id)
    return step(actor, complete_support_task, task.id, data)


def measure_of(step: Step, actor: Actor) -> models.SupportMeasure:
    return step(actor, lambda uow: uow.session.scalars(select(models.SupportMeasure)).one())


def notices(step: Step, actor: Actor) -> list[tuple[str, str]]:
    rows = step(
        actor,
        lambda uow: uow.session.scalars(select(models.OutboxMessage).order_by(models.OutboxMessage.id)).all(),
    )
    return [(m.kind, m.destination) for m in rows]


def confirm(step: Step, officer: Actor, case_id: int) -> None:
    work(
        step,
        officer,
        case_id,
        "confirm_support_need",
        {"opinion_source": "警察署", "opinion_text": "DV相談あり"},
    )


def test_intake_protects_at_once_and_approval_puts_the_measure_in_force_for_a_year(
    step: Step, officer_a: Actor, clerk_a: Actor, victim: models.Resident
) -> None:
    case = step(officer_a, open_support_measure_case, support_request(victim))
    assert case.status == "running" and case.subject_atena_numbers == [victim.atena_number]
    measure = measure_of(step, officer_a)
    assert (measure.status, measure.provisional) == ("provisional", True)
    assert step(clerk_a, outcome_for, victim) == "needs_release", "provisional protection from intake (j440)"
    assert notices(step, officer_a) == [
        ("support_measure_provisional", d) for d in ("cs", "kiosk", "addressee")
    ]

    task = task_of(step, officer_a, case.id, "confirm_support_need")
    assert (task.lane, task.role) == ("支援措置", "support_officer")
    with pytest.raises(PermissionDeniedError):
        step(clerk_a, runner.claim_task, task.id)
    confirm(step, officer_a, case.id)
    assert measure_of(step, officer_a).opinion_source == "警察署"

    work(step, officer_a, case.id, "decide_support_measure", {"approved": True, "start_date": "2026-04-10"})
    measure = measure_of(step, officer_a)
    assert (measure.status, measure.start_date, measure.end_date) == (
        "in_force", dt.date(2026, 4, 10), dt.date(2027, 4, 9),
    )  # fmt: skip
    assert step(officer_a, lambda uow: uow.session.get(models.Case, case.id)).status == "completed"
    assert step(clerk_a, outcome_for, victim) == "needs_release"
    assert notices(step, officer_a)[3:] == [
        ("support_measure_in_force", d) for d in ("cs", "kiosk", "addressee")
    ]


def test_an_edited_end_date_is_kept(step: Step, officer_a: Actor, victim: models.Resident) -> None:
    case = step(officer_a, open_support_measure_case, support_request(victim))
    confirm(step, officer_a, case.id)
    data = {"approved": True, "start_date": "2026-04-10", "end_date": "2026-12-31"}
    work(step, officer_a, case.id, "decide_support_measure", data)
    assert measure_of(step, officer_a).end_date == dt.date(2026, 12, 31)


def test_refusal_ends_the_provisional_protection_with_its_reason(
    step: Step, officer_a: Actor, clerk_a: Actor, victim: models.Resident
) -> None:
    case = step(officer_a, open_support_measure_case, support_request(victim))
    confirm(step, officer_a, case.id)
    decide = task_of(step, officer_a, case.id, "decide_support_measure")
    step(officer_a, runner.claim_task, decide.id)
    with pytest.raises(ValidationError) as caught:
        step(officer_a, complete_support_task, decide.id, {"approved": False})
    assert caught.value.problems[0].field == "refusal_reason"
    assert measure_of(step, officer_a).status == "provisional", "a refused step changes nothing"

    step(
        officer_a,
        complete_support_task,
        decide.id,
        {"approved": False, "refusal_reason": "必要性が確認できない"},
    )
    measure = measure_of(step, officer_a)
    assert (measure.status, measure.termination_reason) == ("terminated", "officer")
    assert step(clerk_a, outcome_for, victim) == "allow"
    assert notices(step, officer_a)[-3:] == [
        ("support_measure_terminated", d) for d in ("cs", "kiosk", "addressee")
    ]
    done = step(officer_a, lambda uow: uow.session.get(models.Case, case.id))
    assert done.status == "completed"


def test_a_clerk_cannot_open_a_case_and_bad_input_writes_nothing(
    step: Step, officer_a: Actor, clerk_a: Actor, victim: models.Resident
) -> None:
    with pytest.raises(PermissionDeniedError):
        step(clerk_a, open_support_measure_case, support_request(victim))
    bad = {**support_request(victim), "victim_kind": "unknown", "request_date": ""}
    with pytest.raises(ValidationError):
        step(officer_a, open_support_measure_case, bad)
    assert step(officer_a, lambda uow: uow.session.scalars(select(models.Case)).all()) == []
    assert step(officer_a, lambda uow: uow.session.scalars(select(models.SupportMeasure)).all()) == []


@pytest.mark.req("j410")
def test_the_measures_notices_take_their_numbers_from_each_destinations_one_counter(
    step: Step, officer_a: Actor, victim: models.Resident
) -> None:
    """A later notice to the same destination (a 転入's, a batch's) numbers on from them: the measure's rows once
    took max(seq) + 1 beside the counter, and the next 本登録 then failed on a duplicate sequence number."""
    step(officer_a, open_support_measure_case, support_request(victim))
    rows = step(officer_a, lambda uow: uow.session.scalars(select(models.OutboxMessage)).all())
    assert sorted((m.destination, m.seq) for m in rows) == [("addressee", 1), ("cs", 1), ("kiosk", 1)]
    assert step(officer_a, next_outbox_seq, "cs") == 2
