"""The work queue: list, claim, release and assign human tasks.  Plain SQL over CaseTask rows.

A claim is a conditional UPDATE (``... WHERE state = 'ready'``): of two clerks claiming at once, one
updates the row and the other updates nothing and gets a ConflictError.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, Update, bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value

from handlers.context import Actor
from handlers.errors import ConflictError, NotFoundError, PermissionDeniedError
from handlers.row_writes import run_prebuilt
from handlers.tenancy import check_row_tenant
from handlers.uow import UnitOfWork
from models.case import Case, CaseTask
from models.user import User
from workflows.engine.lanes import is_system_task
from workflows.engine.task_states import note_task_state
from workflows.engine.timeline import record_event, utcnow

ASSIGNING_ROLES = frozenset({"supervisor", "system"})
CLAIM_CONFLICT = "このタスク（{}）は他の職員が担当しているか、既に完了しています。"


def ready_tasks(
    uow: UnitOfWork, *, role: str | None = None, claimed_by: str | None = None, state: str | None = None
) -> list[CaseTask]:
    """Open tasks (ready or claimed, unless ``state`` says otherwise), oldest first."""
    stmt = select(CaseTask).order_by(CaseTask.created_at, CaseTask.id)
    stmt = (
        stmt.where(CaseTask.state == state) if state else stmt.where(CaseTask.state.in_(("ready", "claimed")))
    )
    if role is not None:
        stmt = stmt.where(CaseTask.role == role)
    if claimed_by is not None:
        stmt = stmt.where(CaseTask.claimed_by == claimed_by)
    return list(uow.session.scalars(stmt))


def incidents(uow: UnitOfWork) -> list[Case]:
    """Cases stopped by a failing service task, script or expression."""
    stopped = select(Case).where(Case.status == "incident").order_by(Case.updated_at, Case.id)
    return list(uow.session.scalars(stopped))


def get_task(uow: UnitOfWork, task_id: int) -> CaseTask:
    """The task row: read once per transaction, then as this transaction last wrote it (every change of a
    task's state is a conditional UPDATE … RETURNING that refreshes the row, so a stale copy can only make
    that UPDATE find nothing and refuse)."""
    row = uow.session.get(CaseTask, task_id)
    if row is None:
        raise NotFoundError("指定されたタスクはありません。")
    return row


SYSTEM_TASK_MESSAGE = (
    "このタスク（{}）は外部システムの応答を取り込むと自動で完了します。職員は担当・完了できません。"
)


def check_role(actor: Actor, row: CaseTask) -> None:
    if is_system_task(row.bpmn_id) and not actor.is_system:
        raise PermissionDeniedError(SYSTEM_TASK_MESSAGE.format(row.name))
    if actor.is_system or (row.role is not None and actor.has_role(row.role)):
        return
    raise PermissionDeniedError(f"このタスク（{row.name}）を担当する役割がありません。")


_TASKS = cast(Table, CaseTask.__table__)


def transition(
    uow: UnitOfWork, row: CaseTask, expected: Mapping[str, Any], message: str, **values: Any
) -> CaseTask:
    """UPDATE the row only if its columns still hold the ``expected`` values (a tuple: one of them; otherwise
    someone else got there first); the row as updated comes back from the same statement (RETURNING) into
    the session's copy of it.  A prebuilt Core statement scoped by the row's own tenant: the ORM's bulk
    UPDATE machinery cost more than the round trip."""
    session = uow.session
    check_row_tenant(session, row.tenant_id)
    if session.autoflush:
        session.flush()  # as the ORM statement's autoflush did
    checked = tuple(sorted((key, isinstance(value, tuple)) for key, value in expected.items()))
    params: dict[str, Any] = {"row_id": row.id, "row_tenant": row.tenant_id}
    params.update({f"expected_{key}": list(value) if isinstance(value, tuple) else value
                   for key, value in expected.items()})  # fmt: skip
    params.update({f"new_{key}": value for key, value in values.items()})
    updated = run_prebuilt(session, _transition_statement(checked, tuple(sorted(values))), params).rows
    if not updated:
        raise ConflictError(message)
    for key, value in zip(_TASKS.c.keys(), updated[0], strict=True):
        set_committed_value(row, key, value)
    note_task_state(session, row)
    return row


@cache
def _transition_statement(checked: tuple[tuple[str, bool], ...], changed: tuple[str, ...]) -> Update:
    """The conditional UPDATE … RETURNING of ``transition``, built once per shape: the ``checked`` columns
    (True: a list of values), the ``changed`` ones and the version."""
    conditions = [
        _TASKS.c[key].in_(bindparam(f"expected_{key}", expanding=True))
        if many
        else _TASKS.c[key] == bindparam(f"expected_{key}")
        for key, many in checked
    ]
    return (
        update(_TASKS)
        .where(_TASKS.c.id == bindparam("row_id"), _TASKS.c.tenant_id == bindparam("row_tenant"), *conditions)
        .values(version=_TASKS.c.version + 1, **{key: bindparam(f"new_{key}") for key in changed})
        .returning(*_TASKS.c)
    )


def _case_of(uow: UnitOfWork, row: CaseTask) -> Case:
    case = uow.session.get(Case, row.case_id)
    if case is None:
        raise NotFoundError("案件が見つかりません。")
    return case


def claim_task(uow: UnitOfWork, task_id: int) -> CaseTask:
    row = get_task(uow, task_id)
    check_role(uow.actor, row)
    row = transition(
        uow,
        row,
        {"state": "ready"},
        CLAIM_CONFLICT.format(row.name),
        state="claimed",
        claimed_by=uow.actor.login_id,
        claimed_at=utcnow(),
    )
    record_event(uow, _case_of(uow, row), "task_claimed", task=row.bpmn_id, task_id=row.id)
    return row


def unclaim_task(uow: UnitOfWork, task_id: int) -> CaseTask:
    row = get_task(uow, task_id)
    conditions: dict[str, Any] = {"state": "claimed"}
    if not (uow.actor.roles & ASSIGNING_ROLES):
        conditions["claimed_by"] = uow.actor.login_id
    row = transition(
        uow,
        row,
        conditions,
        f"このタスク（{row.name}）はあなたが担当していないため、担当を外せません。",
        state="ready",
        claimed_by=None,
        claimed_at=None,
    )
    record_event(uow, _case_of(uow, row), "task_unclaimed", task=row.bpmn_id, task_id=row.id)
    return row


def assign_task(uow: UnitOfWork, task_id: int, user_id: int) -> CaseTask:
    """A supervisor gives a ready or claimed task to ``user_id``, who must hold the task's role."""
    if not (uow.actor.roles & ASSIGNING_ROLES):
        raise PermissionDeniedError("タスクの割り当ては審査者（決裁者）だけが行えます。")
    row = get_task(uow, task_id)
    if is_system_task(row.bpmn_id):
        raise PermissionDeniedError(SYSTEM_TASK_MESSAGE.format(row.name))
    user = uow.session.get(User, user_id)
    if user is None or not user.active:
        raise NotFoundError("割り当て先の職員が見つかりません。")
    if row.role not in (user.roles or []):
        raise PermissionDeniedError(
            f"{user.display_name} さんはこのタスク（{row.name}）を担当する役割がありません。"
        )
    row = transition(
        uow,
        row,
        {"state": ("ready", "claimed")},
        f"このタスク（{row.name}）は既に完了しているか取り消されています。",
        state="claimed",
        claimed_by=user.login_id,
        claimed_at=utcnow(),
    )
    record_event(uow, _case_of(uow, row), "task_assigned", task=row.bpmn_id, task_id=row.id, to=user.login_id)
    return row
