"""What the record screen and the search show about protection (j160, j410, j440).

* The 照会 of a record passes the ONE disclosure decision (``check_disclosure``, purpose ``inquiry``): an
  error-level 照会 suppression refuses the view (``InquirySuppressedError``) for anyone but the support-measure
  officer (``support.view``), who sees the record with a notice; alert-level suppressions and protected persons
  come back as alerts to show.
* A protected person is marked plainly (支援措置中 / 仮支援措置中); the measure's id (for the link to
  ``/support-measures/<id>``) and the period alerts (``support_alerts``) are given only to ``support.view``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import bindparam, select

from handlers.errors import PermissionDeniedError
from handlers.permissions import has_permission
from handlers.rules.disclosure import Decision, DisclosureRequest, Identity, Requester
from handlers.support_measure_status import support_alerts
from handlers.support_measures import ACTIVE_STATUSES, PROTECTED_ROLES, STATUS_LABELS
from handlers.suppression import check_disclosure
from handlers.tenancy import built_once
from handlers.uow import UnitOfWork
from models.support import SupportMeasure, SupportMeasureParty

OFFICER_NOTICE = "照会抑止（エラー）が設定されている住民です。支援措置責任者の権限で表示しています。"


class InquirySuppressedError(PermissionDeniedError):
    """The record view is refused: an error-level 照会 suppression is set on the person (j410)."""

    code = "inquiry_suppressed"


def check_inquiry(
    uow: UnitOfWork, atena_number: str, members: Sequence[Sequence[Any]] | None = None
) -> tuple[Decision, str | None]:
    """The 照会 decision for one record: (the decision, a notice for the officer who passes a suppression).
    A refusal keeps its access-log row (the unit of work commits it) and raises ``InquirySuppressedError``.
    ``members``: the person's household's rows of ``MEMBER_FACTS``, when the caller has read them."""
    request = DisclosureRequest(Requester("official", Identity()), (atena_number,), "inquiry")
    decision = check_disclosure(uow, request, members=members)
    if decision.allowed:
        return decision, None
    if decision.reason_code == "suppressed" and has_permission(uow.actor, "support.view"):
        return decision, OFFICER_NOTICE
    uow.keep_refusal_log()
    raise InquirySuppressedError(
        "この住民の照会は抑止されています（照会抑止・エラー）。"
        "照会が必要な場合は支援措置責任者に確認してください。"
    )


# built once (the persons bound at execution, an expanding list)
_MEASURES_OF_PERSONS = built_once(
    select(SupportMeasureParty.atena_number, SupportMeasure.id, SupportMeasure.status)
    .join(SupportMeasure, SupportMeasure.id == SupportMeasureParty.measure_id)
    .where(
        SupportMeasureParty.atena_number.in_(bindparam("persons", expanding=True)),
        SupportMeasureParty.role.in_(PROTECTED_ROLES),
        SupportMeasure.status.in_(ACTIVE_STATUSES),
    )
    .order_by(SupportMeasure.id)
)


def protection_label(measures: list[dict[str, Any]]) -> str:
    """The mark a list shows for a person's measures (``active_measures_by_person``): 支援措置中 when one is in
    force, 仮支援措置中 when all are provisional, nothing when there is none."""
    if not measures:
        return ""
    return "支援措置中" if any(not m["provisional"] for m in measures) else "仮支援措置中"


def active_measures_by_person(
    uow: UnitOfWork, atena_numbers: Collection[str]
) -> dict[str, list[dict[str, Any]]]:
    """The measures in force or provisional protecting each person: status label, and the measure id only
    when the actor may open the measure (``support.view``)."""
    if not atena_numbers:
        return {}
    linked = has_permission(uow.actor, "support.view")
    rows = uow.session.execute(_MEASURES_OF_PERSONS, {"persons": list(atena_numbers)}).all()
    found: dict[str, list[dict[str, Any]]] = {}
    for atena, measure_id, status in rows:
        if atena is None:  # a party named without a 宛名番号 never matches the filter above
            continue
        found.setdefault(atena, []).append(
            {
                "id": measure_id if linked else None,
                "status": status,
                "status_label": STATUS_LABELS.get(status, status),
                "provisional": status != "in_force",
            }
        )
    return found


def protection_view(
    uow: UnitOfWork,
    atena_number: str,
    decision: Decision,
    today: dt.date,
    *,
    measures: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The record screen's protection block: the measures in force, the period alerts (officer only) and the
    decision's alerts (protected person, alert-level 照会 suppression).  ``measures``: the person's entry of
    ``active_measures_by_person``, when the caller has already read it."""
    officer = has_permission(uow.actor, "support.view")
    period = support_alerts(uow, atena_number, today) if officer else []
    if measures is None:
        measures = active_measures_by_person(uow, [atena_number]).get(atena_number, [])
    in_force = any(not m["provisional"] for m in measures)
    return {
        "measures": measures,
        "label": ("支援措置" if in_force else "仮支援措置") if measures else "",
        "linked": officer,
        "period_alerts": [a.to_json() for a in period],
        "alerts": [a.to_json() for a in decision.alerts],
    }
