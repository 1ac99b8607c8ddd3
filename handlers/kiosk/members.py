"""コンビニ交付 (j1210): the card holder's household members, for a kiosk's 世帯の一部 choice.

``list_household_at_kiosk(uow, body)`` — permission ``certificate.kiosk``, the layout
(``handlers.kiosk.layout.parse_household_request``: 422 with its problems), then the certificates door's rules,
each where it lives: the municipality's choice ``kiosk_issuance`` (``offering_municipality``), the card holder a
current resident here with a matching card serial (``handlers.kiosk.person``), the members as registered (the
counter's 世帯全員 read, ``household_as_of``: a 仮登録 is invisible, j530) in 世帯 order (``in_household_order``,
j1010), and the one disclosure decision with the channel ``kiosk`` over every member (``check_disclosure``): a
member protected by a 支援措置 or a certificate suppression refuses the whole list with the coarse reason
``not_issuable`` — the list is never shown, so the screen cannot tell who is protected.

Each member is answered with these only: ``member_ref`` (``member_reference``: opaque, valid with this card only,
what the certificates door takes in ``members``), ``name`` (氏名 as the certificates print it, ``name_text``),
``alias`` (通称 as they print it, "" when none), ``names`` (the lines the kiosk's screen shows: 氏名 and 通称 in the
order of the 氏名優先区分 where the municipality keeps it, ``handlers.rules.names``) and ``relation`` (続柄).
A read: no idempotency, the request id is kept in the access-log row (``kiosk_household_listed`` /
``kiosk_household_refused``, 照会, the members' 宛名番号).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from handlers.audit import record_access
from handlers.certificates.compose import in_household_order
from handlers.certificates.content import certificate_names
from handlers.certificates.options import CertificateOptions
from handlers.clock import JST
from handlers.juki_net.identity import CURRENT_STATUSES
from handlers.kiosk.issuance import KioskAnswer, KioskRefusalError, offering_municipality, refusal_body
from handlers.kiosk.layout import KioskHouseholdRequest, parse_household_request
from handlers.kiosk.person import card_holder, card_matches, member_reference
from handlers.permissions import require
from handlers.residents.history import household_as_of
from handlers.residents.names import priority_kept
from handlers.rules.disclosure import DisclosureRequest, Identity, Requester
from handlers.rules.names import display_names
from handlers.suppression import check_disclosure
from handlers.uow import UnitOfWork
from models.resident import Resident

LISTED = "kiosk_household_listed"
REFUSED = "kiosk_household_refused"


def list_household_at_kiosk(uow: UnitOfWork, body: object, *, now: dt.datetime | None = None) -> KioskAnswer:
    require(uow.actor, "certificate.kiosk")
    asked = parse_household_request(body)
    moment = now or dt.datetime.now(dt.UTC)
    try:
        holder, members = _members(uow, asked, moment)
    except KioskRefusalError as refusal:
        record_access(
            uow, REFUSED, "view", refusal.subjects,
            detail={"request_id": asked.request_id, "reason": refusal.reason,
                    "reason_code": refusal.code or refusal.reason, "terminal": asked.terminal_code},
        )  # fmt: skip
        return KioskAnswer(403, refusal_body(asked.request_id, refusal.reason))
    record_access(
        uow, LISTED, "view", [m["atena_number"] for m in members],
        detail={"request_id": asked.request_id, "terminal": asked.terminal_code, "card_serial": asked.card_serial},
    )  # fmt: skip
    kept = priority_kept(offering_municipality(uow))
    listed = [_member(holder, asked.card_serial, snapshot, kept) for snapshot in members]
    return KioskAnswer(200, {"request_id": asked.request_id, "outcome": "listed", "members": listed})


def _members(
    uow: UnitOfWork, asked: KioskHouseholdRequest, moment: dt.datetime
) -> tuple[Resident, list[dict[str, Any]]]:
    """The card holder and their household's registered members in 世帯 order, or a refusal."""
    offering_municipality(uow)
    holder = card_holder(uow.session, asked.resident_code)
    if holder is None:
        raise KioskRefusalError("person_not_found")
    if not card_matches(holder, asked.card_serial):
        raise KioskRefusalError("card_mismatch", subjects=[holder.atena_number])
    today = moment.astimezone(JST).date()
    snapshots = household_as_of(uow.session, holder.household.household_number, today)
    members = in_household_order([s for s in snapshots if s["status"] in CURRENT_STATUSES])
    subjects = [s["atena_number"] for s in members] or [holder.atena_number]
    question = DisclosureRequest(
        Requester("same_household", Identity(atena_number=holder.atena_number)), tuple(subjects), "certificate",
        channel="kiosk",
    )  # fmt: skip
    decision = check_disclosure(uow, question, now=moment)
    if not decision.allowed:
        raise KioskRefusalError("not_issuable", decision.reason_code, decision.message, subjects)
    return holder, members


def _member(holder: Resident, card_serial: str, snapshot: dict[str, Any], priority: bool) -> dict[str, Any]:
    """What a kiosk's screen shows of one member, and the reference to send back."""
    names = certificate_names(snapshot, CertificateOptions())
    return {
        "member_ref": member_reference(holder, card_serial, snapshot["atena_number"]),
        "name": names.name,
        "alias": names.alias,
        "names": display_names(names, priority_kept=priority),
        "relation": snapshot.get("relation_to_head") or "",
    }
