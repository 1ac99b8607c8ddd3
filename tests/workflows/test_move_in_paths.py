"""Every path through the real workflows/move_in.bpmn, each step in its own unit of work."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from handlers.context import Actor
from handlers.uow import UnitOfWork
from models.case import Case, CaseEvent, CaseTask, PendingTimer, WorkflowState
from tests.workflows.conftest import RecordingOperators, Step, read_counter
from workflows.engine import runner

pytestmark = pytest.mark.req("j530", "j540")


def case_tasks(uow: UnitOfWork, case_id: int) -> list[CaseTask]:
    return list(
        uow.session.scalars(select(CaseTask).where(CaseTask.case_id == case_id).order_by(CaseTask.id))
    )


def open_task(step: Step, actor: Actor, case_id: int, bpmn_id: str) -> CaseTask:
    tasks = [t for t in step(actor, runner.ready_tasks) if t.case_id == case_id and t.bpmn_id == bpmn_id]
    assert len(tasks) == 1, f"expected one open {bpmn_id}, got {tasks}"
    return tasks[0]


def work(step: Step, actor: Actor, case_id: int, bpmn_id: str, data: dict[str, Any]) -> CaseTask:
    task = open_task(step, actor, case_id, bpmn_id)
    step(actor, runner.claim_task, task.id)
    return step(actor, runner.complete_task, task.id, data)


def get_case(step: Step, actor: Actor, case_id: int) -> Case:
    return step(actor, lambda uow: uow.session.get(Case, case_id))


def timeline(step: Step, actor: Actor, case_id: int) -> list[str]:
    stmt = select(CaseEvent.kind).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    return step(actor, lambda uow: list(uow.session.scalars(stmt)))


def start(step: Step, clerk: Actor) -> Case:
    return step(clerk, runner.start_case, "move_in", data={"applicant": "山田 太郎"}, subjects=["0000000019"])


def test_approved_move_in_runs_intake_review_registration_and_documents(
    step: Step, clerk_a: Actor, supervisor_a: Actor, operators: RecordingOperators
) -> None:
    case = start(step, clerk_a)
    assert case.status == "running" and case.case_number.endswith("-000001")
    intake = open_task(step, clerk_a, case.id, "intake_move_in")
    assert (intake.role, intake.lane, intake.form_key, intake.name) == (
        "clerk",
        "窓口",
        "move_in_intake",
        "転入届の入力",
    )

    work(step, clerk_a, case.id, "intake_move_in", {"address": "横浜市中区1-1"})
    review = open_task(step, supervisor_a, case.id, "review_move_in")
    assert review.role == "supervisor"
    assert step(clerk_a, read_counter, "move_in.record_provisional") == 1
    assert step(clerk_a, read_counter, "move_in.register") == 0  # provisional only until approval (j530)

    work(step, supervisor_a, case.id, "review_move_in", {"approved": True})
    assert step(clerk_a, read_counter, "move_in.register") == 1
    assert step(clerk_a, read_counter, "move_in.queue_notices") == 1
    data = step(clerk_a, runner.task_data, open_task(step, clerk_a, case.id, "issue_documents").id)
    assert data["registration"]["operator"] == "move_in.register"
    assert data["registration"]["case_number"] == case.case_number

    work(step, clerk_a, case.id, "issue_documents", {"issued": ["住民票の写し"]})
    done = get_case(step, clerk_a, case.id)
    assert done.status == "completed" and done.completed_at is not None
    assert step(clerk_a, runner.ready_tasks) == []
    assert step(clerk_a, lambda uow: uow.session.scalars(select(PendingTimer)).all()) == []
    assert timeline(step, clerk_a, case.id) == [
        "started", "task_claimed", "task_completed", "task_claimed", "task_completed",
        "task_claimed", "task_completed", "completed",
    ]  # fmt: skip


def test_rejected_review_returns_to_intake_with_the_reason_then_approval_completes(
    step: Step, clerk_a: Actor, supervisor_a: Actor, operators: RecordingOperators
) -> None:
    case = start(step, clerk_a)
    work(step, clerk_a, case.id, "intake_move_in", {"address": "横浜市中区1-1"})
    work(
        step,
        supervisor_a,
        case.id,
        "review_move_in",
        {"approved": False, "rejection_reason": "方書の記載漏れ"},
    )

    again = open_task(step, clerk_a, case.id, "intake_move_in")
    assert step(clerk_a, runner.task_data, again.id)["rejection_reason"] == "方書の記載漏れ"
    assert step(clerk_a, read_counter, "move_in.register") == 0
    work(step, clerk_a, case.id, "intake_move_in", {"address": "横浜市中区1-1 101号"})
    assert step(clerk_a, read_counter, "move_in.record_provisional") == 2
    work(step, supervisor_a, case.id, "review_move_in", {"approved": True})
    work(step, clerk_a, case.id, "issue_documents", {})
    assert get_case(step, clerk_a, case.id).status == "completed"
    rows = step(clerk_a, case_tasks, case.id)
    assert [(r.bpmn_id, r.state) for r in rows] == [
        ("intake_move_in", "completed"), ("review_move_in", "completed"), ("intake_move_in", "completed"),
        ("review_move_in", "completed"), ("issue_documents", "completed"),
    ]  # fmt: skip
    assert rows[1].data == {"approved": False, "rejection_reason": "方書の記載漏れ"}


def test_cancelled_case_closes_its_tasks_and_timers(
    step: Step, clerk_a: Actor, supervisor_a: Actor, operators: RecordingOperators
) -> None:
    case = start(step, clerk_a)
    work(step, clerk_a, case.id, "intake_move_in", {})
    assert step(clerk_a, lambda uow: len(uow.session.scalars(select(PendingTimer)).all())) == 1

    cancelled = step(supervisor_a, runner.cancel_case, case.id, "届出人の申出により取下げ")
    assert cancelled.status == "cancelled" and cancelled.cancel_reason == "届出人の申出により取下げ"
    assert [r.state for r in step(clerk_a, case_tasks, case.id)] == ["completed", "cancelled"]
    assert step(clerk_a, lambda uow: uow.session.scalars(select(PendingTimer)).all()) == []
    assert timeline(step, clerk_a, case.id)[-1] == "cancelled"
    assert step(clerk_a, read_counter, "move_in.register") == 0


def test_workflow_state_is_stored_without_the_spec(
    step: Step, clerk_a: Actor, operators: RecordingOperators
) -> None:
    case = start(step, clerk_a)
    state = step(clerk_a, lambda uow: uow.session.get(WorkflowState, case.id))
    assert '"spec"' not in state.state_json and "bpmn_name" not in state.state_json
    assert len(state.state_json) < 8_000
    assert state.serializer_version == "1.5"


def test_review_deadline_timer_fires_an_escalation_without_cancelling_the_review(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor, operators: RecordingOperators
) -> None:
    case = start(step, clerk_a)
    work(step, clerk_a, case.id, "intake_move_in", {})
    timer = step(clerk_a, lambda uow: uow.session.scalars(select(PendingTimer)).one())
    now = dt.datetime.now(dt.UTC)
    fire_at = (
        timer.fire_at if timer.fire_at.tzinfo else timer.fire_at.replace(tzinfo=dt.UTC)
    )  # SQLite: naive UTC
    assert dt.timedelta(days=2, hours=23) < fire_at - now <= dt.timedelta(days=3)

    factory = runner.system_uow_factory(db)
    assert runner.fire_due_timers(factory, now) == 0
    assert runner.fire_due_timers(factory, now + dt.timedelta(days=4)) == 1
    assert runner.fire_due_timers(factory, now + dt.timedelta(days=4)) == 0  # fired once only

    escalation = open_task(step, supervisor_a, case.id, "escalate_review")
    assert (escalation.role, escalation.name) == ("supervisor", "審査遅延の確認")
    open_task(step, supervisor_a, case.id, "review_move_in")  # still open
    assert "timer_fired" in timeline(step, clerk_a, case.id)

    work(step, supervisor_a, case.id, "escalate_review", {})
    work(step, supervisor_a, case.id, "review_move_in", {"approved": True})
    fired = step(clerk_a, lambda uow: [t.fired for t in uow.session.scalars(select(PendingTimer))])
    assert fired == [True]  # the fired timer's row stays; nothing else waits
    work(step, clerk_a, case.id, "issue_documents", {})
    assert get_case(step, clerk_a, case.id).status == "completed"
