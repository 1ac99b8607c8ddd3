"""他業務照会 (j1180): from the person's record, ask the other business systems for their latest registration
of the person, keep each answer with when it came, and show them.

* Asking is an access to the person: it needs ``resident.view``, passes the 照会 decision (an error-level
  照会 suppression refuses it, j410) and is logged (``other_system_inquiry_requested``).
* Each system configured as the integration destination ``inquiry:<system>`` (kind ``inquiry``) gets one
  outbox message ``registration_inquiry`` carrying only the 宛名番号; the outbox delivers it after commit
  (retries, dead letters as every notice) and the ``inquiry`` transport keeps the answer
  (``handlers.integration.inquiry``).  Nothing is sent from the request itself.
* Reading the answers (``other_systems_view``) is a 照会 of the record as well, logged
  ``other_system_registrations_viewed``; the record view shows them in its own 照会.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.errors import Problem, ValidationError
from handlers.integration.subscribers import queue_copy
from handlers.other_systems.catalog import INQUIRY_PREFIX, SYSTEMS
from handlers.other_systems.registrations import registration_row, registrations_of
from handlers.outbox_dispatch import schedule_delivery
from handlers.permissions import require
from handlers.residents.lookup import find_resident
from handlers.residents.protection import check_inquiry
from handlers.uow import UnitOfWork
from models.integration import IntegrationDestination

INQUIRY_KIND = "registration_inquiry"


def configured_systems(uow: UnitOfWork) -> list[str]:
    """The systems of the catalog with an enabled ``inquiry:<system>`` destination, in catalog order."""
    names = set(
        uow.session.scalars(
            select(IntegrationDestination.name).where(
                IntegrationDestination.name.startswith(INQUIRY_PREFIX),
                IntegrationDestination.enabled.is_(True),
            )
        )
    )
    return [system for system in SYSTEMS if INQUIRY_PREFIX + system in names]


def _chosen(uow: UnitOfWork, systems: Sequence[str] | None) -> list[str]:
    available = configured_systems(uow)
    if systems is None:
        chosen = available
    else:
        unknown = sorted(set(systems) - set(SYSTEMS))
        if unknown:
            raise ValidationError([Problem("systems", "照会先", f"照会先にない業務です（{', '.join(unknown)}）",
                                           "選挙人名簿・国民健康保険などの業務から選択してください", "unknown_system")])  # fmt: skip
        chosen = [s for s in SYSTEMS if s in systems and s in available]
    if not chosen:
        raise ValidationError([Problem("systems", "照会先", "照会できる他業務システムが設定されていません",
                                       "システム管理者に照会先（inquiry:業務名）の設定を依頼してください", "not_configured")])  # fmt: skip
    return chosen


def request_other_system_inquiry(
    uow: UnitOfWork, atena_number: str, systems: Sequence[str] | None = None
) -> list[str]:
    """Queue a 照会 of the person to each chosen configured system (all of them when ``systems`` is None);
    the answers arrive through the outbox delivery.  Returns the systems asked."""
    require(uow.actor, "resident.view")
    find_resident(uow.session, atena_number)
    check_inquiry(uow, atena_number)
    chosen = _chosen(uow, systems)
    now = dt.datetime.now(dt.UTC)
    for system in chosen:
        row = registration_row(uow.session, atena_number, system)
        row.requested_at, row.last_error = now, None
        key = f"{INQUIRY_PREFIX}{atena_number}:{system}:{uuid.uuid4().hex}"
        payload = {"atena_number": atena_number, "system": system}
        queue_copy(uow, INQUIRY_PREFIX + system, INQUIRY_KIND, payload, key, None)
    uow.session.flush()
    record_access(uow, "other_system_inquiry_requested", "view", [atena_number], detail={"systems": chosen})
    schedule_delivery(uow, [INQUIRY_PREFIX + system for system in chosen])
    return chosen


def other_systems_view(uow: UnitOfWork, atena_number: str) -> dict[str, Any]:
    """The person's latest registration in every other system (the API's 他業務照会 read)."""
    require(uow.actor, "resident.view")
    resident = find_resident(uow.session, atena_number)
    check_inquiry(uow, atena_number)
    registrations = registrations_of(uow.session, atena_number, resident.resident_kind)
    record_access(uow, "other_system_registrations_viewed", "view", [atena_number])
    return {"atena_number": atena_number, "systems": registrations}
