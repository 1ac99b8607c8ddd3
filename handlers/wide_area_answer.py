"""広域交付 at the person's own municipality (住所地市町村, 住基法12条の4, j1210): the automatic answer to a
request another municipality's counter sent through the CS relay.

The person is identified by 住民票コード, or by 氏名・生年月日・住所 (exactly one resident must match); the
requester (本人 or 同一世帯員, whose identity the counter checked) must be the person or a member of their
household.  Then the one disclosure decision (``handlers.suppression.check_disclosure``, requester kind
``other_municipality``) runs: a person protected by a 支援措置 here, or anyone in a household copy's scope, is
refused (``protected_remote``), as is a registered perpetrator.  The answer carries only the items a 広域交付
copy may print (``handlers.rules.wide_area.carried_snapshot``) and goes back through the outbox.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.certificates.compose import load_snapshots
from handlers.certificates.issuance import disclosure_request
from handlers.certificates.options import CertificateOptions, CertificateRequest
from handlers.clock import japan_today
from handlers.errors import DomainError, ValidationError
from handlers.integration.subscribers import queue_copy
from handlers.outbox_dispatch import schedule_delivery
from handlers.rules.disclosure import Identity
from handlers.rules.kanji import fold_address, fold_name
from handlers.rules.wide_area import WIDE_AREA_TYPES, carried_snapshot
from handlers.suppression import check_disclosure
from handlers.uow import UnitOfWork
from models.relay import RelayInbox
from models.resident import Household, Resident

REQUEST_KIND = "wide_area_request"
ANSWER_KIND = "wide_area_answer"
LIVE_STATUSES = ("resident", "moving_out")
NOT_FOUND = "住所地に該当する住民がいません。住民票コードまたは氏名・生年月日・住所を確認してください。"
AMBIGUOUS = "該当する住民が複数います。住民票コードで請求してください。"
NOT_RELATED = "請求者が本人または同一世帯員であることを住所地で確認できません。"


class WideAreaRefusedError(DomainError):
    code = "wide_area_refused"


def _key(text: Any) -> str:
    return fold_name(str(text or "").replace(" ", "").replace("\u3000", ""))


def _born(text: Any) -> dt.date | None:
    return dt.date.fromisoformat(str(text)[:10]) if text else None


def identify(uow: UnitOfWork, person: Mapping[str, Any]) -> Resident:
    """The one living resident the request names (by 住民票コード, or by 氏名・生年月日・住所)."""
    query = select(Resident).where(Resident.status.in_(LIVE_STATUSES))
    if person.get("resident_code"):
        query = query.where(Resident.resident_code == str(person["resident_code"]))
    else:
        query = query.where(Resident.birth_date == _born(person.get("birth_date")))
    found = list(uow.session.scalars(query))
    name, address = _key(person.get("name")), fold_address(str(person.get("address") or ""))
    if not person.get("resident_code"):
        found = [r for r in found if _key(f"{r.family_name}{r.given_name}") == name and _lives_at(r, address)]
    elif person.get("birth_date"):
        found = [r for r in found if r.birth_date == _born(person["birth_date"])]
    if not found:
        raise WideAreaRefusedError(NOT_FOUND)
    if len(found) > 1:
        raise WideAreaRefusedError(AMBIGUOUS)
    return found[0]


def _lives_at(resident: Resident, address: str) -> bool:
    household: Household | None = resident.household
    return bool(address) and household is not None and address in (household.address_key or "")


def _check_requester(uow: UnitOfWork, resident: Resident, requester: Mapping[str, Any]) -> None:
    """本人: the person themself; 同一世帯員: a living member of their household (name and birth date)."""
    name, born = _key(requester.get("name")), _born(requester.get("birth_date"))
    if requester.get("relation") == "self":
        candidates = [resident]
    else:
        candidates = list(
            uow.session.scalars(
                select(Resident).where(
                    Resident.household_id == resident.household_id, Resident.status.in_(LIVE_STATUSES)
                )
            )
        )
    for member in candidates:
        if _key(f"{member.family_name}{member.given_name}") == name and (
            born is None or member.birth_date == born
        ):
            return
    raise WideAreaRefusedError(NOT_RELATED)


def certificate_request(payload: Mapping[str, Any], atena_number: str) -> CertificateRequest:
    options = payload.get("options") or {}
    requester = payload.get("requester") or {}
    kind = str(payload.get("certificate_type"))
    return CertificateRequest(
        certificate_type=kind,
        subjects=(atena_number,),
        whole_household=kind == "copy_household",
        options=CertificateOptions(
            include_head_relation=bool(options.get("include_head_relation")),
            include_resident_code=bool(options.get("include_resident_code")),
        ),
        requester_kind="other_municipality",
        requester=Identity(name=requester.get("name") or None, birth_date=_born(requester.get("birth_date"))),
        purpose=str(payload.get("purpose") or ""),
    )


def _persons(uow: UnitOfWork, payload: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """The items to answer and the 宛名番号 they are of, or WideAreaRefusedError with the reason."""
    if payload.get("certificate_type") not in WIDE_AREA_TYPES:
        raise WideAreaRefusedError("広域交付できる証明書の種別ではありません。")
    resident = identify(uow, payload.get("person") or {})
    _check_requester(uow, resident, payload.get("requester") or {})
    request = certificate_request(payload, resident.atena_number)
    try:
        snapshots = load_snapshots(uow.session, request, japan_today())
    except ValidationError as err:
        raise WideAreaRefusedError("住所地の住民票の状態により、広域交付できません。") from err
    printed = [s["atena_number"] for s in snapshots]
    decision = check_disclosure(uow, disclosure_request(request, printed))
    if not decision.allowed:
        raise WideAreaRefusedError(decision.message)
    options = request.options
    carried = [
        {**carried_snapshot(s, head=options.include_head_relation, resident_code=options.include_resident_code),
         "atena_number": s["atena_number"]}
        for s in snapshots
    ]  # fmt: skip
    return carried, printed


def answer_wide_area_request(uow: UnitOfWork, row: RelayInbox) -> None:
    """Answer one received request (the relay's unit of work of this municipality): the items, or the refusal."""
    payload = dict(row.payload or {})
    try:
        persons, printed = _persons(uow, payload)  # reads, and writes only the disclosure's access-log row
        answer: dict[str, Any] = {"outcome": "answered", "persons": persons}
    except WideAreaRefusedError as refusal:
        persons, printed = [], []
        answer = {"outcome": "refused", "reason": str(refusal)}
    row.status = "applied" if answer["outcome"] == "answered" else "refused"
    row.payload = {**payload, "answer": {"outcome": answer["outcome"], "reason": answer.get("reason")}}
    destination = f"municipality:{row.sender_code}"
    answer["request_number"] = payload.get("request_number")
    queue_copy(uow, destination, ANSWER_KIND, answer, f"{ANSWER_KIND}:{row.idempotency_key}"[:100], None)
    uow.session.flush()
    schedule_delivery(uow, [destination])
    record_access(
        uow, "wide_area_request_answered", "print" if printed else "view", printed,
        detail={"inbox_id": row.id, "requested_by": row.sender_code, "outcome": answer["outcome"],
                "reason": answer.get("reason"), "request_number": payload.get("request_number")},
    )  # fmt: skip
