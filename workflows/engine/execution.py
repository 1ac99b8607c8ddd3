"""One engine run of one case: load it (locked) with the safe engine, run it until it waits, and save
what changed (status, workflow, task rows, timers, timeline).

How far the engine runs is decided by ``run_engine``; what gets saved by ``settle``.  Each service task runs
inside its own SAVEPOINT, so a failing operator's record changes roll back while the tasks before it stay done
(unless the caller rolls back everything on a failure: ``run_engine(…, isolated=False)``, a clerk's intake).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, TypeVar, cast

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.specs.mixins.service_task import ServiceTask
from sqlalchemy import BindParameter, Select, Table, bindparam, inspect, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased, defer
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.functions import FunctionElement

from handlers.errors import ConflictError, NotFoundError
from handlers.row_writes import assign_changed, insert_rows, loaded_row, run_prebuilt, update_rows
from handlers.tenancy import CROSS_TENANT_KEY, built_once, session_tenant
from handlers.transaction_memo import transaction_memo
from handlers.uow import UnitOfWork
from models.case import Case, CaseTask, ProcessDefinition, WorkflowState
from workflows.engine import store
from workflows.engine.lanes import is_system_task
from workflows.engine.loader import Deployed
from workflows.engine.registry import ServiceContext
from workflows.engine.safe_env import ExpressionError, SafeEnvironment, ScriptError, ServiceTaskError
from workflows.engine.task_states import know_task_states
from workflows.engine.timeline import Event, record_events, utcnow

LOCKED_KEY = "engine_cases_locked"
_Selecting = TypeVar("_Selecting", bound=Select[*tuple[Any, ...]])


@dataclass
class Loaded:
    case: Case
    definition: ProcessDefinition | Deployed
    workflow: BpmnWorkflow
    fresh: bool = False  # the case was created in this unit of work: it has no saved rows yet
    stamped: bool = False  # this run wrote the case's updated_at already (with an operator's change of it)


class RunFailedError(Exception):
    """An engine run whose caller keeps nothing of it on failure (``run_engine(…, isolated=False)``) stopped
    on an error: ``task`` and ``message`` are what an incident would have recorded."""

    def __init__(self, error: BaseException) -> None:
        self.task, self.message = _describe(error)
        super().__init__(self.message)


def environment(uow: UnitOfWork, case: Case) -> SafeEnvironment:
    def make_context(task_id: str, data: dict[str, Any]) -> ServiceContext:
        return ServiceContext(uow=uow, case=case, task_id=task_id, data=data)

    return SafeEnvironment(make_context)


def lock_case(uow: UnitOfWork, case_id: int) -> Case | None:
    """Read the case row locked FOR UPDATE (PostgreSQL) until the transaction ends, refreshed from the
    database; ``load_case`` later in the transaction takes it as it is.  Its definition and saved workflow
    come with it in the same statement (every caller goes on to restore the workflow).  The saved workflow
    is locked with the case: a statement that waited for another transaction's lock re-reads only the rows
    it locks, so an unlocked saved workflow would come back as it was before that transaction (PostgreSQL,
    READ COMMITTED); the definition never changes.  The case's task rows come with it too, as ids and
    states the next save may trust (``_AS_OF_START``, ``_held_locked``)."""
    found = uow.session.execute(_LOCK_CASE, {"case": case_id}).one_or_none()
    if found is None:
        return None
    case, definition, state, version_at_start, task_rows = found
    return _held_locked(uow, case, definition, state, version_at_start, task_rows)


def lock_case_of_task(uow: UnitOfWork, task_id: int) -> tuple[CaseTask, Case] | None:
    """``get_task`` then ``lock_case`` of its case, in one statement: the task row (read as ``get_task``
    reads it, unlocked, as of the statement's start) with the case locked as ``lock_case`` locks it.  None
    when the task row is already in the session or the statement finds nothing: the caller takes the two
    steps (and their refusals)."""
    session = uow.session
    if session.identity_map.get(identity_key(CaseTask, task_id)) is not None:
        return None
    tenant = session_tenant(session)
    found: Sequence[Any] | None
    if tenant is None or session.info.get(CROSS_TENANT_KEY):
        found = session.execute(_LOCK_CASE_OF_TASK, {"task": task_id}).one_or_none()
    else:
        found = _task_and_case_locked(session, task_id, tenant)
    if found is None:
        return None
    task, case, definition, state, version_at_start, task_rows = found
    return task, _held_locked(uow, case, definition, state, version_at_start, task_rows)


def _task_and_case_locked(session: Session, task_id: int, tenant: int) -> Sequence[Any] | None:
    """``_LOCK_CASE_OF_TASK``'s rows read by its prebuilt Core form naming the tenant (``run_prebuilt``) and
    made ORM rows without the ORM's loading (``loaded_row``).  A case or saved workflow the session already
    holds is refreshed as the ORM statement refreshes it: by that statement, its rows locked by now."""
    if session.autoflush:
        session.flush()  # as the ORM statement's autoflush did
    rows = run_prebuilt(session, _LOCKED_ROWS, {"task": task_id, "tenant": tenant}).rows
    if not rows:
        return None
    row = rows[0]
    case_id = row[_CASE_ID]
    if any(
        session.identity_map.get(identity_key(kind, case_id)) is not None for kind in (Case, WorkflowState)
    ):
        return session.execute(_LOCK_CASE_OF_TASK, {"task": task_id}).one_or_none()
    return (
        loaded_row(session, CaseTask, row[_TASK_COLUMNS]),
        loaded_row(session, Case, row[_CASE_COLUMNS]),
        loaded_row(session, ProcessDefinition, row[_DEFINITION_COLUMNS], _DEFINITION_KEYS),
        loaded_row(session, WorkflowState, row[_STATE_COLUMNS]),
        *row[_STATE_COLUMNS.stop :],
    )


def _with_case_locked(statement: _Selecting) -> _Selecting:
    """``statement`` (which selects the case) joined with the case's definition and saved workflow, the case
    and the saved workflow locked FOR UPDATE and every row refreshed from the database.  The definition's
    XML is not read: its specs are found by its sha256 (``loader.definition_specs``)."""
    return (
        statement.join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)
        .join(WorkflowState, WorkflowState.case_id == Case.id)
        .with_for_update(of=[Case, WorkflowState])
        .options(defer(ProcessDefinition.bpmn_xml))
        .execution_options(populate_existing=True)
    )


class json_rows(FunctionElement[Any]):  # noqa: N801 (named as SQL functions are)
    """Aggregate: a JSON array holding one JSON array of its arguments per row."""

    name = "json_rows"
    inherit_cache = True


@compiles(json_rows, "postgresql")
def _json_rows_postgresql(element: json_rows, compiler: Any, **kw: Any) -> str:
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


@compiles(json_rows, "sqlite")
def _json_rows_sqlite(element: json_rows, compiler: Any, **kw: Any) -> str:
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


_CaseAtStart, _TaskOfCase = aliased(Case), aliased(CaseTask)
# Read with the lock, as of the statement's start (its snapshot): the case's version, and the id, BPMN task
# uuid and state of each of its task rows.  When the case locked is still that version, no transaction
# changed the case since, and with it its task rows (every change of which rows are open saves the case).
_AS_OF_START = (
    select(_CaseAtStart.version).where(_CaseAtStart.id == Case.id).scalar_subquery(),
    select(json_rows(_TaskOfCase.id, _TaskOfCase.task_uuid, _TaskOfCase.state))
    .where(_TaskOfCase.case_id == Case.id)
    .scalar_subquery(),
)
# Built once each (their tenant-scoped forms are kept).
_LOCK_CASE = built_once(
    _with_case_locked(select(Case, ProcessDefinition, WorkflowState, *_AS_OF_START)).where(
        Case.id == bindparam("case")
    )
)
_LOCK_CASE_OF_TASK = built_once(
    _with_case_locked(
        select(CaseTask, Case, ProcessDefinition, WorkflowState, *_AS_OF_START).join(
            Case, Case.id == CaseTask.case_id
        )
    ).where(CaseTask.id == bindparam("task"))
)


_TASKS, _CASES = cast(Table, CaseTask.__table__), cast(Table, Case.__table__)
_DEFINITIONS, _STATES = cast(Table, ProcessDefinition.__table__), cast(Table, WorkflowState.__table__)
_DEFINITION_KEYS = tuple(c.key for c in _DEFINITIONS.columns if c.key != "bpmn_xml")  # specs: by sha256


def _spans(*widths: int) -> list[slice]:
    """Consecutive slices of a row holding ``widths`` columns one after the other."""
    starts = [sum(widths[:n]) for n in range(len(widths) + 1)]
    return [slice(start, end) for start, end in pairwise(starts)]


_TASK_COLUMNS, _CASE_COLUMNS, _DEFINITION_COLUMNS, _STATE_COLUMNS = _spans(
    len(_TASKS.columns), len(_CASES.columns), len(_DEFINITION_KEYS), len(_STATES.columns)
)
_CASE_ID = _CASE_COLUMNS.start + list(_CASES.columns).index(_CASES.c.id)


def _locked_rows() -> Select[Any]:
    """``_LOCK_CASE_OF_TASK`` in Core: every column of the task, the case, the definition (but its XML) and
    the saved workflow, then ``_AS_OF_START``; every table and subquery naming the tenant."""
    tenant: BindParameter[int] = bindparam("tenant")
    case_at_start, task_of_case = _CASES.alias("case_at_start"), _TASKS.alias("task_of_case")
    as_of_start = (
        select(case_at_start.c.version)
        .where(case_at_start.c.id == _CASES.c.id, case_at_start.c.tenant_id == tenant)
        .scalar_subquery(),
        select(json_rows(task_of_case.c.id, task_of_case.c.task_uuid, task_of_case.c.state))
        .where(task_of_case.c.case_id == _CASES.c.id, task_of_case.c.tenant_id == tenant)
        .scalar_subquery(),
    )
    joined = (
        _TASKS.join(_CASES, _CASES.c.id == _TASKS.c.case_id)
        .join(_DEFINITIONS, _DEFINITIONS.c.id == _CASES.c.definition_id)
        .join(_STATES, _STATES.c.case_id == _CASES.c.id)
    )
    return (
        select(
            *_TASKS.c, *_CASES.c, *(_DEFINITIONS.c[key] for key in _DEFINITION_KEYS), *_STATES.c, *as_of_start
        )
        .select_from(joined)
        .where(_TASKS.c.id == bindparam("task"))
        .where(*(table.c.tenant_id == tenant for table in (_TASKS, _CASES, _DEFINITIONS, _STATES)))
        .with_for_update(of=[_CASES, _STATES])
    )


_LOCKED_ROWS = _locked_rows()  # built once: its compiled form is kept (``run_prebuilt``)


def _held_locked(
    uow: UnitOfWork,
    case: Case,
    definition: ProcessDefinition,
    state: WorkflowState,
    version_at_start: int | None,
    task_rows: Any,
) -> Case:
    store.hold(uow.session, case, case.id)
    store.hold(uow.session, definition, definition.id)
    store.hold(uow.session, state, case.id)
    transaction_memo(uow.session).setdefault(LOCKED_KEY, set()).add(case.id)
    if version_at_start == case.version:  # else the lock waited for a change: the save reads the rows
        rows = json.loads(task_rows) if isinstance(task_rows, str) else task_rows  # (SQLite: JSON text)
        know_task_states(uow.session, case.id, rows or [])
    return case


def load_case(uow: UnitOfWork, case_id: int) -> Loaded:
    """Lock the case row (FOR UPDATE on PostgreSQL) and restore its workflow with the safe engine.  A case
    opened in this transaction (invisible to every other one) or already locked by it is taken as held."""
    case = None
    if store.opened_here(uow.session, case_id) or case_id in transaction_memo(uow.session).get(
        LOCKED_KEY, ()
    ):
        case = store.held(uow.session, Case, case_id)
    if case is None:
        case = lock_case(uow, case_id)
    if case is None:
        raise NotFoundError("指定された案件はありません。")
    definition = uow.session.get(ProcessDefinition, case.definition_id)
    assert definition is not None  # FK
    store.hold(uow.session, definition, definition.id)
    workflow = store.restore_workflow(uow.session, case, definition, environment(uow, case))
    return Loaded(case, definition, workflow)


def run_engine(
    uow: UnitOfWork,
    workflow: BpmnWorkflow,
    first: Callable[[], Any] | None = None,
    *,
    loaded: Loaded | None = None,
    isolated: bool = True,
) -> Exception | None:
    """Run ``first`` then the engine until it waits; each service task inside its own SAVEPOINT.  With
    ``loaded``, a change an operator made to the case row (its subjects) is written by one UPDATE at the end
    of the service task, before its SAVEPOINT's flush (which would write it at more cost), with the time of
    the save (``settle`` then leaves that time as it is).  ``isolated=False``: the caller rolls back its
    whole unit of work on any failure of the run, so the service tasks run without SAVEPOINTs and a failure
    raises ``RunFailedError`` at once (an operator's SQL error has aborted the transaction: nothing more can
    be written in it)."""
    savepoints: list[Any] = []

    def will_complete(task: Any) -> None:
        if isolated and isinstance(task.task_spec, ServiceTask):
            savepoints.append(uow.session.begin_nested())

    def did_complete(task: Any) -> None:
        if isinstance(task.task_spec, ServiceTask):
            if loaded is not None:
                _write_case(uow, loaded)
            if isolated:
                savepoints.pop().commit()
            else:
                uow.session.flush()  # as the SAVEPOINT's release would: its rows fail here, if at all

    try:
        if first is not None:
            first()
        workflow.do_engine_steps(will_complete_task=will_complete, did_complete_task=did_complete)
    except SpiffWorkflowException as exc:
        if not isolated:
            raise RunFailedError(exc) from exc
        while savepoints:
            savepoints.pop().rollback()
        return exc
    return None


def _write_case(uow: UnitOfWork, loaded: Loaded) -> None:
    case = loaded.case
    if not inspect(case).modified:
        return
    if not (loaded.fresh or store.opened_here(uow.session, case.id)):
        case.updated_at, loaded.stamped = utcnow(), True
    update_rows(uow.session, [case])


def _describe(error: BaseException) -> tuple[str | None, str]:
    """(BPMN id of the failing task, the message to show) for an engine error."""
    task_spec = getattr(error, "task_spec", None)
    bpmn_id = getattr(task_spec, "bpmn_id", None) or getattr(task_spec, "name", None)
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ServiceTaskError | ScriptError | ExpressionError):
            return bpmn_id, str(cause)
        cause = cause.__cause__ or cause.__context__
    return bpmn_id, f"業務フローの実行に失敗しました：{error}"


def settle(
    uow: UnitOfWork,
    loaded: Loaded,
    error: Exception | None,
    *,
    events: Sequence[Event] | Callable[[], Sequence[Event]] = (),
    done: Sequence[CaseTask] = (),
) -> Case:
    """Record the outcome of an engine run: status, saved workflow, task rows, timers, timeline.

    ``events``: what the run did before its outcome (task claimed, completed …), written with the outcome's
    own event in one INSERT once the task rows are written (a callable: listed then, when their ids are
    known).  ``done``: task rows of the run not written yet (the first task of a case opened in this
    transaction, completed at once), written with the new ones in one INSERT."""
    case, workflow, now = loaded.case, loaded.workflow, utcnow()
    ready = store.ready_human_tasks(workflow)  # listed once: the status and the task rows
    outcome: list[Event] = []
    if error is not None:
        case.status = "incident"
        case.incident_task, case.incident_error = _describe(error)
        outcome.append(("incident", {"task": case.incident_task, "error": case.incident_error}))
    elif workflow.is_completed():
        case.status, case.completed_at = "completed", now
        outcome.append(("completed", {}))
    else:  # a status it already had leaves the row clean (no flush visits it)
        staffed = any(
            not is_system_task(t.task_spec.bpmn_id or "") for t in ready
        )  # await_: another system's
        assign_changed(case, status="running" if staffed else "waiting")
    if error is None:
        assign_changed(case, incident_task=None, incident_error=None)
    if not (loaded.fresh or loaded.stamped or store.opened_here(uow.session, case.id)):
        case.updated_at = now  # a case opened in this transaction keeps the time it was written with
    state = store.save_workflow(uow.session, case, workflow, now, fresh=loaded.fresh)
    store.add_task_rows(uow.session, case, list(done))
    created = store.sync_tasks(uow.session, case, workflow, fresh=loaded.fresh, ready_tasks=ready)
    insert_rows(uow.session, [state])  # each kind of new row in one INSERT, without the unit of work, before
    insert_rows(uow.session, [*done, *created])  # sync_timers may flush; changed rows are left to the flush
    record_events(uow, case, [*(events() if callable(events) else events), *outcome])
    timers = store.sync_timers(uow.session, case, workflow, fresh=loaded.fresh)
    loaded.fresh = loaded.stamped = False
    try:
        insert_rows(uow.session, timers)
        uow.session.flush()
    except StaleDataError as exc:
        raise ConflictError("この案件は他の職員が同時に更新しました。画面を開き直してください。") from exc
    return case
