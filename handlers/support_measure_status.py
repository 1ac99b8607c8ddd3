"""What a support measure means for the person's record over time (j440): the period alerts shown on the
record, and the switch to provisional protection as the former-address municipality when the person moves out.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from handlers.audit import record_access
from handlers.clock import japan_today
from handlers.errors import Problem
from handlers.permissions import require
from handlers.rules.support_period import PERIOD_ALERT_LABELS, period_alert
from handlers.support_measures import ACTIVE_STATUSES, PROTECTED_ROLES
from handlers.support_notices import queue_measure_notices
from handlers.uow import UnitOfWork
from models.support import SupportMeasure, SupportMeasureParty
from models.tenant import Municipality

ALERT_REMEDIES = {
    "ending_soon": "延長の申出があれば延長の処理をしてください",
    "expired": "延長または終了の処理をしてください（期間の経過だけでは支援措置は終了しません）",
}


def _active_measures(uow: UnitOfWork, atena_number: str) -> list[SupportMeasure]:
    return list(
        uow.session.scalars(
            select(SupportMeasure)
            .join(SupportMeasureParty, SupportMeasureParty.measure_id == SupportMeasure.id)
            .where(
                SupportMeasureParty.atena_number == atena_number,
                SupportMeasureParty.role.in_(PROTECTED_ROLES),
                SupportMeasure.status.in_(ACTIVE_STATUSES),
            )
            .order_by(SupportMeasure.id)
        ).unique()
    )


def support_alerts(uow: UnitOfWork, atena_number: str, today: dt.date) -> list[Problem]:
    """Alerts for the record screen: the period ends within one month (from one month before the end), or has
    ended without extension (j440).  Read as part of the record view, whose access-log row covers it."""
    require(uow.actor, "resident.view")
    alerts = []
    for measure in _active_measures(uow, atena_number):
        alert = period_alert(measure.end_date, today) if measure.status == "in_force" else None
        if alert is not None:
            reason = PERIOD_ALERT_LABELS[alert]
            problem = Problem(
                "support_measure", "支援措置", reason, ALERT_REMEDIES[alert], f"support_{alert}", "alert"
            )
            alerts.append(problem)
    return alerts


def switch_to_former_address_protection(
    uow: UnitOfWork, atena_number: str, destination_code: str | None, *, today: dt.date | None = None
) -> list[int]:
    """The protected person moves out: every active measure protecting them becomes provisional protection
    "as the former-address municipality" from today, so there is no gap during the move (j440).  Called by the
    move-out registration; returns the measure ids switched."""
    require(uow.actor, "resident.change")
    day = today or japan_today()
    municipality = uow.session.get(Municipality, uow.actor.tenant_id)
    assert municipality is not None  # the actor's own tenant
    switched = []
    for measure in _active_measures(uow, atena_number):
        measure.status, measure.provisional = "provisional", True
        measure.provisional_start_date = day
        measure.originating_municipality = municipality.code
        measure.forwarded_to_municipality = destination_code or measure.forwarded_to_municipality
        measure.forwarded_date = day
        uow.session.flush()
        targets = [p.atena_number for p in measure.parties if p.atena_number and p.role in PROTECTED_ROLES]
        detail = {"measure_id": measure.id, "destination_code": destination_code, "date": day.isoformat()}
        record_access(uow, "support_measure_switched", "change", targets=targets, detail=detail)
        queue_measure_notices(uow, measure, "switched")
        switched.append(measure.id)
    return switched
