"""Moving running cases to a new version: the dry run says who can move and why not, the job moves them with
progress, and a move can be reverted."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ConflictError
from handlers.flow_migration import (
    migration_progress,
    plan_migration,
    revert_migration,
    run_migration_job,
    start_migration_job,
)
from handlers.flows import deploy_flow
from models.case import Case, CaseEvent, ProcessDefinition, WorkflowState
from models.flow import CaseMigration
from tests.flows.conftest import RecordingOperators, Step, standard
from tests.workflows.test_move_in_paths import open_task, start, work

pytestmark = pytest.mark.req("j530")

MOVE_IN = standard("move_in")
# v2: a new step after the documents, and the intake task renamed.
V2 = (
    MOVE_IN.replace(
        '<bpmn:sequenceFlow id="flow_to_end" sourceRef="issue_documents" targetRef="end_move_in"/>',
        '<bpmn:sequenceFlow id="flow_to_end" sourceRef="issue_documents" targetRef="explain_rules"/>'
        '<bpmn:userTask id="explain_rules" name="ごみ出しの説明"/>'
        '<bpmn:sequenceFlow id="flow_explained" sourceRef="explain_rules" targetRef="end_move_in"/>',
    )
    .replace(
        "<bpmn:flowNodeRef>issue_documents</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>issue_documents</bpmn:flowNodeRef><bpmn:flowNodeRef>explain_rules</bpmn:flowNodeRef>",
    )
    .replace('name="転入届の入力"', 'name="転入届の入力（本人確認）"')
)


def at_review(step: Step, clerk: Actor) -> Case:
    case = start(step, clerk)
    work(step, clerk, case.id, "intake_move_in", {})
    return case


def case_row(step: Step, actor: Actor, case_id: int) -> Case:
    return step(actor, lambda uow: uow.session.get(Case, case_id))


def test_dry_run_lists_movable_cases_and_why_the_others_cannot_move(
    step: Step, clerk_a: Actor, analyst_a: Actor, operators: RecordingOperators
) -> None:
    waiting_review = at_review(step, clerk_a)
    at_intake = start(step, clerk_a)
    step(analyst_a, deploy_flow, "move_in", V2, "ごみ出しの説明を追加")
    plan = step(analyst_a, plan_migration, "move_in")
    by_case = {c.case_id: c for c in plan.candidates}
    assert plan.target_version == 2
    assert by_case[waiting_review.id].movable and by_case[waiting_review.id].reason == ""
    blocked = by_case[at_intake.id]
    assert not blocked.movable
    assert "現在のタスク「転入届の入力」（intake_move_in）は新しい版で変更されています" in blocked.reason
    assert step(analyst_a, lambda uow: uow.session.get(Case, waiting_review.id).definition_id) != 0
    assert step(analyst_a, lambda uow: uow.session.scalars(select(CaseMigration)).all()) == []


def test_the_job_moves_the_movable_cases_with_progress_and_they_take_the_new_step(
    db: Database,
    step: Step,
    clerk_a: Actor,
    supervisor_a: Actor,
    analyst_a: Actor,
    operators: RecordingOperators,
) -> None:
    moving = at_review(step, clerk_a)
    stuck = start(step, clerk_a)
    review_before = open_task(step, supervisor_a, moving.id, "review_move_in")
    v2 = step(analyst_a, deploy_flow, "move_in", V2, "ごみ出しの説明を追加")
    jobs: list[int] = []
    job = step(analyst_a, start_migration_job, "move_in", jobs.append)
    assert jobs == [job.id] and (job.total, job.status) == (1, "queued")
    run_migration_job(db, analyst_a, job.id)
    progress = step(analyst_a, migration_progress, job.id)
    assert (progress["total"], progress["done"], progress["failed"], progress["status"], progress["percent"]) == (
        1, 1, 0, "finished", 100
    )  # fmt: skip
    assert case_row(step, clerk_a, moving.id).definition_id == v2.id
    assert case_row(step, clerk_a, stuck.id).definition_id != v2.id
    assert open_task(step, supervisor_a, moving.id, "review_move_in").id == review_before.id  # claim kept
    work(step, supervisor_a, moving.id, "review_move_in", {"approved": True})
    work(step, clerk_a, moving.id, "issue_documents", {})
    work(step, clerk_a, moving.id, "explain_rules", {})
    assert case_row(step, clerk_a, moving.id).status == "completed"
    kinds = step(
        clerk_a,
        lambda uow: list(uow.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == moving.id))),
    )
    assert "migrated" in kinds


def test_a_migrated_case_can_be_reverted_to_its_old_version_and_state(
    db: Database,
    step: Step,
    clerk_a: Actor,
    supervisor_a: Actor,
    analyst_a: Actor,
    operators: RecordingOperators,
) -> None:
    case = at_review(step, clerk_a)
    v1_id = case_row(step, clerk_a, case.id).definition_id
    before = step(clerk_a, lambda uow: json.loads(uow.session.get(WorkflowState, case.id).state_json))
    step(analyst_a, deploy_flow, "move_in", V2, "ごみ出しの説明を追加")
    job = step(analyst_a, start_migration_job, "move_in", lambda _id: None)
    run_migration_job(db, analyst_a, job.id)
    assert case_row(step, clerk_a, case.id).definition_id != v1_id

    reverted = step(analyst_a, revert_migration, case.id)
    assert reverted.reverted_by == analyst_a.login_id
    assert case_row(step, clerk_a, case.id).definition_id == v1_id
    after = step(clerk_a, lambda uow: json.loads(uow.session.get(WorkflowState, case.id).state_json))
    assert after == before
    with pytest.raises(Exception, match="取り消せる移行がありません"):
        step(analyst_a, revert_migration, case.id)
    work(step, supervisor_a, case.id, "review_move_in", {"approved": True})
    work(step, clerk_a, case.id, "issue_documents", {})
    assert case_row(step, clerk_a, case.id).status == "completed"  # finished on v1: no explain_rules
    versions = step(clerk_a, lambda uow: uow.session.get(ProcessDefinition, v1_id).version)
    assert versions == 1


def test_a_case_that_moved_on_after_migration_cannot_be_reverted(
    db: Database,
    step: Step,
    clerk_a: Actor,
    supervisor_a: Actor,
    analyst_a: Actor,
    operators: RecordingOperators,
) -> None:
    case = at_review(step, clerk_a)
    step(analyst_a, deploy_flow, "move_in", V2, "ごみ出しの説明を追加")
    job = step(analyst_a, start_migration_job, "move_in", lambda _id: None)
    run_migration_job(db, analyst_a, job.id)
    work(step, supervisor_a, case.id, "review_move_in", {"approved": True})
    with pytest.raises(ConflictError):
        step(analyst_a, revert_migration, case.id)
