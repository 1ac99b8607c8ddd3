"""What gets saved: a case's workflow (without its spec), the task queue and the pending timers.

The serializer embeds the full spec in every instance; we strip it before saving and put back the spec of
the case's own ProcessDefinition when restoring (definitions are immutable, so this is exact).  Every
workflow built or restored here gets a ``SafeScriptEngine``: never SpiffWorkflow's default engine.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from typing import Any, cast
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.orm import Session

from handlers.row_writes import run_prebuilt, update_rows
from handlers.tenancy import CROSS_TENANT_KEY, check_row_tenant, session_tenant
from handlers.transaction_memo import transaction_memo
from models.case import Case, CaseTask, PendingTimer, ProcessDefinition, WorkflowState
from workflows.engine.lanes import role_for_lane
from workflows.engine.loader import Specs, definition_specs, process_specs
from workflows.engine.safe_env import SafeEnvironment, SafeScriptEngine
from workflows.engine.task_states import OPEN_TASK_STATES, rows_to_change, take_task_states

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
SPEC_KEYS = ("spec", "subprocess_specs")
HELD_ROWS_KEY = "engine_held_rows"
OPENED_KEY = "engine_cases_opened"
TASK_ROWS_KEY = "engine_case_task_rows"
TIMER_ROWS_KEY = "engine_case_timer_rows"
SAVED_WORKFLOWS_KEY = "engine_saved_workflows"


class _SpecOnceConverter(BpmnWorkflowConverter):
    """The library's workflow converter (registered in its place, same behaviour), plus the two paths we use:
    an instance converted without its spec, and one restored onto the parsed spec objects of its definition
    (shared, as every new workflow of a definition shares them)."""

    def to_dict_without_spec(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict_onto(
        self, dct: dict[str, Any], spec: Any, subprocess_specs: dict[str, Any]
    ) -> BpmnWorkflow:
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return cast(BpmnWorkflow, workflow)


_WORKFLOWS = _SpecOnceConverter(BpmnWorkflow, SERIALIZER.registry)


def mark_opened(session: Session, case: Case) -> None:
    """``case`` was created in this transaction: it has no task rows and no timers yet, and no other
    transaction can see it (so it needs no lock either)."""
    hold(session, case, case.id)
    memo = transaction_memo(session)
    memo.setdefault(OPENED_KEY, set()).add(case.id)
    memo.setdefault(TASK_ROWS_KEY, {})[case.id] = []
    memo.setdefault(TIMER_ROWS_KEY, {})[case.id] = []


def opened_here(session: Session, case_id: int) -> bool:
    """Whether the case was created in this transaction (see ``mark_opened``)."""
    return case_id in transaction_memo(session).get(OPENED_KEY, ())


def _known_rows(session: Session, key: str, case_id: int) -> list[Any] | None:
    """Every row of the case the memo knows (all still in the session), or None: read them."""
    rows: list[Any] | None = transaction_memo(session).get(key, {}).get(case_id)
    if rows is None or any(row not in session for row in rows):
        return None
    return rows


def _remember_rows(session: Session, key: str, case_id: int, rows: list[Any]) -> None:
    transaction_memo(session).setdefault(key, {})[case_id] = rows


def case_task_rows(session: Session, case_id: int) -> list[CaseTask]:
    """All task rows of the case, by id (as this transaction last saved them, else read)."""
    known = _known_rows(session, TASK_ROWS_KEY, case_id)
    if known is None:
        known = list(session.scalars(select(CaseTask).where(CaseTask.case_id == case_id)))
        _remember_rows(session, TASK_ROWS_KEY, case_id, known)
    return sorted(known, key=lambda row: row.id)


def hold(session: Session, row: Any, key: Any) -> None:
    """Keep ``row`` referenced for the rest of the unit of work: the session's identity map holds rows only
    weakly, and a case's definition and saved state are read again by the next step of the same call."""
    session.info.setdefault(HELD_ROWS_KEY, {})[(type(row), key)] = row


def held(session: Session, kind: type[Any], key: Any) -> Any | None:
    """The row ``hold`` kept under ``key``, if it is still in the session."""
    row = session.info.get(HELD_ROWS_KEY, {}).get((kind, key))
    return row if row is not None and row in session else None


def new_workflow(specs: Specs, environment: SafeEnvironment) -> BpmnWorkflow:
    spec, subprocess_specs = specs
    return BpmnWorkflow(spec, subprocess_specs, script_engine=SafeScriptEngine(environment))


@lru_cache(maxsize=64)
def _spec_json(sha256: str, xml: str, process_id: str) -> str:
    spec, subprocess_specs = process_specs(xml, process_id)
    full = json.loads(SERIALIZER.serialize_json(BpmnWorkflow(spec, subprocess_specs)))
    return json.dumps({key: full[key] for key in SPEC_KEYS})


def _instance_json(workflow: BpmnWorkflow) -> str:
    """``SERIALIZER.serialize_json`` minus the spec (same encoder), without converting the spec at all."""
    registry = SERIALIZER.registry
    registry._encoder_mode = True
    try:
        dct = _WORKFLOWS.to_dict_without_spec(workflow)
    finally:
        registry._encoder_mode = False
    return json.dumps(dct, cls=SERIALIZER._encoder_cls, ensure_ascii=False, separators=(",", ":"))


def save_workflow(
    session: Session, case: Case, workflow: BpmnWorkflow, now: dt.datetime, *, fresh: bool = False
) -> WorkflowState:
    """Write the case's workflow; ``fresh``: the case was created in this unit of work (nothing to read)."""
    state = None if fresh else session.get(WorkflowState, case.id)
    if state is None:
        state = WorkflowState(case_id=case.id, tenant_id=case.tenant_id)
        session.add(state)
    hold(session, state, case.id)
    state.state_json = _instance_json(workflow)
    state.serializer_version = str(SERIALIZER.VERSION)
    state.updated_at = now
    _keep_saved(session, case.id, workflow)
    return state


def _keep_saved(session: Session, case_id: int, workflow: BpmnWorkflow) -> None:
    """``workflow`` is, in memory, exactly what this transaction last saved for the case: the next restore
    in the transaction takes it instead of parsing the saved JSON again.  Forgotten at any rollback (also of a
    SAVEPOINT) with the rest of the transaction memo."""
    transaction_memo(session).setdefault(SAVED_WORKFLOWS_KEY, {})[case_id] = workflow


def forget_saved(session: Session, case_id: int) -> None:
    """The saved state was replaced by other means than ``save_workflow``: restore it from the row."""
    transaction_memo(session).get(SAVED_WORKFLOWS_KEY, {}).pop(case_id, None)


def _saved_in_memory(session: Session, case_id: int, *, take: bool) -> BpmnWorkflow | None:
    kept: dict[int, BpmnWorkflow] = transaction_memo(session).get(SAVED_WORKFLOWS_KEY, {})
    workflow = kept.pop(case_id, None) if take else kept.get(case_id)
    return workflow if workflow is not None and held(session, WorkflowState, case_id) is not None else None


def restore_workflow(
    session: Session,
    case: Case,
    definition: ProcessDefinition,
    environment: SafeEnvironment,
    *,
    read_only: bool = False,
) -> BpmnWorkflow:
    """The case's workflow as last saved.  Restored once per transaction: a workflow this transaction saved
    or restored is taken from memory (by the caller, who may change it and save it again; a ``read_only``
    caller leaves it there for the next one and must not change it)."""
    kept = _saved_in_memory(session, case.id, take=not read_only)
    if kept is not None:
        kept.script_engine = SafeScriptEngine(environment)
        return kept
    workflow = _restore_saved(session, case, definition)
    if read_only:
        _keep_saved(session, case.id, workflow)
    workflow.script_engine = SafeScriptEngine(environment)
    return workflow


def _restore_saved(session: Session, case: Case, definition: ProcessDefinition) -> BpmnWorkflow:
    state = session.get(WorkflowState, case.id)
    if state is None:
        raise LookupError(f"case {case.id} has no saved workflow")
    hold(session, state, case.id)
    dct = json.loads(state.state_json)
    if state.serializer_version == str(SERIALIZER.VERSION):
        spec, subprocess_specs = definition_specs(definition)
        workflow = _WORKFLOWS.from_dict_onto(dct, spec, subprocess_specs)
    else:  # saved by an older SpiffWorkflow: let the serializer migrate the full document
        dct.update(json.loads(_spec_json(definition.sha256, definition.bpmn_xml, definition.process_id)))
        dct[SERIALIZER.VERSION_KEY] = state.serializer_version
        SERIALIZER.migrate(dct)
        workflow = SERIALIZER.from_dict(dct)
    return cast(BpmnWorkflow, workflow)


def find_task(workflow: BpmnWorkflow, task_uuid: str) -> Any | None:
    try:
        return workflow.get_task_from_id(UUID(task_uuid))
    except TaskNotFoundException:
        return None


def ready_human_tasks(workflow: BpmnWorkflow) -> list[Any]:
    return list(workflow.get_tasks(state=TaskState.READY, manual=True))


def sync_tasks(
    session: Session,
    case: Case,
    workflow: BpmnWorkflow,
    *,
    fresh: bool = False,
    ready_tasks: list[Any] | None = None,
) -> list[CaseTask]:
    """Make the case's open CaseTask rows match the workflow's READY human tasks; return new rows.
    ``fresh``: the case was created in this unit of work, so it has no rows yet.  ``ready_tasks``: the
    workflow's ``ready_human_tasks``, when the caller has just listed them (the workflow unchanged since)."""
    listed = ready_human_tasks(workflow) if ready_tasks is None else ready_tasks
    ready = {str(task.id): task for task in listed}
    states = take_task_states(session, case.id)  # taken in any case: it does not know the rows written now
    found = _known_rows(session, TASK_ROWS_KEY, case.id)
    if found is None and fresh:
        found = []
    elif found is None:
        # the case and its saved workflow, which the read's autoflush would write: one UPDATE each
        saved = held(session, WorkflowState, case.id)
        update_rows(session, [case] if saved is None else [case, saved])
        if states is not None and not rows_to_change(states, ready):
            added = [new_task_row(case, task) for uuid, task in ready.items() if uuid not in states]
            session.add_all(added)  # the rows it has are not all in the session: read them when asked
            transaction_memo(session).get(TASK_ROWS_KEY, {}).pop(case.id, None)
            return added
        found = list(session.scalars(select(CaseTask).where(CaseTask.case_id == case.id)))
    rows = {row.task_uuid: row for row in found}
    for uuid, row in rows.items():
        if row.state in OPEN_TASK_STATES and uuid not in ready:
            row.state = "cancelled"
    created: list[CaseTask] = []
    for uuid, task in ready.items():
        existing = rows.get(uuid)
        if existing is None:
            created.append(new_task_row(case, task))
            session.add(created[-1])
        elif existing.state not in OPEN_TASK_STATES:  # re-opened by a retry
            existing.state, existing.claimed_by, existing.claimed_at = "ready", None, None
    _remember_rows(session, TASK_ROWS_KEY, case.id, [*found, *created])
    return created


def add_task_rows(session: Session, case: Case, rows: list[CaseTask]) -> None:
    """Add task rows of the case written outside ``sync_tasks``; the next save knows them without reading."""
    session.add_all(rows)
    known = _known_rows(session, TASK_ROWS_KEY, case.id)
    if known is not None:
        _remember_rows(session, TASK_ROWS_KEY, case.id, [*known, *rows])


def keep_opened_rows(session: Session, case: Case, rows: list[CaseTask]) -> None:
    """``rows`` are all the task rows of a case opened in this transaction: known again after a rolled-back
    SAVEPOINT (a failed service task) made the transaction forget what it knew."""
    if _known_rows(session, TASK_ROWS_KEY, case.id) is None:
        _remember_rows(session, TASK_ROWS_KEY, case.id, rows)


def new_task_row(case: Case, task: Any) -> CaseTask:
    """The open (ready) task row of a READY human task of the workflow."""
    spec = task.task_spec
    properties = (getattr(spec, "extensions", None) or {}).get("properties") or {}
    return CaseTask(
        tenant_id=case.tenant_id,
        case_id=case.id,
        task_uuid=str(task.id),
        bpmn_id=spec.bpmn_id,
        name=spec.bpmn_name or spec.bpmn_id,
        lane=spec.lane,
        role=role_for_lane(spec.lane),
        state="ready",
        form_key=properties.get("formKey"),
        due_date=case.due_date,
        data={},
    )


def _timer_fire_at(task: Any) -> dt.datetime | None:
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):  # cycle timers keep {"next": ...}
        value = value.get("next")
    if not isinstance(value, str):
        return None
    return TimerEventDefinition.get_datetime(value)


def waiting_timers(workflow: BpmnWorkflow) -> dict[str, Any]:
    """WAITING timer-event tasks by task uuid."""
    return {
        str(task.id): task
        for task in workflow.get_tasks(state=TaskState.WAITING)
        if isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition)
    }


def sync_timers(
    session: Session, case: Case, workflow: BpmnWorkflow, *, fresh: bool = False
) -> list[PendingTimer]:
    """One unfired PendingTimer row per waiting timer, with its UTC fire time; drop the stale ones.  Returns
    the new rows."""
    waiting = waiting_timers(workflow)
    found = [] if fresh else _known_rows(session, TIMER_ROWS_KEY, case.id)
    if found is None and not waiting and _drop_unfired_timers(session, case):
        return []
    if found is None:
        found = list(session.scalars(select(PendingTimer).where(PendingTimer.case_id == case.id)))
    rows = {t.task_uuid: t for t in found}
    kept = []
    created = []
    for uuid, row in rows.items():
        if not row.fired and uuid not in waiting:
            session.delete(row)
        else:
            kept.append(row)
    for uuid, task in waiting.items():
        fire_at = _timer_fire_at(task)
        if fire_at is None:
            continue
        timer = rows.get(uuid)
        if timer is None:
            timer = PendingTimer(tenant_id=case.tenant_id, case_id=case.id, task_uuid=uuid, fire_at=fire_at)
            session.add(timer)
            kept.append(timer)
            created.append(timer)
        elif not timer.fired:
            timer.fire_at = fire_at
    _remember_rows(session, TIMER_ROWS_KEY, case.id, kept)
    return created


_TIMERS = cast(Table, PendingTimer.__table__)
# Built once (its cache key is kept): Core, naming the case's tenant.
_DROP_UNFIRED = delete(_TIMERS).where(
    _TIMERS.c.case_id == bindparam("case"),
    _TIMERS.c.tenant_id == bindparam("tenant"),
    _TIMERS.c.fired.is_(False),
)


def _drop_unfired_timers(session: Session, case: Case) -> bool:
    """The case waits on no timer: delete its unfired timer rows without reading them first (their copies in
    the session leave it, as deleted rows do).  False for a session not bound to one tenant (it keeps the
    ORM path, which reads the rows)."""
    if session_tenant(session) is None or session.info.get(CROSS_TENANT_KEY):
        return False
    check_row_tenant(session, case.tenant_id)
    session.flush()  # timers marked fired in this transaction are fired in the database before the DELETE
    run_prebuilt(session, _DROP_UNFIRED, {"case": case.id, "tenant": case.tenant_id})
    for timer in [row for row in session.identity_map.values() if isinstance(row, PendingTimer)]:
        if timer.case_id == case.id and not timer.fired:
            session.expunge(timer)
    transaction_memo(session).get(TIMER_ROWS_KEY, {}).pop(case.id, None)  # fired rows: not known
    return True


def mark_timers_fired(workflow: BpmnWorkflow, task_uuids: list[str]) -> int:
    """Tell the workflow these timers are due (our scheduler's clock decides, not the engine's)."""
    fired = 0
    for uuid in task_uuids:
        task = find_task(workflow, uuid)
        if task is not None and task.has_state(TaskState.WAITING):
            task.internal_data["event_fired"] = True
            fired += 1
    return fired
