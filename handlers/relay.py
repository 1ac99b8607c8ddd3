"""The CS relay of this deployment: routes messages between its municipalities (the national network cannot
be reached).  In the embedded default the ``relay`` adapter calls ``route_message`` in-process; in production
``jumin relay serve`` exposes it as POST /relay/messages (webui/relay).

Routing: 転出証明書情報 (``cs``/``move_out_certificate_info``) goes to the municipality in the payload's
``destination_planned_code``, where the 特例転入 intake finds it (``find_move_out_certificate_info``);
転入通知 (``municipality:<code>``/``move_in_notice``) goes to ``<code>``, where it opens a 転入通知の受理 case per
person, applied at once when the municipality's setting ``move_in_notice_auto_apply`` says so (j690) and the
notice raises no alert.  A 広域交付 request (``municipality:<code>``/``wide_area_request``, j1210) is
answered at once by the person's municipality (``handlers.wide_area_answer``), and its answer
(``wide_area_answer``) settles the request at the asking counter (``handlers.wide_area``).  Other CS messages are accepted and not routed.  Every delivery is idempotent
(``<sender code>:<key>``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.context import Actor
from handlers.db import Database
from handlers.relay_certificates import certificate_intake, find_move_out_certificate_info
from handlers.uow import UnitOfWork, unit_of_work
from models.relay import RelayInbox
from models.tenant import Municipality

RELAY_ACTOR = "relay"
__all__ = [
    "RelayReceipt", "accept_signed", "certificate_intake", "find_move_out_certificate_info", "receive_message",
    "route_message", "sender_secret", "target_code",
]  # fmt: skip


@dataclass(frozen=True)
class RelayReceipt:
    routed_to: str | None  # the receiving municipality's code, None when not routed
    inbox_id: int | None = None
    duplicate: bool = False


def target_code(body: Mapping[str, Any]) -> str | None:
    destination = str(body.get("destination") or "")
    if destination.startswith("municipality:"):
        return destination.split(":", 1)[1]
    if body.get("kind") == "move_out_certificate_info":
        code = (body.get("payload") or {}).get("destination_planned_code")
        return str(code) if code else None
    return None


def _tenant_id(db: Database, code: str) -> int | None:
    with unit_of_work(db, Actor.system(0, RELAY_ACTOR), cross_tenant=True) as uow:
        found: int | None = uow.session.scalar(select(Municipality.id).where(Municipality.code == code))
        return found


def route_message(db: Database, body: Mapping[str, Any]) -> RelayReceipt:
    """Deliver one envelope to the municipality it is for (a unit of work of that tenant)."""
    code = target_code(body)
    tenant_id = _tenant_id(db, code) if code else None
    if tenant_id is None:
        return RelayReceipt(None)
    with unit_of_work(db, Actor.system(tenant_id, RELAY_ACTOR)) as uow:
        return receive_message(uow, body, code or "")


def _first_person(payload: Mapping[str, Any]) -> tuple[str | None, str | None]:
    codes = payload.get("resident_codes") or [payload.get("resident_code")]
    name = payload.get("name_mj") or payload.get("name")
    return (str(codes[0]) if codes and codes[0] else None), (str(name) if name else None)


def receive_message(uow: UnitOfWork, body: Mapping[str, Any], code: str) -> RelayReceipt:
    sender = str((body.get("sender") or {}).get("code") or "")
    key = f"{sender}:{body.get('idempotency_key')}"
    existing = uow.session.scalars(select(RelayInbox).where(RelayInbox.idempotency_key == key)).first()
    if existing is not None:
        return RelayReceipt(code, existing.id, duplicate=True)
    payload = dict(body.get("payload") or {})
    resident_code, name = _first_person(payload)
    row = RelayInbox(
        tenant_id=uow.actor.tenant_id,
        received_at=dt.datetime.now(dt.UTC),
        sender_code=sender,
        kind=str(body.get("kind")),
        idempotency_key=key,
        resident_code=resident_code,
        name=name,
        payload={**payload, "sender_name": (body.get("sender") or {}).get("name")},
        status="received",
    )
    uow.session.add(row)
    uow.session.flush()
    _accept(uow, row)
    record_access(uow, "relay_message_received", "change", [], detail={"kind": row.kind, "key": key})
    return RelayReceipt(code, row.id)


def _accept(uow: UnitOfWork, row: RelayInbox) -> None:
    """The automatic handling of a message kind: 転入通知 (j690), 広域交付 request and answer (j1210)."""
    if row.kind == "move_in_notice":
        from handlers.relay_move_in_notice import accept_move_in_notice

        accept_move_in_notice(uow, row)
    elif row.kind == "wide_area_request":
        from handlers.wide_area_answer import answer_wide_area_request

        answer_wide_area_request(uow, row)
    elif row.kind == "wide_area_answer":
        from handlers.wide_area import receive_wide_area_answer

        receive_wide_area_answer(uow, row)


def sender_secret(db: Database, sender_code: str) -> str | None:
    """The HMAC key the sending municipality signs relay messages with (its ``relay`` destination's)."""
    from models.integration import IntegrationDestination

    with unit_of_work(db, Actor.system(0, RELAY_ACTOR), cross_tenant=True) as uow:
        secret: str | None = uow.session.scalar(
            select(IntegrationDestination.secret)
            .join(Municipality, Municipality.id == IntegrationDestination.tenant_id)
            .where(Municipality.code == sender_code, IntegrationDestination.kind == "relay")
            .where(IntegrationDestination.secret.is_not(None))
            .order_by(IntegrationDestination.id)
        )
        return secret


def accept_signed(db: Database, body: bytes, sender_code: str, signature: str | None) -> RelayReceipt:
    """The relay service's door: a body signed by a municipality of this deployment, routed on."""
    import json

    from handlers.errors import PermissionDeniedError, ValidationError
    from handlers.errors import Problem as _Problem
    from handlers.integration.messages import signature_matches

    secret = sender_secret(db, sender_code)
    if secret is None or not signature_matches(secret, body, signature):
        raise PermissionDeniedError("中継サービス：署名を確認できません。")
    try:
        envelope = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValidationError(
            [
                _Problem(
                    "body",
                    "電文",
                    f"JSON として読めません（{err}）",
                    "電文の形式を確認してください",
                    "invalid",
                )
            ]
        ) from err
    if str((envelope.get("sender") or {}).get("code")) != sender_code:
        raise PermissionDeniedError("中継サービス：送信元が署名の団体と一致しません。")
    return route_message(db, envelope)
