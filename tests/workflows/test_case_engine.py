"""Engine guarantees on the real move_in.bpmn: restart, versions, exclusive claims, incidents and retry."""

from __future__ import annotations

import gc

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ConflictError, PermissionDeniedError
from handlers.uow import unit_of_work
from models.case import Case, CaseEvent, ProcessDefinition
from models.tenant import Municipality
from tests.factories import actor_for, make_user
from tests.workflows.conftest import RecordingOperators, Step, read_counter
from tests.workflows.test_move_in_paths import get_case, open_task, start, work
from workflows.engine import loader, runner, store

pytestmark = pytest.mark.req("j530")


def test_case_resumes_after_a_restart_with_new_database_objects(
    connection: Connection, step: Step, clerk_a: Actor, supervisor_a: Actor, operators: RecordingOperators
) -> None:
    case_id = start(step, clerk_a).id
    work(step, clerk_a, case_id, "intake_move_in", {"address": "横浜市中区1-1"})
    del step
    loader._SPECS.clear()
    store._spec_json.cache_clear()
    gc.collect()

    fresh = Database(connection, join_transaction_mode="create_savepoint")  # as after a process restart
    with unit_of_work(fresh, supervisor_a) as uow:
        review = next(t for t in runner.ready_tasks(uow, role="supervisor") if t.case_id == case_id)
        runner.claim_task(uow, review.id)
    with unit_of_work(fresh, supervisor_a) as uow:
        runner.complete_task(uow, review.id, {"approved": True})
    with unit_of_work(fresh, clerk_a) as uow:
        documents = runner.ready_tasks(uow, role="clerk")[0]
        assert documents.bpmn_id == "issue_documents"
        runner.claim_task(uow, documents.id)
        runner.complete_task(uow, documents.id, {})
        assert uow.session.get(Case, case_id).status == "completed"
        assert read_counter(uow, "move_in.register") == 1


def test_running_case_stays_on_its_version_while_a_new_case_takes_v2(
    step: Step, clerk_a: Actor, supervisor_a: Actor, operators: RecordingOperators
) -> None:
    old = start(step, clerk_a)
    v1 = step(clerk_a, lambda uow: uow.session.get(ProcessDefinition, old.definition_id))
    v2_xml = v1.bpmn_xml.replace('name="交付物の発行"', 'name="交付物の発行（第2版）"')

    def deploy(uow):  # noqa: ANN001, ANN202
        return loader.deploy_definition(uow.session, uow.actor.tenant_id, "move_in", v2_xml, author="analyst")

    v2 = step(clerk_a, deploy)
    assert (v1.version, v2.version) == (1, 2) and v1.sha256 != v2.sha256
    new = start(step, clerk_a)
    assert new.definition_id == v2.id and old.definition_id == v1.id

    for case in (old, new):
        work(step, clerk_a, case.id, "intake_move_in", {})
        work(step, supervisor_a, case.id, "review_move_in", {"approved": True})
    assert open_task(step, clerk_a, old.id, "issue_documents").name == "交付物の発行"
    assert open_task(step, clerk_a, new.id, "issue_documents").name == "交付物の発行（第2版）"


@pytest.fixture
def second_clerk(setup_session: Session, city_a: Municipality) -> Actor:
    user = make_user(setup_session, city_a, login_id="clerk2@141003", roles=["clerk"])
    setup_session.flush()
    return actor_for(user)


def test_two_clerks_claiming_the_same_task_one_wins_the_other_gets_a_conflict(
    step: Step, clerk_a: Actor, second_clerk: Actor, operators: RecordingOperators
) -> None:
    case = start(step, clerk_a)
    seen_by_first = open_task(step, clerk_a, case.id, "intake_move_in")
    seen_by_second = open_task(step, second_clerk, case.id, "intake_move_in")
    assert seen_by_first.id == seen_by_second.id

    step(clerk_a, runner.claim_task, seen_by_first.id)
    with pytest.raises(ConflictError, match="他の職員が担当"):
        step(second_clerk, runner.claim_task, seen_by_second.id)
    with pytest.raises(ConflictError, match="先に担当"):
        step(second_clerk, runner.complete_task, seen_by_second.id, {"address": "別の入力"})

    done = step(clerk_a, runner.complete_task, seen_by_first.id, {"address": "横浜市中区1-1"})
    assert (done.state, done.completed_by, done.data) == (
        "completed",
        clerk_a.login_id,
        {"address": "横浜市中区1-1"},
    )
    with pytest.raises(ConflictError, match="既に完了"):
        step(clerk_a, runner.complete_task, seen_by_first.id, {"address": "横浜市中区1-1"})
    with pytest.raises(ConflictError):
        step(second_clerk, runner.claim_task, seen_by_first.id)

    assert step(clerk_a, read_counter, "move_in.record_provisional") == 1
    completions = select(func.count()).where(CaseEvent.case_id == case.id, CaseEvent.kind == "task_completed")
    assert step(clerk_a, lambda uow: uow.session.scalar(completions)) == 1
    assert len([t for t in step(clerk_a, runner.ready_tasks) if t.case_id == case.id]) == 1  # only the review


def test_released_task_can_be_claimed_by_another_clerk_and_a_supervisor_can_assign(
    step: Step,
    clerk_a: Actor,
    second_clerk: Actor,
    supervisor_a: Actor,
    users_a: dict,
    operators: RecordingOperators,
) -> None:
    case = start(step, clerk_a)
    task = open_task(step, clerk_a, case.id, "intake_move_in")
    step(clerk_a, runner.claim_task, task.id)
    with pytest.raises(ConflictError):
        step(second_clerk, runner.unclaim_task, task.id)
    step(clerk_a, runner.unclaim_task, task.id)
    assert step(second_clerk, runner.claim_task, task.id).claimed_by == second_clerk.login_id

    with pytest.raises(PermissionDeniedError):
        step(clerk_a, runner.assign_task, task.id, users_a["clerk"].id)
    with pytest.raises(PermissionDeniedError):  # an auditor cannot take a clerk's task
        step(supervisor_a, runner.assign_task, task.id, users_a["auditor"].id)
    assigned = step(supervisor_a, runner.assign_task, task.id, users_a["clerk"].id)
    assert (assigned.state, assigned.claimed_by) == ("claimed", clerk_a.login_id)
    step(clerk_a, runner.complete_task, task.id, {})
    with pytest.raises(PermissionDeniedError):  # a clerk cannot claim the supervisor's review
        step(clerk_a, runner.claim_task, open_task(step, clerk_a, case.id, "review_move_in").id)


def test_a_completed_task_can_no_longer_be_assigned_claimed_or_released(
    step: Step, clerk_a: Actor, supervisor_a: Actor, users_a: dict, operators: RecordingOperators
) -> None:
    case = start(step, clerk_a)
    task = open_task(step, clerk_a, case.id, "intake_move_in")
    step(clerk_a, runner.claim_task, task.id)
    step(clerk_a, runner.complete_task, task.id, {})
    with pytest.raises(ConflictError, match="既に完了しているか取り消されています"):
        step(supervisor_a, runner.assign_task, task.id, users_a["clerk"].id)
    with pytest.raises(ConflictError, match="他の職員が担当しているか、既に完了しています"):
        step(clerk_a, runner.claim_task, task.id)
    with pytest.raises(ConflictError, match="担当を外せません"):
        step(clerk_a, runner.unclaim_task, task.id)
    done = step(clerk_a, runner.get_task, task.id)
    assert (done.state, done.claimed_by, done.version) == ("completed", clerk_a.login_id, 3)


def test_failing_operator_puts_the_case_in_incident_rolls_back_its_changes_and_retry_succeeds(
    step: Step, clerk_a: Actor, supervisor_a: Actor, operators: RecordingOperators
) -> None:
    case = start(step, clerk_a)
    work(step, clerk_a, case.id, "intake_move_in", {})
    operators.fail["move_in.register"] = RuntimeError("住基ネット接続エラー")
    work(step, supervisor_a, case.id, "review_move_in", {"approved": True})

    stopped = get_case(step, clerk_a, case.id)
    assert stopped.status == "incident" and stopped.incident_task == "register_move_in"
    assert "move_in.register" in stopped.incident_error and "住基ネット接続エラー" in stopped.incident_error
    assert [c.id for c in step(supervisor_a, runner.incidents)] == [case.id]
    assert step(clerk_a, read_counter, "move_in.register") == 0  # the operator's row change rolled back
    assert step(clerk_a, read_counter, "move_in.record_provisional") == 1  # earlier steps kept
    assert [t for t in step(clerk_a, runner.ready_tasks) if t.case_id == case.id] == []

    with pytest.raises(PermissionDeniedError):
        step(clerk_a, runner.retry_incident, case.id)
    assert step(supervisor_a, runner.retry_incident, case.id).status == "incident"  # not fixed yet
    assert step(clerk_a, read_counter, "move_in.register") == 0

    del operators.fail["move_in.register"]
    resumed = step(supervisor_a, runner.retry_incident, case.id)
    assert resumed.status == "running" and resumed.incident_error is None
    assert step(clerk_a, read_counter, "move_in.register") == 1
    assert step(clerk_a, read_counter, "move_in.queue_notices") == 1
    work(step, clerk_a, case.id, "issue_documents", {})
    assert get_case(step, clerk_a, case.id).status == "completed"
    assert step(supervisor_a, runner.incidents) == []


def test_retry_after_a_later_operator_failed_does_not_repeat_the_operators_that_succeeded(
    step: Step, clerk_a: Actor, supervisor_a: Actor, operators: RecordingOperators
) -> None:
    case = start(step, clerk_a)
    work(step, clerk_a, case.id, "intake_move_in", {})
    operators.fail["move_in.queue_notices"] = ValueError("通知先が未設定")
    work(step, supervisor_a, case.id, "review_move_in", {"approved": True})
    assert get_case(step, clerk_a, case.id).incident_task == "queue_notices"
    assert step(clerk_a, read_counter, "move_in.register") == 1
    assert step(clerk_a, read_counter, "move_in.queue_notices") == 0

    del operators.fail["move_in.queue_notices"]
    step(supervisor_a, runner.retry_incident, case.id)
    assert step(clerk_a, read_counter, "move_in.register") == 1
    assert step(clerk_a, read_counter, "move_in.queue_notices") == 1
    open_task(step, clerk_a, case.id, "issue_documents")


def test_the_task_data_handed_out_is_a_copy_the_caller_may_change(
    step: Step, clerk_a: Actor, supervisor_a: Actor, operators: RecordingOperators
) -> None:
    case_id = start(step, clerk_a).id
    work(step, clerk_a, case_id, "intake_move_in", {"intake": {"members": [{"name": "山田 太郎"}]}})
    review = open_task(step, supervisor_a, case_id, "review_move_in")

    def change_then_read_again(uow):  # noqa: ANN001, ANN202
        data = runner.task_data(uow, review.id)
        data["intake"]["members"][0]["name"] = "変更"
        data["intake"]["members"].append({"name": "追加"})
        return runner.task_data(uow, review.id)  # the same transaction: the workflow kept in memory

    assert step(supervisor_a, change_then_read_again)["intake"] == {"members": [{"name": "山田 太郎"}]}
