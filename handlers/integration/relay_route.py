"""The ``relay`` transport: to the CS relay of this deployment.  With a URL it POSTs the signed envelope to
``<url>/relay/messages`` (``jumin relay serve``); without one it routes in-process, on the delivering
transaction's own connection, so the receiving municipality's inbox row and the sender's "sent" mark commit
together (or not at all)."""

from __future__ import annotations

from handlers.db import Database
from handlers.errors import DomainError
from handlers.integration.http_json import post_signed
from handlers.integration.transport import Delivery, DeliveryError
from handlers.outbox_dispatch import DISPATCHER_KEY, Dispatcher, install_dispatcher
from handlers.relay import route_message

RELAY_PATH = "/relay/messages"


def in_process_database(delivery: Delivery) -> Database:
    """Sessions on the delivering transaction's connection, each committing into a SAVEPOINT of it.  What the
    receiving municipality queues in reply (a 広域交付 answer, j1210) is dispatched once the delivering
    transaction has committed, by the delivering database's own dispatcher (never from inside it)."""
    db = Database(delivery.uow.session.connection(), join_transaction_mode="create_savepoint")
    outer: Dispatcher | None = delivery.uow.session.info.get(DISPATCHER_KEY)
    if outer is not None:
        dispatch = outer

        def after_delivery(tenant_id: int, destinations: list[str]) -> None:
            delivery.uow.after_commit(lambda: dispatch(tenant_id, destinations))

        install_dispatcher(db, after_delivery)
    return db


def send_relay(delivery: Delivery) -> None:
    config = delivery.config
    if config.url:
        post_signed(
            config.url.rstrip("/") + RELAY_PATH,
            config.secret or "",
            delivery.body,
            key=delivery.key,
            seq=delivery.seq,
            sender=delivery.sender_code,
        )
        return
    try:
        route_message(in_process_database(delivery), delivery.body)
    except DomainError as error:
        raise DeliveryError(f"中継先で受け付けられませんでした: {error}") from error
