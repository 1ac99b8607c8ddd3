"""The latest registration of a person in each other system: kept from the answer to our 照会 (j1180) or from
a record a platform unit sent (j1170), with when it came; and how it reads on the person's page.

The answer layout ``jumin.inquiry-answer/1`` (docs/other-systems.md)::

    {"format": "jumin.inquiry-answer/1", "system": "nhi", "atena_number": "0000000019",
     "registered": true, "as_of": "2026-11-27",
     "items": {"acquired_date": "2020-04-01", "lost_date": null}}
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from handlers.other_systems.catalog import SYSTEMS, display
from handlers.rules.dates import format_instant
from handlers.rules.instants import as_utc
from handlers.tenancy import built_once
from models.other_systems import OtherSystemRegistration

ANSWER_FORMAT = "jumin.inquiry-answer/1"


class AnswerError(Exception):
    """An answer (or a platform record) that does not follow the layout; the reasons are Japanese."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("、".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class Answer:
    system: str
    atena_number: str
    registered: bool
    as_of: dt.date | None
    items: dict[str, str | None] = field(default_factory=dict)


def _as_of(value: Any, reasons: list[str]) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        reasons.append(f"基準日（{str(value)[:20]}）が年月日ではありません")
        return None


def parse_record(system: str, atena_number: str, record: Mapping[str, Any]) -> Answer:
    """One system's registration of one person, checked against the system's adapter."""
    adapter = SYSTEMS.get(system)
    if adapter is None:
        raise AnswerError([f"他業務「{system}」は照会先にありません"])
    reasons: list[str] = []
    registered = record.get("registered")
    if not isinstance(registered, bool):
        reasons.append(f"{adapter.label}の「{adapter.registered_label}」の有無（registered）がありません")
    raw = record.get("items") or {}
    if not isinstance(raw, Mapping):
        raise AnswerError([*reasons, "items がオブジェクトではありません"])
    items, bad = adapter.parse_items(raw)
    reasons += bad
    as_of = _as_of(record.get("as_of"), reasons)
    if reasons:
        raise AnswerError(reasons)
    return Answer(system, atena_number, bool(registered), as_of, items)


def parse_answer(system: str, atena_number: str, body: bytes) -> Answer:
    """The answer of ``system`` to our 照会 of ``atena_number`` (the layout above)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise AnswerError(["回答がJSON（UTF-8）ではありません"]) from err
    if not isinstance(data, dict) or data.get("format") != ANSWER_FORMAT:
        raise AnswerError([f"回答の形式が {ANSWER_FORMAT} ではありません"])
    if data.get("system") != system or data.get("atena_number") != atena_number:
        raise AnswerError(["回答の業務または宛名番号が照会したものと一致しません"])
    return parse_record(system, atena_number, data)


def registration_row(session: Session, atena_number: str, system: str) -> OtherSystemRegistration:
    """The person's row for ``system`` (added when there is none yet)."""
    row = session.scalars(
        select(OtherSystemRegistration).where(
            OtherSystemRegistration.atena_number == atena_number, OtherSystemRegistration.system == system
        )
    ).one_or_none()
    if row is None:
        row = OtherSystemRegistration(atena_number=atena_number, system=system, items={})
        session.add(row)
    return row


def store_answer(
    session: Session, answer: Answer, *, source: str, at: dt.datetime
) -> OtherSystemRegistration:
    """Keep ``answer`` as the person's latest registration in its system, with when it came."""
    row = registration_row(session, answer.atena_number, answer.system)
    row.registered, row.as_of, row.items = answer.registered, answer.as_of, dict(answer.items)
    row.fetched_at, row.source, row.last_error = at, source, None
    session.flush()
    return row


def note_failure(session: Session, atena_number: str, system: str, reason: str) -> None:
    """Our latest 照会 of ``system`` has no answer: keep why (the earlier answer, if any, stays)."""
    row = registration_row(session, atena_number, system)
    row.last_error = reason[:2000]
    session.flush()


# built once (the person bound at execution)
_OF_PERSON = built_once(
    select(OtherSystemRegistration).where(OtherSystemRegistration.atena_number == bindparam("atena_number"))
)


def _stamp(moment: dt.datetime | None) -> str:
    return format_instant(moment, seconds=False) if moment else ""


def _state(row: OtherSystemRegistration | None) -> tuple[str, str]:
    if row is None or (row.requested_at is None and row.fetched_at is None):
        return "none", "未照会"
    if row.last_error:
        return "error", "照会エラー"
    if row.fetched_at is None or (
        row.requested_at is not None and as_utc(row.requested_at) > as_utc(row.fetched_at)
    ):
        return "pending", "照会中（回答待ち）"
    return "answered", "取得済み"


def _present(system: str, row: OtherSystemRegistration | None, resident_kind: str) -> dict[str, Any]:
    adapter = SYSTEMS[system]
    state, state_label = _state(row)
    answered = row is not None and row.fetched_at is not None
    values = row.items if row is not None and answered else {}
    registered = row.registered if row is not None and answered else None
    return {
        "system": system,
        "label": adapter.label,
        "state": state,
        "state_label": state_label,
        "registered_label": adapter.registered_label,
        "registered": registered,
        "registered_text": "" if registered is None else ("有" if registered else "無"),
        "items": [
            {
                "field": i.field,
                "label": i.label,
                "raw": values.get(i.field),
                "value": display(i, values.get(i.field), resident_kind),
            }
            for i in adapter.items
        ],  # fmt: skip
        "as_of": row.as_of.isoformat() if row is not None and row.as_of and answered else None,
        "fetched_at": _stamp(row.fetched_at) if row is not None else "",
        "requested_at": _stamp(row.requested_at) if row is not None else "",
        "source": row.source if row is not None else None,
        "error": row.last_error if row is not None else None,
    }


def registrations_of(session: Session, atena_number: str, resident_kind: str) -> list[dict[str, Any]]:
    """Every system of the catalog, in order, with the person's latest registration in it (or 未照会)."""
    rows = {r.system: r for r in session.scalars(_OF_PERSON, {"atena_number": atena_number})}
    return [_present(system, rows.get(system), resident_kind) for system in SYSTEMS]
