"""What every transport receives and how it refuses: one outbox message, its envelope and its destination's
configuration.  A transport either delivers or raises ``DeliveryError`` (counted as a failed attempt)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers.uow import UnitOfWork
from models.change import OutboxMessage
from models.integration import IntegrationDestination


class DeliveryError(Exception):
    """The receiver was not reached or refused the message; the outbox retries it later."""


@dataclass(frozen=True)
class Delivery:
    uow: UnitOfWork
    message: OutboxMessage
    config: IntegrationDestination
    body: dict[str, Any]  # the envelope (handlers.integration.messages.envelope)

    @property
    def sender_code(self) -> str:
        return str(self.body["sender"]["code"])

    @property
    def key(self) -> str:
        """The request's idempotency key: the message's, or a batch's own key (handlers.outbox_batch)."""
        return str(self.body["idempotency_key"])

    @property
    def seq(self) -> int:
        return int(self.body["seq"])
