"""Support measures (支援措置, register C): who is protected.  Data, scoping and permissions (j160)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from handlers.audit import record_access
from handlers.clock import japan_today
from handlers.errors import ConflictError, NotFoundError, Problem, ValidationError
from handlers.permissions import require
from handlers.rules.dates import format_wareki
from handlers.rules.support_period import (
    PERIOD_ALERT_LABELS,
    default_end_date,
    extension_allowed,
    extension_opens_on,
    extension_period,
    period_alert,
)
from handlers.support_measure_parties import ROLE_LABELS, build_parties, party_view
from handlers.support_notices import queue_measure_notices
from handlers.uow import UnitOfWork
from models.support import SupportMeasure, SupportMeasureParty

PROTECTED_ROLES = ("applicant", "co_applicant")
ACTIVE_STATUSES = ("requested", "provisional", "in_force")  # only an explicit termination lifts protection


def protection_statuses(
    session: Session, atena_numbers: Collection[str] | None = None
) -> dict[str, set[str]]:
    """Who is protected by a measure in force or provisional (the end date passing does not lift protection;
    only termination does), with the statuses of the measures protecting each: of ``atena_numbers``, or of
    everyone in the municipality when None.  Temporary lifts are not applied here (they belong to one purpose:
    ``handlers.suppression`` honours them)."""
    if atena_numbers is not None and not atena_numbers:
        return {}
    stmt = (
        select(SupportMeasureParty.atena_number, SupportMeasure.status)
        .join(SupportMeasure, SupportMeasure.id == SupportMeasureParty.measure_id)
        .where(SupportMeasureParty.role.in_(PROTECTED_ROLES), SupportMeasure.status.in_(ACTIVE_STATUSES))
    )
    if atena_numbers is not None:
        stmt = stmt.where(SupportMeasureParty.atena_number.in_(list(atena_numbers)))
    found: dict[str, set[str]] = {}
    for atena, status in session.execute(stmt):
        if atena:
            found.setdefault(atena, set()).add(status)
    return found


def protected_flag(atena_number: Any) -> Any:
    """A column of a statement over persons: whether a measure in force or provisional protects the person
    whose 宛名番号 is ``atena_number`` (the filter of ``protection_statuses``, as a correlated EXISTS), so a
    statement that reads persons says at once which of them need their measures read."""
    return (
        select(SupportMeasureParty.id)
        .join(SupportMeasure, SupportMeasure.id == SupportMeasureParty.measure_id)
        .where(
            SupportMeasureParty.atena_number == atena_number,
            SupportMeasureParty.role.in_(PROTECTED_ROLES),
            SupportMeasure.status.in_(ACTIVE_STATUSES),
        )
        .exists()
        .label("is_protected")
    )


def protected_atena_numbers(session: Session, atena_numbers: Collection[str]) -> set[str]:
    """Which of these persons are protected by a measure in force or provisional."""
    return set(protection_statuses(session, atena_numbers))


# --- the register C use cases (j160, j440) -------------------------------------------------------------

SERVICE_LABELS = {
    "inspection": "住民基本台帳の一部の写しの閲覧",
    "certificate": "住民票の写し等の交付",
    "koseki_fuhyo": "戸籍の附票の写し等の交付",
}
ADDRESS_LABELS = {
    "current": "現住所",
    "previous": "前住所",
    "honseki": "本籍",
    "previous_honseki": "前本籍等",
}
VICTIM_KIND_LABELS = {
    "dv": "配偶者暴力等（DV）",
    "stalking": "ストーカー行為等",
    "child_abuse": "児童虐待等",
    "other": "その他これらに準ずる者",
}
STATUS_LABELS = {
    "requested": "申出受付",
    "provisional": "仮支援措置中",
    "in_force": "支援措置中",
    "terminated": "終了",
}
TERMINATION_REASON_LABELS = {
    "victim_request": "支援対象者からの終了の申出",
    "expired": "期間の経過（延長なし）",
    "officer": "市区町村長が支援の必要性がなくなったと認めた",
}


def _choices(values: Sequence[str], labels: Mapping[str, str], field: str, item: str) -> list[Problem]:
    if not values:
        return [Problem(field, item, "選択されていません", "1つ以上選んでください", "required")]
    return [
        Problem(field, item, f"「{v}」は選べる値ではありません", "一覧から選んでください", "choice")
        for v in values
        if v not in labels
    ]


def _measure_problems(
    protected_services: Sequence[str],
    protected_addresses: Sequence[str],
    request_date: dt.date | None,
    victim_kind: str | None,
) -> list[Problem]:
    problems = _choices(protected_services, SERVICE_LABELS, "protected_services", "支援を求める事務")
    problems += _choices(protected_addresses, ADDRESS_LABELS, "protected_addresses", "抑止対象の住所等")
    if victim_kind not in VICTIM_KIND_LABELS:
        reason, remedy = "選ばれていないか、選べる値ではありません", "一覧から選んでください"
        problems.append(Problem("victim_kind", "支援対象者の区分", reason, remedy, "choice"))
    if not isinstance(request_date, dt.date):
        reason, remedy = "入力されていません", "申出の年月日を入力してください"
        problems.append(Problem("request_date", "申出年月日", reason, remedy, "required"))
    return problems


def _targets(measure: SupportMeasure) -> list[str]:
    return [p.atena_number for p in measure.parties if p.atena_number]


def create_support_measure(
    uow: UnitOfWork,
    *,
    applicant: Mapping[str, Any],
    co_applicants: Sequence[Mapping[str, Any]],
    perpetrators: Sequence[Mapping[str, Any]],
    protected_services: list[str],
    protected_addresses: list[str],
    request_date: dt.date,
    victim_kind: str,
    opinion_source: str | None = None,
    opinion_text: str | None = None,
) -> SupportMeasure:
    """Record a 支援措置申出 (j160).  From intake the persons are protected as 仮支援措置 (j440), starting on
    the request date, until the measure is decided or terminated."""
    require(uow.actor, "support.set")
    problems: list[Problem] = []
    parties = build_parties(uow.session, applicant, co_applicants, perpetrators, problems)
    problems += _measure_problems(protected_services, protected_addresses, request_date, victim_kind)
    if problems:
        raise ValidationError(problems)
    measure = SupportMeasure(
        status="provisional",
        provisional=True,
        provisional_start_date=request_date,
        request_date=request_date,
        victim_kind=victim_kind,
        opinion_source=(opinion_source or "").strip() or None,
        opinion_text=(opinion_text or "").strip() or None,
        protected_services=list(protected_services),
        protected_addresses=list(protected_addresses),
        parties=parties,
    )
    uow.session.add(measure)
    uow.session.flush()
    record_access(
        uow, "support_measure_created", "change", targets=_targets(measure), detail={"measure_id": measure.id}
    )
    queue_measure_notices(uow, measure, "provisional")
    return measure


def _load(uow: UnitOfWork, measure_id: int) -> SupportMeasure:
    measure = uow.session.scalars(
        select(SupportMeasure)
        .where(SupportMeasure.id == measure_id)
        .options(selectinload(SupportMeasure.parties))
    ).one_or_none()
    if measure is None:
        raise NotFoundError("指定された支援措置は見つかりません。")
    return measure


def _period_problem(start: dt.date, end: dt.date) -> None:
    if end < start:
        reason, remedy = "開始年月日より前になっています", "開始年月日以後の日付を入力してください"
        raise ValidationError([Problem("end_date", "支援措置の終了年月日", reason, remedy, "order")])


def decide_support_measure(
    uow: UnitOfWork, measure_id: int, *, start_date: dt.date, end_date: dt.date | None = None
) -> SupportMeasure:
    """The need is confirmed: the measure is in force from ``start_date`` to ``end_date`` (by default one year
    less a day, j440).  The data transition only; the approval flow around it is a workflow's business."""
    require(uow.actor, "support.set")
    measure = _load(uow, measure_id)
    if measure.status not in ("requested", "provisional"):
        raise ConflictError("この支援措置は既に決定済みか、終了しています。")
    end = end_date or default_end_date(start_date)
    _period_problem(start_date, end)
    measure.status, measure.provisional = "in_force", False
    measure.start_date, measure.end_date = start_date, end
    measure.decided_by, measure.decided_date = uow.actor.user_id, japan_today()
    uow.session.flush()
    detail = {"measure_id": measure.id, "start_date": start_date.isoformat(), "end_date": end.isoformat()}
    record_access(uow, "support_measure_decided", "change", targets=_targets(measure), detail=detail)
    queue_measure_notices(uow, measure, "in_force")
    return measure


def extend_support_measure(
    uow: UnitOfWork, measure_id: int, *, today: dt.date | None = None
) -> SupportMeasure:
    """延長 (j440): from one month before the end date, the period runs on for a year from the day after."""
    require(uow.actor, "support.set")
    measure = _load(uow, measure_id)
    if measure.status != "in_force" or measure.end_date is None:
        raise ConflictError("支援措置中（決定済み）の措置だけを延長できます。")
    if not extension_allowed(measure.end_date, today or japan_today()):
        reason = "期間の終了日の1か月前から延長できます"
        remedy = f"{format_wareki(extension_opens_on(measure.end_date))}以降に処理してください"
        raise ValidationError([Problem("end_date", "支援措置の延長", reason, remedy, "too_early")])
    old_end = measure.end_date
    _start, measure.end_date = extension_period(old_end)
    uow.session.flush()
    detail = {
        "measure_id": measure.id,
        "old_end_date": old_end.isoformat(),
        "end_date": measure.end_date.isoformat(),
    }
    record_access(uow, "support_measure_extended", "change", targets=_targets(measure), detail=detail)
    return measure


def terminate_support_measure(
    uow: UnitOfWork, measure_id: int, *, reason: str, date: dt.date
) -> SupportMeasure:
    """End the measure (j440): on the victim's request, after the period without extension, or when the mayor
    finds it no longer needed.  Only this lifts the protection; the end date passing never does."""
    require(uow.actor, "support.release")
    if reason not in TERMINATION_REASON_LABELS:
        why, remedy = "選べる値ではありません", "終了の理由を一覧から選んでください"
        raise ValidationError([Problem("reason", "終了の理由", why, remedy, "choice")])
    measure = _load(uow, measure_id)
    if measure.status == "terminated":
        raise ConflictError("この支援措置は既に終了しています。")
    began = measure.start_date or measure.provisional_start_date
    if began is not None and date < began:
        why, remedy = "支援措置の開始年月日より前です", "開始年月日以後の日付を入力してください"
        raise ValidationError([Problem("date", "終了年月日", why, remedy, "order")])
    measure.status, measure.termination_reason, measure.termination_date = "terminated", reason, date
    uow.session.flush()
    detail = {"measure_id": measure.id, "reason": reason, "date": date.isoformat()}
    record_access(uow, "support_measure_terminated", "change", targets=_targets(measure), detail=detail)
    queue_measure_notices(uow, measure, "terminated")
    return measure


def _labelled(codes: Sequence[str], labels: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"code": code, "label": labels.get(code, code)} for code in codes]


def _measure_view(measure: SupportMeasure, today: dt.date) -> dict[str, Any]:
    parties = [party_view(p) for p in measure.parties]
    alert = period_alert(measure.end_date, today) if measure.status == "in_force" else None
    end = measure.end_date if measure.status == "in_force" else None  # a period to extend
    opens = extension_opens_on(end) if end else None
    return {
        "id": measure.id,
        "status": measure.status,
        "status_label": STATUS_LABELS.get(measure.status, measure.status),
        "provisional": measure.provisional,
        "provisional_start_date": measure.provisional_start_date,
        "originating_municipality": measure.originating_municipality,
        "victim_kind": measure.victim_kind,
        "victim_kind_label": VICTIM_KIND_LABELS.get(measure.victim_kind or "", ""),
        "request_date": measure.request_date,
        "start_date": measure.start_date,
        "end_date": measure.end_date,
        "alert": alert,
        "alert_label": PERIOD_ALERT_LABELS.get(alert or ""),
        "decided_date": measure.decided_date,
        "termination_date": measure.termination_date,
        "termination_reason_label": TERMINATION_REASON_LABELS.get(measure.termination_reason or ""),
        "opinion_source": measure.opinion_source,
        "opinion_text": measure.opinion_text,
        "services": _labelled(measure.protected_services, SERVICE_LABELS),
        "addresses": _labelled(measure.protected_addresses, ADDRESS_LABELS),
        "applicant": next((p for p in parties if p["role"] == "applicant"), None),
        "co_applicants": [p for p in parties if p["role"] == "co_applicant"],
        "perpetrators": [p for p in parties if p["role"] == "perpetrator"],
        "forwarded_to_municipality": measure.forwarded_to_municipality,
        "forwarded_date": measure.forwarded_date,
        "extension_opens_on": opens,
        "can_extend": end is not None and extension_allowed(end, today),
        "can_terminate": measure.status != "terminated",
    }


def view_support_measure(uow: UnitOfWork, measure_id: int, *, today: dt.date | None = None) -> dict[str, Any]:
    """The support-measure database entry (j160, j440), for the 支援措置責任者 only."""
    require(uow.actor, "support.view")
    measure = _load(uow, measure_id)
    record_access(
        uow, "support_measure_viewed", "view", targets=_targets(measure), detail={"measure_id": measure.id}
    )
    return _measure_view(measure, today or japan_today())


def measures_for_resident(
    uow: UnitOfWork, atena_number: str, *, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """The mark on the person's record (j160): the measures protecting this 宛名番号 as 申出者 or 併せて支援を
    求める者, newest first, with status and period alert only (details need ``view_support_measure``).  Read as
    part of the record view, whose own access-log row covers it."""
    require(uow.actor, "resident.view")
    rows = uow.session.execute(
        select(SupportMeasure, SupportMeasureParty.role)
        .join(SupportMeasureParty, SupportMeasureParty.measure_id == SupportMeasure.id)
        .where(
            SupportMeasureParty.atena_number == atena_number, SupportMeasureParty.role.in_(PROTECTED_ROLES)
        )
        .order_by(SupportMeasure.id.desc())
    ).all()
    day = today or japan_today()
    summaries = []
    for measure, role in rows:
        alert = period_alert(measure.end_date, day) if measure.status == "in_force" else None
        summaries.append(
            {
                "id": measure.id,
                "role": role,
                "role_label": ROLE_LABELS[role],
                "status": measure.status,
                "status_label": STATUS_LABELS.get(measure.status, measure.status),
                "active": measure.status in ACTIVE_STATUSES,
                "provisional": measure.provisional,
                "start_date": measure.start_date or measure.provisional_start_date,
                "end_date": measure.end_date,
                "alert": alert,
                "alert_label": PERIOD_ALERT_LABELS.get(alert or ""),
            }
        )
    return summaries
