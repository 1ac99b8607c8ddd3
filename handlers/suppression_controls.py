"""Setting and lifting suppression (j410, j440): per-process suppressions, the officer's release of one stopped
request, and temporary lifts.  Separate permissions for set, release and temporary lift (j1380).

A temporary lift is never sent to other systems (no outbox row): it reverts by time alone, checked by the
decision, so no job is needed and nobody elsewhere mistakes it for a release.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.errors import ConflictError, NotFoundError, Problem, ValidationError
from handlers.permissions import require
from handlers.rules.disclosure import PURPOSE_PROCESS, PURPOSES, DisclosureRequest, decide
from handlers.support_measures import ACTIVE_STATUSES
from handlers.support_notices import queue_suppression_notices
from handlers.suppression import load_facts, request_fingerprint, utcnow
from handlers.uow import UnitOfWork
from models.support import SupportMeasure
from models.suppression import (
    SUPPRESSION_LEVELS,
    SUPPRESSION_PROCESSES,
    DisclosureRelease,
    Suppression,
    TemporaryLift,
)
from models.tenant import Municipality

DEFAULT_LIFT_MINUTES = 30
PROCESS_LABELS = {"change_input": "異動入力", "certificate": "証明書発行", "inquiry": "照会"}
LEVEL_LABELS = {"error": "エラー", "alert": "アラート"}


def _required_text(value: str | None, field: str, item: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(
            [Problem(field, item, "入力されていません", f"{item}を入力してください", "required")]
        )
    return text


# --- the officer's release of one request (j440) ---------------------------------------------------------


def request_release(uow: UnitOfWork, request: DisclosureRequest) -> int:
    """The clerk who was stopped asks the support-measure officer to review exactly this request."""
    require(uow.actor, "resident.view")
    facts = load_facts(uow.session, request, utcnow())
    if decide(request, facts).outcome != "needs_release":
        raise ConflictError("この請求は支援措置責任者の解除を必要としていません。")
    release = DisclosureRelease(
        fingerprint=request_fingerprint(request),
        subjects=sorted(set(request.subjects)),
        purpose=request.purpose,
        requester_kind=request.requester.kind,
        requested_by=uow.actor.user_id,
        requested_by_login=uow.actor.login_id,
        requested_at=utcnow(),
    )
    uow.session.add(release)
    uow.session.flush()
    detail = {"release_id": release.id, "purpose": request.purpose, "requester_kind": request.requester.kind}
    record_access(uow, "disclosure_release_requested", "change", targets=release.subjects, detail=detail)
    return release.id


def grant_release(uow: UnitOfWork, release_id: int, reason: str) -> DisclosureRelease:
    """After review, the support-measure officer releases the stop for that one request (single use)."""
    require(uow.actor, "support.release")
    text = _required_text(reason, "reason", "解除の理由")
    release = uow.session.get(DisclosureRelease, release_id)
    if release is None:
        raise NotFoundError("指定された解除申請はありません。")
    if release.released_at is not None:
        raise ConflictError("この解除申請は既に解除済みです。")
    release.released_by, release.released_at, release.reason = uow.actor.user_id, utcnow(), text
    uow.session.flush()
    detail = {"release_id": release.id, "purpose": release.purpose, "requester_kind": release.requester_kind}
    record_access(uow, "disclosure_release_granted", "change", targets=release.subjects, detail=detail)
    return release


def pending_releases(uow: UnitOfWork) -> list[DisclosureRelease]:
    """Requests waiting for the officer's review, oldest first."""
    require(uow.actor, "support.view")
    stmt = (
        select(DisclosureRelease)
        .where(DisclosureRelease.released_at.is_(None))
        .order_by(DisclosureRelease.id)
    )
    return list(uow.session.scalars(stmt))


# --- temporary lift (一時解除, j410) ---------------------------------------------------------------------


def lift_minutes_limit(uow: UnitOfWork) -> int:
    """The configured time until a temporary lift reverts (Municipality.settings["temporary_lift_minutes"])."""
    municipality = uow.session.get(Municipality, uow.actor.tenant_id)
    value = (municipality.settings or {}).get("temporary_lift_minutes") if municipality else None
    return int(value) if isinstance(value, int) and value > 0 else DEFAULT_LIFT_MINUTES


def _lift_target(uow: UnitOfWork, measure_id: int | None, suppression_id: int | None) -> list[str]:
    if (measure_id is None) == (suppression_id is None):
        raise ValueError("exactly one of measure_id and suppression_id")
    if measure_id is not None:
        measure = uow.session.get(SupportMeasure, measure_id)
        if measure is None or measure.status not in ACTIVE_STATUSES:
            raise NotFoundError("一時解除できる支援措置が見つかりません。")
        return [p.atena_number for p in measure.parties if p.atena_number and p.role != "perpetrator"]
    suppression = uow.session.get(Suppression, suppression_id)
    if suppression is None or suppression.released_at is not None:
        raise NotFoundError("一時解除できる抑止が見つかりません。")
    return [suppression.atena_number] if suppression.atena_number else []


def lift_temporarily(
    uow: UnitOfWork,
    *,
    measure_id: int | None = None,
    suppression_id: int | None = None,
    purpose: str,
    minutes: int | None = None,
    reason: str | None = None,
    now: dt.datetime | None = None,
) -> TemporaryLift:
    """Lift a measure's or a suppression's stop for one purpose, for ``minutes`` (at most the configured
    time, which is also the default).  It reverts on its own once expired."""
    require(uow.actor, "support.lift_temporarily")
    if purpose not in PURPOSES:
        raise ValidationError(
            [Problem("purpose", "解除する処理", "選べる値ではありません", "一覧から選んでください", "choice")]
        )
    limit = lift_minutes_limit(uow)
    span = limit if minutes is None else minutes
    if not 0 < span <= limit:
        remedy = f"1〜{limit}分で指定してください"
        raise ValidationError([Problem("minutes", "一時解除の時間", "設定できる範囲外です", remedy, "range")])
    targets = _lift_target(uow, measure_id, suppression_id)
    moment = now or utcnow()
    lift = TemporaryLift(
        measure_id=measure_id,
        suppression_id=suppression_id,
        purpose=purpose,
        reason=(reason or "").strip() or None,
        lifted_by=uow.actor.user_id,
        lifted_at=moment,
        expires_at=moment + dt.timedelta(minutes=span),
    )
    uow.session.add(lift)
    uow.session.flush()
    detail = {"lift_id": lift.id, "measure_id": measure_id, "suppression_id": suppression_id,
              "purpose": purpose, "minutes": span}  # fmt: skip
    record_access(uow, "suppression_lifted_temporarily", "change", targets=targets, detail=detail)
    return lift


# --- per-process suppression (j410) ----------------------------------------------------------------------


def _suppression_problems(process: str, level: str, start: dt.date, end: dt.date | None) -> list[Problem]:
    problems = []
    if process not in SUPPRESSION_PROCESSES:
        problems.append(
            Problem("process", "抑止する処理", "選べる値ではありません", "一覧から選んでください", "choice")
        )
    if level not in SUPPRESSION_LEVELS:
        problems.append(
            Problem(
                "level", "抑止レベル", "選べる値ではありません", "エラーかアラートを選んでください", "choice"
            )
        )
    if end is not None and end < start:
        reason, remedy = "開始日より前になっています", "開始日以後の日付を入力してください"
        problems.append(Problem("end_date", "抑止の終了日", reason, remedy, "order"))
    return problems


def set_suppression(
    uow: UnitOfWork,
    *,
    process: str,
    level: str,
    start_date: dt.date,
    reason: str,
    atena_number: str | None = None,
    household_number: str | None = None,
    end_date: dt.date | None = None,
) -> Suppression:
    """抑止設定 for a person or a household.  A certificate suppression is sent to CS and コンビニ交付, every
    suppression to the addressee system (j410, j420)."""
    require(uow.actor, "support.set")
    if (atena_number is None) == (household_number is None):
        reason_text, remedy = (
            "個人か世帯のどちらか一方を指定してください",
            "宛名番号または世帯番号を入力してください",
        )
        raise ValidationError([Problem("atena_number", "抑止の対象", reason_text, remedy, "required")])
    problems = _suppression_problems(process, level, start_date, end_date)
    if problems:
        raise ValidationError(problems)
    suppression = Suppression(
        atena_number=atena_number,
        household_number=household_number,
        process=process,
        level=level,
        start_date=start_date,
        end_date=end_date,
        reason=_required_text(reason, "reason", "抑止の理由"),
        created_by=uow.actor.user_id,
    )
    uow.session.add(suppression)
    uow.session.flush()
    _log_suppression(uow, "suppression_set", suppression)
    queue_suppression_notices(uow, suppression, "set")
    return suppression


def release_suppression(uow: UnitOfWork, suppression_id: int, reason: str) -> Suppression:
    """抑止解除: the only way a suppression ends (its end date passing does not)."""
    require(uow.actor, "support.release")
    text = _required_text(reason, "reason", "解除の理由")
    suppression = uow.session.get(Suppression, suppression_id)
    if suppression is None:
        raise NotFoundError("指定された抑止はありません。")
    if suppression.released_at is not None:
        raise ConflictError("この抑止は既に解除されています。")
    suppression.released_at, suppression.released_by, suppression.release_reason = (
        utcnow(),
        uow.actor.user_id,
        text,
    )
    uow.session.flush()
    _log_suppression(uow, "suppression_released", suppression)
    queue_suppression_notices(uow, suppression, "released")
    return suppression


def suppressions_for(
    uow: UnitOfWork, *, atena_number: str | None = None, household_number: str | None = None
) -> list[Suppression]:
    """The per-process suppressions set on one person or one household (released ones too, newest first),
    for the officer's settings page; logged as ``suppressions_viewed``."""
    require(uow.actor, "support.view")
    stmt = select(Suppression).order_by(Suppression.id.desc())
    if atena_number:
        stmt = stmt.where(Suppression.atena_number == atena_number)
    elif household_number:
        stmt = stmt.where(Suppression.household_number == household_number)
    else:
        return []
    found = list(uow.session.scalars(stmt))
    detail = {"household_number": household_number, "count": len(found)}
    record_access(
        uow, "suppressions_viewed", "view", targets=[atena_number] if atena_number else [], detail=detail
    )
    return found


def _log_suppression(uow: UnitOfWork, function: str, suppression: Suppression) -> None:
    detail: dict[str, Any] = {"suppression_id": suppression.id, "process": suppression.process,
                              "level": suppression.level, "household_number": suppression.household_number}  # fmt: skip
    targets = [suppression.atena_number] if suppression.atena_number else []
    record_access(uow, function, "change", targets=targets, detail=detail)


__all__ = [
    "LEVEL_LABELS", "PROCESS_LABELS", "PURPOSE_PROCESS", "grant_release", "lift_minutes_limit", "lift_temporarily",
    "pending_releases", "release_suppression", "request_release", "set_suppression", "suppressions_for",
]  # fmt: skip
