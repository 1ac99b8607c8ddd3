"""The service operators every change type gets: ``<code>.record_provisional``, ``<code>.register`` and
``<code>.queue_notices``.  A flow file only names them.

They are supplied to the engine's registry by a resolver (``workflows.engine.registry.add_resolver``), so
they exist for every change type registered in ``handlers.changes.catalog`` before any flow is validated,
deployed or run; an operator registered explicitly under the same name (a test's) wins.

An operator that refuses (a ValidationError because the register changed since intake, a lock taken by
another case) leaves the error in ``session.info`` so the door that drove the engine can raise it as it was.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
from collections.abc import Callable
from typing import Any, cast

from handlers.audit import record_access
from handlers.cases.locks import forget_released, releasing_locks, take_locks
from handlers.cases.notifier import read_notifier
from handlers.cases.outbox import queue_case_notices, registered_here, was_registered_here
from handlers.cases.pending import mark_registered, pending_change_of, require_pending, save_provisional
from handlers.changes.base import Assessment, change_type, change_types
from handlers.clock import japan_today
from handlers.errors import DomainError, Problem, ValidationError
from handlers.residents.cautions import apply_cautions, check_intake_caution, templates_needed
from handlers.residents.history import history_of_case
from handlers.row_writes import assign_changed, update_rows
from handlers.uow import UnitOfWork
from models.case import Case
from models.resident import ResidentHistory
from workflows.engine import registry
from workflows.engine.registry import ServiceContext

STEPS = ("record_provisional", "register", "queue_notices")
FAILURE_KEY = "case_operator_error"
ASSESSMENT_KEY = "case_door_assessment"
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


def remember_assessment(uow: UnitOfWork, code: str, intake: dict[str, Any], assessment: Assessment) -> None:
    """Keep the door's assessment for the operator its engine run calls next in the same unit of work:
    only case rows are written in between, so assessing the same intake again would find the same."""
    kept = dataclasses.replace(assessment, problems=list(assessment.problems), alerts=list(assessment.alerts))
    uow.session.info[ASSESSMENT_KEY] = (code, copy.deepcopy(intake), kept)


def _remembered(uow: UnitOfWork, code: str, intake: dict[str, Any]) -> Assessment | None:
    kept = uow.session.info.pop(ASSESSMENT_KEY, None)
    if kept is not None and kept[0] == code and kept[1] == intake:
        return cast(Assessment, kept[2])
    return None


def assess_current(ctx: ServiceContext, code: str) -> Assessment:
    """Assess the case's intake against the register as it is now (the door's assessment of the same intake
    in this unit of work, when there is one); errors refuse."""
    intake = intake_of(ctx)
    assessment = _remembered(ctx.uow, code, intake) or change_type(code).assess(ctx.uow, intake)
    if assessment.problems:
        raise ValidationError(assessment.problems)
    return assessment


def record_provisional(ctx: ServiceContext, code: str) -> dict[str, Any]:
    assessment = assess_current(ctx, code)
    check_intake_caution(intake_of(ctx), code)  # the 留意事項 entered at intake (j140)
    notifier, wrong = read_notifier(code, intake_of(ctx))  # the 届出人 entered at intake (j580)
    if wrong:
        raise ValidationError(wrong)
    subjects = take_locks(ctx.uow, ctx.case, assessment.subjects)
    pending = save_provisional(ctx.uow, ctx.case, code, assessment, notifier=notifier)
    assign_changed(
        ctx.case,
        subject_atena_numbers=subject_numbers(subjects, "resident"),
        subject_household_numbers=subject_numbers(subjects, "household"),
    )
    return {
        "pending_change_id": pending.id,
        "alerts": [alert.code for alert in assessment.alerts],
        "subjects": subjects,
    }


def _untag_others(appended: list[ResidentHistory], atena_numbers: list[str]) -> None:
    """The case stamps the history rows of the persons its registration is about
    (``ResidentHistory.case_id``); a row appended for anyone else (a household member whose record changed
    along) is not the case's."""
    subjects = set(atena_numbers)
    for row in appended:
        if row.atena_number not in subjects:
            row.case_id = None


def register_change(ctx: ServiceContext, code: str) -> dict[str, Any]:
    pending = require_pending(ctx.uow, ctx.case.id)
    assess_current(ctx, code)
    # read before the 本登録, whose counters stay locked to COMMIT: the 留意事項 templates (j140)
    templates = templates_needed(ctx.uow, code, intake_of(ctx))
    with history_of_case(ctx.session, ctx.case.id) as appended:
        result = change_type(code).register(ctx.uow, pending.proposal)
    _untag_others(appended, list(result.atena_numbers))
    apply_cautions(ctx.uow, appended, intake_of(ctx), templates)  # 留意事項 (j140)
    if ctx.session.autoflush:
        ctx.session.flush()  # what the registration left unwritten, before its locks go (as their DELETE's autoflush)
    mark_registered(pending, result)
    registered_here(ctx.uow, ctx.case.id)
    # the pending change's UPDATE and the DELETE of the case's locks: one statement on PostgreSQL
    update_rows(ctx.session, [pending], along=releasing_locks(ctx.uow, ctx.case.id))
    forget_released(ctx.uow, ctx.case.id)
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
        "registered_on": japan_today().isoformat(),
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
    # the juki_net handlers use the outbox's queue, which imports this package: imported when first used
    from handlers.juki_net.card_destinations import (  # noqa: PLC0415
        card_destination_messages,
        change_card_destinations,
        kept_card_destinations,
    )
    from handlers.juki_net.my_number_requests import (  # noqa: PLC0415
        send_generation_requests,
        track_change_requests,
    )

    notices = list(pending.result.get("notices") or [])
    fresh = was_registered_here(ctx.uow, ctx.case.id)  # nothing of the case queued yet: nothing to read
    cards = change_card_destinations(ctx.uow, ctx.case, notices, nothing_queued=fresh)  # 送付先情報 (j1120)
    # the case's notices, then the 送付先情報: one block of numbers per destination, one statement writing them
    keys = queue_case_notices(
        ctx.uow,
        ctx.case,
        notices,
        card_destination_messages(cards),
        kept_card_destinations(ctx.uow, cards, ctx.case),
    )
    send_generation_requests(ctx.uow, ctx.case, notices, nothing_queued=fresh)  # 個人番号の生成要求 (j1130)
    track_change_requests(ctx.uow, ctx.case, notices, keys)  # 個人番号の変更要求 (j1130)
    return {"queued": len(keys), "keys": keys}


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
