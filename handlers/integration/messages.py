"""The message every adapter carries (format ``jumin.notice/1``, docs/integration.md): an envelope naming the
sending municipality, the destination, the kind, the per-destination sequence number and the idempotency key,
around the notice's payload.  Names stay in MJ characters (Unicode with IVS) except for 住基ネット CS, whose
names go through ``to_network_charset`` (the original is kept beside it as ``<field>_mj``)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from handlers.clock import japan_today
from handlers.integration.charset import to_network_charset
from handlers.uow import UnitOfWork
from models.change import OutboxMessage
from models.resident import Household
from models.tenant import Municipality

FORMAT = "jumin.notice/1"
NAME_FIELDS = frozenset({"name", "head_name", "family_name", "given_name", "hittosha", "alias_name"})
SIGNATURE_HEADER = "X-Jumin-Signature"
KEY_HEADER = "X-Jumin-Idempotency-Key"
SEQUENCE_HEADER = "X-Jumin-Sequence"
SENDER_HEADER = "X-Jumin-Sender"


def network_names(value: Any) -> Any:
    """A copy of ``value`` with every name field converted for CS and its MJ original kept as ``<field>_mj``."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in NAME_FIELDS and isinstance(item, str):
                out[key] = to_network_charset(item)
                out[f"{key}_mj"] = item
            else:
                out[key] = network_names(item)
        return out
    if isinstance(value, list):
        return [network_names(item) for item in value]
    return value


def _move_in_notice_payload(uow: UnitOfWork, payload: Mapping[str, Any]) -> dict[str, Any]:
    """転入通知: the address the persons were registered at and the notice date, read from the register."""
    household = uow.session.scalars(
        select(Household).where(Household.household_number == payload.get("household_number"))
    ).one_or_none()
    enriched = dict(payload)
    if household is not None:
        enriched.setdefault("address", household.address)
        enriched.setdefault("address_katagaki", household.address_katagaki)
        enriched.setdefault("postal_code", household.postal_code)
    enriched.setdefault("notice_date", japan_today().isoformat())
    return enriched


def message_payload(uow: UnitOfWork, message: OutboxMessage) -> dict[str, Any]:
    payload = dict(message.payload or {})
    if message.kind == "move_in_notice":
        payload = _move_in_notice_payload(uow, payload)
    if message.destination == "cs":
        payload = network_names(payload)
    return payload


def envelope(uow: UnitOfWork, message: OutboxMessage) -> dict[str, Any]:
    sender = uow.session.get(Municipality, message.tenant_id)
    return {
        "format": FORMAT,
        "sender": {"code": sender.code if sender else "", "name": sender.name if sender else ""},
        "destination": message.destination,
        "kind": message.kind,
        "seq": message.seq,
        "idempotency_key": message.idempotency_key,
        "created_at": message.created_at.isoformat() if message.created_at else None,
        "payload": message_payload(uow, message),
    }


def encode(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the exact body bytes with the destination's secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def signature_matches(secret: str, body: bytes, header: str | None) -> bool:
    return bool(header) and hmac.compare_digest(sign(secret, body), str(header))


def signed_headers(secret: str, body: bytes, key: str, seq: int, sender_code: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: sign(secret, body),
        KEY_HEADER: key,
        SEQUENCE_HEADER: str(seq),
        SENDER_HEADER: sender_code,
    }
