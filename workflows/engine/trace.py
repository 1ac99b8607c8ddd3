"""The path a case took: the BPMN ids of its completed tasks, in the order they completed."""

from __future__ import annotations

from SpiffWorkflow.util.task import TaskState

from handlers.uow import UnitOfWork
from models.case import Case, ProcessDefinition
from workflows.engine import store
from workflows.engine.execution import environment

TASK_SUFFIXES = ("Task", "Activity")


def completed_path(uow: UnitOfWork, case_id: int) -> list[str]:
    """Completed user, service and script tasks of the case (repeats included, e.g. an intake after a rejection)."""
    case = uow.session.get(Case, case_id)
    definition = uow.session.get(ProcessDefinition, case.definition_id) if case else None
    if case is None or definition is None:
        return []
    workflow = store.restore_workflow(uow.session, case, definition, environment(uow, case), read_only=True)
    done = [
        task
        for task in workflow.get_tasks(state=TaskState.COMPLETED)
        if task.task_spec.bpmn_id and type(task.task_spec).__name__.endswith(TASK_SUFFIXES)
    ]
    done.sort(key=lambda task: task.last_state_change)
    return [task.task_spec.bpmn_id for task in done]
