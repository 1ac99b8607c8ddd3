"""Move a running case to a newer version of its process, and put it back.

A case can move when every task it has done or is waiting on still exists in the new version, and the
task it waits on (its current task) is unchanged apart from where it leads: SpiffWorkflow's
``diff_workflow`` aligns the instance with the new spec and ``migrate_workflow`` swaps the specs and
re-predicts from the open tasks.  The check runs the migration in memory and restores the result against
the new spec, so a case reported movable really moves.  Each move keeps the case's previous saved
workflow and definition in a ``CaseMigration`` row; ``revert_case_migration`` restores them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from handlers.errors import ConflictError, NotFoundError
from handlers.uow import UnitOfWork
from models.case import Case, ProcessDefinition, WorkflowState
from models.flow import CaseMigration
from workflows.engine import store
from workflows.engine.execution import environment, load_case
from workflows.engine.loader import process_specs
from workflows.engine.timeline import record_event, utcnow

MOVABLE_STATUSES = ("running", "waiting")
OPEN_STATES = TaskState.READY | TaskState.WAITING | TaskState.STARTED
DONE_STATES = TaskState.COMPLETED | TaskState.ERROR | TaskState.CANCELLED
LAYOUT_KEYS = frozenset({"inputs", "outputs"})  # where a task leads may change under an open task


@dataclass(frozen=True)
class MigrationCheck:
    case_id: int
    movable: bool
    reason: str = ""  # Japanese; why the case cannot move


def _label(task: Any) -> str:
    spec = task.task_spec
    return f"「{spec.bpmn_name or spec.bpmn_id or spec.name}」（{spec.bpmn_id or spec.name}）"


def _blocking_reason(workflow: BpmnWorkflow, new_spec: Any, top_diff: Any) -> str:
    for task in top_diff.removed:
        if task.has_state(OPEN_STATES):
            return f"現在のタスク{_label(task)}は新しい版で削除されています"
        if task.has_state(DONE_STATES) and task.task_spec.bpmn_id is not None:
            return f"処理済みのタスク{_label(task)}が新しい版にありません"
    changed = SpecDiff(store.SERIALIZER.registry, workflow.spec, new_spec).changed
    for task in top_diff.changed:
        keys = set(changed.get(task.task_spec, ())) - LAYOUT_KEYS
        if keys and task.has_state(OPEN_STATES) and task.task_spec.bpmn_id is not None:
            return f"現在のタスク{_label(task)}は新しい版で変更されています（{', '.join(sorted(keys))}）"
    return ""


def _migrated(workflow: BpmnWorkflow, target: ProcessDefinition) -> tuple[BpmnWorkflow | None, str]:
    """(the workflow moved to ``target``, "") or (None, why it cannot move)."""
    new_spec, new_deps = process_specs(target.bpmn_xml, target.process_id)
    if workflow.subprocesses:
        return None, "サブプロセスを実行中の案件は移行できません"
    top_diff, _sub_diffs = diff_workflow(store.SERIALIZER.registry, workflow, new_spec, new_deps)
    reason = _blocking_reason(workflow, new_spec, top_diff)
    if reason:
        return None, reason
    migrate_workflow(top_diff, workflow, new_spec)
    workflow.subprocess_specs = new_deps
    try:  # the saved form must restore against the new spec
        dct = store.SERIALIZER.to_dict(workflow)
        store.SERIALIZER.from_dict(dct)
    except Exception as exc:  # noqa: BLE001 - any failure means "cannot move"; the reason is shown
        return None, f"新しい版で状態を復元できません：{exc}"
    return workflow, ""


def check_case_migration(uow: UnitOfWork, case: Case, target: ProcessDefinition) -> MigrationCheck:
    """Can ``case`` move to ``target``?  Nothing is written."""
    if case.process_id != target.process_id:
        return MigrationCheck(case.id, False, "業務フローが異なります")
    if case.definition_id == target.id:
        return MigrationCheck(case.id, False, "既にこの版で処理中です")
    if case.status not in MOVABLE_STATUSES:
        return MigrationCheck(case.id, False, f"処理中の案件ではありません（状態：{case.status}）")
    definition = uow.session.get(ProcessDefinition, case.definition_id)
    assert definition is not None  # FK
    workflow = store.restore_workflow(uow.session, case, definition, environment(uow, case))
    moved, reason = _migrated(workflow, target)
    return MigrationCheck(case.id, moved is not None, reason)


def migrate_case(
    uow: UnitOfWork, case_id: int, target: ProcessDefinition, job_id: int | None = None
) -> CaseMigration:
    """Move one case to ``target`` (refused with the reason if it cannot), keeping what revert needs."""
    loaded = load_case(uow, case_id)
    case = loaded.case
    check = check_case_migration(uow, case, target)
    if not check.movable:
        raise ConflictError(f"案件 {case.case_number} は移行できません：{check.reason}")
    moved, reason = _migrated(loaded.workflow, target)
    if moved is None:
        raise ConflictError(f"案件 {case.case_number} は移行できません：{reason}")
    state = uow.session.get(WorkflowState, case.id)
    assert state is not None
    now = utcnow()
    migration = CaseMigration(
        tenant_id=case.tenant_id,
        case_id=case.id,
        job_id=job_id,
        from_definition_id=case.definition_id,
        to_definition_id=target.id,
        previous_state_json=state.state_json,
        previous_serializer_version=state.serializer_version,
        migrated_by=uow.actor.login_id,
        migrated_at=now,
    )
    uow.session.add(migration)
    previous = uow.session.get(ProcessDefinition, case.definition_id)
    case.definition_id, case.updated_at = target.id, now
    _save(uow, case, moved, now)
    record_event(
        uow, case, "migrated", from_version=previous.version if previous else None, to_version=target.version
    )
    uow.session.flush()
    return migration


def _save(uow: UnitOfWork, case: Case, workflow: BpmnWorkflow, now: Any) -> None:
    store.save_workflow(uow.session, case, workflow, now)
    store.sync_tasks(uow.session, case, workflow)
    store.sync_timers(uow.session, case, workflow)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def revert_case_migration(uow: UnitOfWork, case_id: int) -> CaseMigration:
    """Put the case back on the version and saved state it had before its last migration."""
    migration = uow.session.scalars(
        select(CaseMigration)
        .where(CaseMigration.case_id == case_id, CaseMigration.reverted_at.is_(None))
        .order_by(CaseMigration.id.desc())
        .limit(1)
    ).first()
    if migration is None:
        raise NotFoundError("この案件には取り消せる移行がありません。")
    loaded = load_case(uow, case_id)
    case = loaded.case
    if case.definition_id != migration.to_definition_id or _utc(case.updated_at) > _utc(
        migration.migrated_at
    ):
        raise ConflictError(f"案件 {case.case_number} は移行後に処理が進んだため、移行を取り消せません。")
    state = uow.session.get(WorkflowState, case.id)
    assert state is not None
    state.state_json = migration.previous_state_json
    state.serializer_version = migration.previous_serializer_version
    store.forget_saved(uow.session, case.id)
    case.definition_id = migration.from_definition_id
    definition = uow.session.get(ProcessDefinition, case.definition_id)
    assert definition is not None
    workflow = store.restore_workflow(uow.session, case, definition, environment(uow, case))
    now = utcnow()
    store.sync_tasks(uow.session, case, workflow)
    store.sync_timers(uow.session, case, workflow)
    migration.reverted_by, migration.reverted_at = uow.actor.login_id, now
    case.updated_at = now
    record_event(uow, case, "migration_reverted", to_version=definition.version)
    uow.session.flush()
    return migration
