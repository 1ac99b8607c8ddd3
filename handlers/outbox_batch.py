"""Near-real-time 宛名連携 (j1190): a subscriber that chose ``near_realtime_delta`` gets one request per run of
the beat task (every five minutes, within the ten the standard allows), not one per message.

The batch (format ``jumin.batch/1``, docs/integration.md) is the ordered list of the destination's pending
messages, each in its own ``jumin.notice/1`` envelope with its own idempotency key, inside an envelope of its
own whose key is the batch key (``<sender>:<destination>:batch:<first seq>-<last seq>``).  It travels over the
destination's transport like a single message.  On success every message of the batch is sent; a failure
counts an attempt on the batch's head (the first message) exactly as a single message's would: backoff, and
after ``max_attempts`` the head is dead and the destination stops behind it until a supervisor resends it,
after which the next run sends the head and everything behind it again as one batch.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from handlers.integration.destinations import transmit
from handlers.integration.messages import envelope
from handlers.integration.pf_file import PLATFORM_PREFIX
from handlers.integration.subscribers import SUBSCRIBER_PREFIX
from handlers.integration.transport import Delivery
from handlers.uow import UnitOfWork
from models.change import OutboxMessage
from models.integration import IntegrationDestination

BATCH_FORMAT = "jumin.batch/1"
BATCH_KIND = "batch"
NEAR_REALTIME = "near_realtime_delta"


def is_batched(config: IntegrationDestination) -> bool:
    return config.subscription == NEAR_REALTIME and config.name.startswith(
        (SUBSCRIBER_PREFIX, PLATFORM_PREFIX)
    )


def batch_messages(uow: UnitOfWork, head: OutboxMessage, limit: int) -> list[OutboxMessage]:
    """The head and the pending messages behind it, in order, at most ``limit`` (locked FOR UPDATE)."""
    return list(
        uow.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.destination == head.destination,
                OutboxMessage.status == "pending",
                OutboxMessage.seq >= head.seq,
            )
            .order_by(OutboxMessage.seq)
            .limit(max(limit, 1))
            .with_for_update()
        )
    )


def batch_key(sender_code: str, destination: str, messages: list[OutboxMessage]) -> str:
    return f"{sender_code}:{destination}:batch:{messages[0].seq}-{messages[-1].seq}"[:100]


def batch_envelope(uow: UnitOfWork, messages: list[OutboxMessage], now: dt.datetime) -> dict[str, Any]:
    """One request's body: the messages' own envelopes, in order, inside the batch envelope."""
    inner = [envelope(uow, message) for message in messages]
    sender = inner[0]["sender"]
    key = batch_key(str(sender["code"]), messages[0].destination, messages)
    return {
        "format": BATCH_FORMAT,
        "sender": sender,
        "destination": messages[0].destination,
        "kind": BATCH_KIND,
        "seq": messages[0].seq,
        "idempotency_key": key,
        "batch_key": key,
        "created_at": now.isoformat(),
        "payload": {
            "count": len(inner),
            "first_seq": messages[0].seq,
            "last_seq": messages[-1].seq,
            "messages": inner,
        },
    }


def send_batch(
    uow: UnitOfWork, head: OutboxMessage, config: IntegrationDestination, limit: int, now: dt.datetime
) -> list[OutboxMessage]:
    """Send the head and the pending messages behind it as one request; returns the messages sent (the
    caller marks them).  Raises what the transport raises: the caller counts the failure on the head."""
    messages = batch_messages(uow, head, limit)
    transmit(Delivery(uow, head, config, batch_envelope(uow, messages, now)))
    return messages
