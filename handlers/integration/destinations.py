"""Which configuration and transport carry an outbox destination's messages."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from handlers.integration.file_drop import send_file_drop
from handlers.integration.http_json import send_http_json
from handlers.integration.inquiry import send_inquiry
from handlers.integration.pf_file import send_pf_file
from handlers.integration.relay_route import send_relay
from handlers.integration.transport import Delivery
from handlers.uow import UnitOfWork
from models.integration import IntegrationDestination

ANY_MUNICIPALITY = "municipality:*"
TRANSPORTS: dict[str, Callable[[Delivery], None]] = {
    "http_json": send_http_json,
    "file_drop": send_file_drop,
    "relay": send_relay,
    "inquiry": send_inquiry,
    "pf_file": send_pf_file,
    "pf_file_sjis": send_pf_file,
}


def destination_config(uow: UnitOfWork, destination: str) -> IntegrationDestination | None:
    """The enabled configuration named ``destination`` (``municipality:*`` covers every municipality)."""
    names = [destination]
    if destination.startswith("municipality:"):
        names.append(ANY_MUNICIPALITY)
    rows = uow.session.scalars(
        select(IntegrationDestination).where(
            IntegrationDestination.name.in_(names), IntegrationDestination.enabled.is_(True)
        )
    ).all()
    by_name = {row.name: row for row in rows}
    return next((by_name[n] for n in names if n in by_name), None)


def transmit(delivery: Delivery) -> None:
    TRANSPORTS[delivery.config.kind](delivery)
