"""The service operators every change type gets: ``<code>.record_provisional``, ``<code>.register`` and
``<code>.queue_notices``.  A flow file only names them.

They are supplied to the engine's registry by a resolver (``workflows.engine.registry.add_resolver``), so
they exist for every change type registered in ``handlers.changes.catalog`` before any flow is validated,
deployed or run; an operator registered explicitly under the same name (a test's) wins.

An operator that refuses (a ValidationError because the register changed since intake, a lock taken by
another case) leaves the error in ``session.info`` so the door that drove the engine can raise it as it was.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, update

from handlers.audit import record_access
from handlers.cases.locks import release_locks, take_locks
from handlers.cases.outbox import queue_case_notices
from handlers.cases.pending import mark_registered, pending_change_of, require_pending, save_provisional
from handlers.changes.base import Assessment, change_type, change_types
from handlers.errors import DomainError, Problem, ValidationError
from handlers.uow import UnitOfWork
from models.case import Case
from models.resident import ResidentHistory
from workflows.engine import registry
from workflows.engine.registry import ServiceContext

STEPS = ("record_provisional", "register", "queue_notices")
FAILURE_KEY = "case_operator_error"
CATALOG_MODULE = "handlers.changes.catalog"

Operator = Callable[..., dict[str, Any]]
_BOUND: dict[str, dict[str, Operator]] = {}


def stash_failure(uow: UnitOfWork, error: DomainError) -> None:
    uow.session.info[FAILURE_KEY] = error


def take_failure(uow: UnitOfWork) -> DomainError | None:
    error = uow.session.info.pop(FAILURE_KEY, None)
    return error if isinstance(error, DomainError) else None


def intake_of(ctx: ServiceContext) -> dict[str, Any]:
    intake = ctx.data.get("intake")
    if not isinstance(intake, dict):
        raise ValidationError(
            [Problem("intake", "届出内容", "入力されていません", "届出内容を入力してください。", "required")]
        )
    return intake


def subject_numbers(subjects: list[str], kind: str) -> list[str]:
    return [s.split(":", 1)[1] for s in subjects if s.startswith(f"{kind}:")]


def assess_current(ctx: ServiceContext, code: str) -> Assessment:
    """Assess the case's intake against the register as it is now; errors refuse."""
    assessment = change_type(code).assess(ctx.uow, intake_of(ctx))
    if assessment.problems:
        raise ValidationError(assessment.problems)
    return assessment


def record_provisional(ctx: ServiceContext, code: str) -> dict[str, Any]:
    assessment = assess_current(ctx, code)
    subjects = take_locks(ctx.uow, ctx.case, assessment.subjects)
    pending = save_provisional(ctx.uow, ctx.case, code, assessment)
    ctx.case.subject_atena_numbers = subject_numbers(subjects, "resident")
    ctx.case.subject_household_numbers = subject_numbers(subjects, "household")
    return {
        "pending_change_id": pending.id,
        "alerts": [alert.code for alert in assessment.alerts],
        "subjects": subjects,
    }


def _tag_history(ctx: ServiceContext, atena_numbers: list[str], after_id: int) -> None:
    """Stamp the history rows this registration appended with the case (``ResidentHistory.case_id``)."""
    if not atena_numbers:
        return
    ctx.session.execute(
        update(ResidentHistory)
        .where(
            ResidentHistory.id > after_id,
            ResidentHistory.atena_number.in_(atena_numbers),
            ResidentHistory.case_id.is_(None),
        )
        .values(case_id=ctx.case.id)
        .execution_options(synchronize_session=False)
    )


def register_change(ctx: ServiceContext, code: str) -> dict[str, Any]:
    pending = require_pending(ctx.uow, ctx.case.id)
    assess_current(ctx, code)
    last_history = ctx.session.scalar(select(func.max(ResidentHistory.id))) or 0
    result = change_type(code).register(ctx.uow, pending.proposal)
    ctx.session.flush()
    _tag_history(ctx, list(result.atena_numbers), last_history)
    mark_registered(pending, result)
    release_locks(ctx.uow, ctx.case.id)
    case: Case = ctx.case
    case.subject_atena_numbers = list(result.atena_numbers)
    case.subject_household_numbers = list(result.household_numbers)
    record_access(
        ctx.uow,
        "change_registered",
        "change",
        result.atena_numbers,
        detail={"case_number": case.case_number, "change_type": code, "summary": result.summary},
    )
    return {
        "atena_numbers": list(result.atena_numbers),
        "household_numbers": list(result.household_numbers),
        "documents": list(result.documents),
        "registered_on": dt.date.today().isoformat(),
    }


def queue_notices(ctx: ServiceContext, code: str) -> dict[str, Any]:
    pending = pending_change_of(ctx.uow, ctx.case.id)
    if pending is None or pending.status != "registered" or pending.result is None:
        raise ValidationError(
            [
                Problem(
                    "case", "案件", "本登録されていません", "本登録の後に通知してください。", "not_registered"
                )
            ]
        )
    rows = queue_case_notices(ctx.uow, ctx.case, pending.result.get("notices") or [])
    return {"queued": len(rows), "keys": [row.idempotency_key for row in rows]}


_STEP_FUNCTIONS: dict[str, Callable[[ServiceContext, str], dict[str, Any]]] = {
    "record_provisional": record_provisional,
    "register": register_change,
    "queue_notices": queue_notices,
}


def _bind(step: str, code: str) -> Operator:
    body = _STEP_FUNCTIONS[step]

    def operator(ctx: ServiceContext, **_params: Any) -> dict[str, Any]:
        try:
            return body(ctx, code)
        except DomainError as error:
            stash_failure(ctx.uow, error)
            raise

    operator.__qualname__ = f"{code}.{step}"
    return operator


def register_operators_for(code: str) -> dict[str, Operator]:
    """The three generic operators of change type ``code`` (created once, then the same functions)."""
    if code not in _BOUND:
        _BOUND[code] = {f"{code}.{step}": _bind(step, code) for step in STEPS}
    return _BOUND[code]


def resolve_operator(name: str) -> Operator | None:
    """Registry resolver: ``<code>.<step>`` for a registered change type, else None."""
    code, _, step = name.rpartition(".")
    if step not in STEPS or not code:
        return None
    if code not in change_types():
        importlib.import_module(CATALOG_MODULE)
    if code not in change_types():
        return None
    return register_operators_for(code)[name]


registry.add_resolver(resolve_operator)
