"""The case engine API used by handlers: start a case, complete its tasks, retry, cancel, fire timers.

Every function takes the caller's unit of work and writes in its transaction (never commits): service
operators change records in the same transaction as the case.  Each service task runs in its own SAVEPOINT;
if it fails, its record changes roll back and the case goes to ``incident`` with the error and the task id,
until ``retry_incident`` runs it again.  The queue functions live in ``task_queue`` and are re-exported.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from typing import Any

from SpiffWorkflow.util.task import TaskState

from handlers.clock import japan_today
from handlers.context import Actor
from handlers.errors import ConflictError, NotFoundError, PermissionDeniedError, Problem, ValidationError
from handlers.row_writes import insert_rows
from handlers.sequences import take_next
from handlers.uow import UnitOfWork
from models.case import Case, CaseTask, ProcessDefinition
from workflows.engine import store
from workflows.engine.execution import (
    Loaded,
    RunFailedError,
    environment,
    load_case,
    lock_case,
    lock_case_of_task,
    run_engine,
    settle,
)
from workflows.engine.loader import deployed_specs, newest_deployed
from workflows.engine.safe_env import is_plain_data
from workflows.engine.task_queue import (
    CLAIM_CONFLICT,
    assign_task,
    check_role,
    claim_task,
    get_task,
    incidents,
    ready_tasks,
    transition,
    unclaim_task,
)
from workflows.engine.timeline import Event, record_event, utcnow
from workflows.engine.timers import fire_case_timers, fire_due_timers, system_uow_factory

__all__ = [
    "RunFailedError", "assign_task", "cancel_case", "case_task_rows", "claim_and_complete_task", "claim_task", "complete_task",
    "fire_case_timers", "lock_case", "lock_case_of_task",
    "fire_due_timers", "incidents", "opened_here", "ready_tasks", "retry_incident", "start_case",
    "system_uow_factory", "task_data", "unclaim_task",
]  # fmt: skip

SUPERVISING_ROLES = frozenset({"supervisor", "administrator", "system"})


def _next_case_number(uow: UnitOfWork) -> str:
    year = japan_today().year
    return f"{year}-{take_next(uow.session, f'case_{year}', uow.actor.tenant_id):06d}"


def start_case(
    uow: UnitOfWork,
    process_id: str,
    *,
    data: dict[str, Any],
    subjects: Sequence[str] = (),
    households: Sequence[str] = (),
    change_type: str | None = None,
    due_date: dt.date | None = None,
    first_task: tuple[str, dict[str, Any]] | None = None,
    all_or_nothing: bool = False,
) -> Case:
    """Open a case on the newest version of ``process_id`` and run it until it waits; ``due_date`` (the legal
    deadline) goes to the case and its task rows.  ``first_task`` = (BPMN id prefix, data): the actor claims
    and completes the human task the case first waits on, when its id has that prefix, as
    ``claim_and_complete_task`` would — same checks, task row and timeline — and the case is saved once,
    after both runs (a clerk's intake).  ``all_or_nothing``: the caller rolls back its unit of work when the
    case cannot start cleanly, so the runs take no SAVEPOINT per service task and a failure raises
    ``RunFailedError`` (with what the incident would have said) instead of saving the case in incident."""
    _check_data(data)
    if first_task is not None:
        _check_data(first_task[1])
    definition = newest_deployed(uow.session, uow.actor.tenant_id, process_id)
    now = utcnow()
    case = Case(
        tenant_id=uow.actor.tenant_id,
        case_number=_next_case_number(uow),
        process_id=process_id,
        definition_id=definition.id,
        status="running",
        change_type=change_type or process_id,
        subject_atena_numbers=list(subjects),
        subject_household_numbers=list(households),
        created_by=uow.actor.login_id,
        created_at=now,
        updated_at=now,
        due_date=due_date,
        incident_task=None,
        incident_error=None,
    )
    uow.session.flush()
    uow.session.add(case)
    insert_rows(uow.session, [case])  # one INSERT … RETURNING, without the unit of work
    store.mark_opened(uow.session, case)
    workflow = store.new_workflow(deployed_specs(uow.session, definition), environment(uow, case))
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    started: Event = ("started", {"process_id": process_id, "version": definition.version})
    loaded = Loaded(case, definition, workflow, fresh=True)
    isolated = not all_or_nothing
    error = run_engine(uow, workflow, loaded=loaded, isolated=isolated)
    task = _first_ready(workflow, first_task[0]) if first_task is not None and error is None else None
    if task is None or first_task is None:
        return settle(uow, loaded, error, events=[started])
    row = _completed_at_once(uow, case, task, first_task[1])
    task.data.update(first_task[1])
    error = run_engine(uow, workflow, first=task.run, loaded=loaded, isolated=isolated)
    store.keep_opened_rows(uow.session, case, [])  # its only row, ``row``, is written by ``settle``
    return settle(uow, loaded, error, events=lambda: [started, *_task_events(row, claimed=True)], done=[row])


def _task_events(row: CaseTask, *, claimed: bool) -> list[Event]:
    """The timeline of a human task completed by the actor (``claimed``: who also claimed it just now)."""
    detail = {"task": row.bpmn_id, "task_id": row.id}
    return [*([("task_claimed", detail)] if claimed else []), ("task_completed", dict(detail))]


def _first_ready(workflow: Any, prefix: str) -> Any | None:
    """The ready human task whose BPMN id starts with ``prefix`` (the first in the workflow's order)."""
    for task in store.ready_human_tasks(workflow):
        if task.task_spec.bpmn_id.startswith(prefix):
            return task
    return None


def _completed_at_once(uow: UnitOfWork, case: Case, task: Any, data: dict[str, Any]) -> CaseTask:
    """The task row of a case opened in this transaction, already claimed and completed by the actor (no
    other transaction can see the case, so there is no claim to race); not yet in the session: ``settle``
    writes it with the rows the run adds (a row pending during the run would be flushed by the first
    operator's query, inside its SAVEPOINT)."""
    row = store.new_task_row(case, task)
    check_role(uow.actor, row)
    now = utcnow()
    login = uow.actor.login_id
    row.state, row.claimed_by, row.claimed_at, row.completed_by, row.completed_at = (
        "completed", login, now, login, now
    )  # fmt: skip
    row.data = data
    return row


def _check_data(data: dict[str, Any]) -> None:
    bad = [
        key for key in data if not (isinstance(key, str) and key.isidentifier() and not key.startswith("_"))
    ]
    if bad or not is_plain_data(data):
        raise ValidationError(
            [
                Problem(
                    "data",
                    "入力データ",
                    "保存できない項目名または値が含まれています",
                    "入力内容を確認してください。",
                    "task_data",
                )
            ]
        )


def complete_task(uow: UnitOfWork, task_id: int, data: dict[str, Any]) -> CaseTask:
    """Finish a human task the actor has claimed, then run the case until it waits again."""
    row = get_task(uow, task_id)
    if row.state == "completed":
        raise ConflictError(f"このタスク（{row.name}）は既に完了しています。")
    if row.state != "claimed" or row.claimed_by != uow.actor.login_id:
        raise ConflictError(f"このタスク（{row.name}）を完了するには、先に担当（引受け）してください。")
    return _complete(uow, row, data, claim=False)


def claim_and_complete_task(uow: UnitOfWork, task_id: int, data: dict[str, Any]) -> CaseTask:
    """``claim_task`` then ``complete_task`` of a ready task, as one conditional UPDATE of its row: the same
    checks, outcome and timeline (task_claimed, task_completed)."""
    row = get_task(uow, task_id)
    if row.state == "completed":
        raise ConflictError(f"このタスク（{row.name}）は既に完了しています。")
    if row.state != "ready":
        raise ConflictError(CLAIM_CONFLICT.format(row.name))
    return _complete(uow, row, data, claim=True)


def _complete(uow: UnitOfWork, row: CaseTask, data: dict[str, Any], *, claim: bool) -> CaseTask:
    check_role(uow.actor, row)
    _check_data(data)
    loaded = load_case(uow, row.case_id)
    task = store.find_task(loaded.workflow, row.task_uuid)
    if (
        loaded.case.status not in ("running", "waiting")
        or task is None
        or not task.has_state(TaskState.READY)
    ):
        raise ConflictError(f"このタスク（{row.name}）は現在完了できません。")
    now = utcnow()
    if claim:
        conditions: dict[str, Any] = {"state": "ready"}
        message = CLAIM_CONFLICT.format(row.name)
        claimed = {"claimed_by": uow.actor.login_id, "claimed_at": now}
    else:
        conditions = {"state": "claimed", "claimed_by": uow.actor.login_id}
        message = f"このタスク（{row.name}）は既に完了しているか、他の職員が担当しています。"
        claimed = {}
    row = transition(
        uow, row, conditions, message, state="completed", completed_by=uow.actor.login_id, completed_at=now,
        data=data, **claimed,
    )  # fmt: skip
    task.data.update(data)
    error = run_engine(uow, loaded.workflow, first=task.run, loaded=loaded)
    settle(uow, loaded, error, events=_task_events(row, claimed=claim))
    return row


def case_task_rows(uow: UnitOfWork, case_id: int) -> list[CaseTask]:
    """Every task row of the case, by id; the rows this transaction saved are not read again."""
    return store.case_task_rows(uow.session, case_id)


def opened_here(uow: UnitOfWork, case_id: int) -> bool:
    """Whether the case was opened in this unit of work's transaction (it has no other rows yet)."""
    return store.opened_here(uow.session, case_id)


def task_data(uow: UnitOfWork, task_id: int) -> dict[str, Any]:
    """The workflow data a human task sees (to fill its form), e.g. a rejection reason."""
    row = get_task(uow, task_id)
    case = uow.session.get(Case, row.case_id)
    definition = uow.session.get(ProcessDefinition, case.definition_id) if case else None
    if case is None or definition is None:
        raise NotFoundError("案件が見つかりません。")
    store.hold(uow.session, definition, definition.id)
    workflow = store.restore_workflow(
        uow.session, case, definition, environment(uow, case), read_only=True
    )  # the engine run that follows in this call takes the same workflow
    task = store.find_task(workflow, row.task_uuid)
    return _copied(dict(task.data) if task is not None else dict(row.data))


def _copied(value: Any) -> Any:
    """A deep copy of workflow data: plain dicts, lists and scalars copied directly (without deepcopy's
    memo and dispatch: the data is JSON-like, ``_check_data``), anything else by ``copy.deepcopy``."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return copy.deepcopy(value)


def _require_supervising(actor: Actor, case: Case | None = None) -> None:
    if actor.roles & SUPERVISING_ROLES or (case is not None and case.created_by == actor.login_id):
        return
    raise PermissionDeniedError("この操作は審査者（決裁者）または管理者だけが行えます。")


def retry_incident(uow: UnitOfWork, case_id: int) -> Case:
    """Run the failed task of an incident again (after the cause was fixed)."""
    _require_supervising(uow.actor)
    loaded = load_case(uow, case_id)
    if loaded.case.status != "incident":
        raise ConflictError("この案件はエラー停止していません。")
    for task in loaded.workflow.get_tasks(state=TaskState.ERROR):
        loaded.workflow.reset_from_task_id(task.id)
    retried: Event = ("retried", {"task": loaded.case.incident_task})
    return settle(uow, loaded, run_engine(uow, loaded.workflow, loaded=loaded), events=[retried])


CANCEL_REASON_MAX = 400  # Case.cancel_reason


def cancel_case(uow: UnitOfWork, case_id: int, reason: str) -> Case:
    """Withdraw a case: its open tasks and timers go; the reason is kept."""
    if not reason or not reason.strip():
        raise ValidationError(
            [Problem("reason", "取消理由", "入力されていません", "取消理由を入力してください。", "required")]
        )
    if (
        len(reason.strip()) > CANCEL_REASON_MAX
    ):  # the column's length (PostgreSQL refused it at the flush: a 500)
        raise ValidationError([Problem("reason", "取消理由", f"{CANCEL_REASON_MAX}文字を超えています",
                                       f"{CANCEL_REASON_MAX}文字以内で入力してください。", "too_long")])  # fmt: skip
    loaded = load_case(uow, case_id)
    _require_supervising(uow.actor, loaded.case)
    if loaded.case.status in ("completed", "cancelled"):
        raise ConflictError("完了または取消済の案件は取り消せません。")
    loaded.workflow.cancel()
    case, now = loaded.case, utcnow()
    case.status, case.cancel_reason, case.updated_at = "cancelled", reason.strip(), now
    store.save_workflow(uow.session, case, loaded.workflow, now)
    store.sync_tasks(uow.session, case, loaded.workflow)
    store.sync_timers(uow.session, case, loaded.workflow)
    record_event(uow, case, "cancelled", reason=case.cancel_reason)
    uow.session.flush()
    return case
