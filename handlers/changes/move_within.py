"""転居 (move within the municipality, j630, j460, j470, j490; notes §1.9, §2.2).

The whole household or part of it moves to another address in the municipality:

* ``keep``: the whole household moves and stays one household (its 世帯番号 kept; in a 指定都市 a move to another
  ward gives the household a new 世帯番号 while every person keeps the 宛名番号: mode ``renumber``);
* ``new``: part of a household forms a new household at the new address (one of them is its 世帯主);
* ``existing``: the movers join a household that already lives at the new address (that household's head stays).

Reason 転居; 住所を定めた年月日 = 異動日; moving to another building on the same lot (only the 方書 differs) is
still a 転居.  異動日 ≤ today; a notification after the 14-day deadline is an alert.  Each mover's
本人確認情報 (the address) changes, so each gets an ``identity_change`` notice to CS.

Intake: ``atena_numbers``, ``change_date``, ``notified_date``, ``address`` ({address, address_katagaki,
postal_code, address_code, ward_code}), ``destination`` ({kind: keep/new/existing, household_number,
relations: {宛名番号: 続柄}}), ``note``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from handlers.address_lookup import dictionary_code_problems
from handlers.changes.base import Assessment, NoticeDraft, RegistrationResult, register_change_type
from handlers.changes.head_appointment import appoint_ex_officio_head
from handlers.changes.move_out_register import HEAD_DOCUMENTS
from handlers.changes.movers import (
    Movers,
    check_dates,
    check_relations,
    find_household,
    find_movers,
    head_problems,
    iso,
    late_notification_alert,
    subjects,
)
from handlers.changes.notification_origin import due_event, origin_documents, origin_note, read_origin
from handlers.errors import Problem
from handlers.residents.households import change_household_address, move_members
from handlers.residents.lookup import find_resident
from handlers.residents.validation import validate_household_input
from handlers.uow import UnitOfWork
from models.resident import Household, Resident
from models.tenant import Municipality

REASON = "move_within"
MODES = ("keep", "new", "existing")
RENUMBER_SETTING = "renumber_household_on_ward_move"  # 指定都市: new 世帯番号 on an inter-ward move (§1.9)


def _problem(field: str, item: str, reason: str, remedy: str, code: str) -> Problem:
    return Problem(field, item, reason, remedy, code)


def renumbers_on_ward_move(municipality: Municipality | None) -> bool:
    """True in a 指定都市 (unless its settings say otherwise): an inter-ward move gets a new 世帯番号."""
    if municipality is None or municipality.kind != "designated_city":
        return False
    return bool((municipality.settings or {}).get(RENUMBER_SETTING, True))


def _mode(movers: Movers, destination: Mapping[str, Any], problems: list[Problem]) -> str:
    mode = str(destination.get("kind") or ("keep" if movers.whole else "new"))
    if mode not in MODES:
        problems.append(
            _problem(
                "destination.kind",
                "異動先世帯",
                f"「{mode}」は選べません",
                "世帯ごと・新しい世帯・既存の世帯への転居のいずれかを選択してください",
                "format",
            )
        )
    elif mode == "keep" and movers.household is not None and not movers.whole:
        problems.append(
            _problem(
                "destination.kind",
                "異動先世帯",
                "世帯の一部だけが転居します",
                "新しい世帯をつくるか、既存の世帯に入るかを選択してください",
                "part_of_household",
            )
        )
    elif mode == "new" and movers.whole:
        problems.append(
            _problem(
                "destination.kind",
                "異動先世帯",
                "世帯全員が転居します",
                "世帯ごとの転居（世帯番号はそのまま）を選択してください",
                "whole_household",
            )
        )
    return mode


def _same_place(a: Mapping[str, Any], household: Household) -> bool:
    return (a.get("address"), a.get("address_katagaki")) == (household.address, household.address_katagaki)


def _new_address(
    session: Session, intake: Mapping[str, Any], movers: Movers, problems: list[Problem]
) -> dict[str, Any]:
    entered = intake.get("address") or {}
    if not isinstance(entered, Mapping):  # a 世帯変更's address is a text; a 転居's the new address's items
        problems.append(_problem("address", "転居後の住所", "住所の項目（オブジェクト）ではありません",
                                 "住所・郵便番号などを項目ごとに入力してください", "intake_format"))  # fmt: skip
        entered = {}
    parsed, found = validate_household_input(entered)
    problems.extend(found + dictionary_code_problems(session, entered))
    values = dict(parsed.values)
    if not found and movers.household is not None and _same_place(values, movers.household):
        problems.append(
            _problem(
                "address",
                "住所",
                "転居先の住所と方書が現住所と同じです",
                "住所を確認してください（同じ住所での世帯の異動は世帯変更で処理してください）",
                "same_address",
            )
        )
    return values


def _join(
    uow: UnitOfWork, intake: Mapping[str, Any], movers: Movers, problems: list[Problem]
) -> tuple[Household | None, dict[str, Any]]:
    destination = dict(intake.get("destination") or {})
    target = find_household(
        uow.session, destination.get("household_number"), "destination.household_number", problems
    )
    if target is None:
        return None, {}
    source = movers.household
    if source is not None and target.id == source.id:
        problems.append(
            _problem(
                "destination.household_number",
                "異動先世帯",
                "異動元と同じ世帯です",
                "転居先の世帯を指定してください",
                "same_household",
            )
        )
    elif source is not None and target.address == source.address:
        problems.append(
            _problem(
                "destination.household_number",
                "異動先世帯",
                "異動先の世帯は同じ住所にあります",
                "同じ住所の世帯に入るときは世帯変更（世帯合併・世帯変更）で処理してください",
                "same_address",
            )
        )
    address = {
        k: getattr(target, k)
        for k in ("address", "address_katagaki", "postal_code", "address_code", "ward_code")
    }
    return target, address


class MoveWithin:
    code = "move_within"
    label = "転居"
    process_id = "move_within"
    deadline = "event_plus_14"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        problems: list[Problem] = []
        alerts: list[Problem] = []
        movers = find_movers(uow.session, intake.get("atena_numbers"), problems)
        request = check_dates(intake, REASON, "amendment", [m.resident_kind for m in movers.movers], problems)
        origin = read_origin(intake, problems)  # 届出 or 職権 (j760)
        destination = dict(intake.get("destination") or {})
        mode = _mode(movers, destination, problems)
        target: Household | None = None
        relations: dict[str, str] = {}
        if mode == "existing":
            target, address = _join(uow, intake, movers, problems)
            relations = check_relations(
                destination.get("relations"), movers.atena_numbers, problems, head="none"
            )
        else:
            address = _new_address(uow.session, intake, movers, problems)
        if mode == "new" and not any(p.field == "destination.kind" for p in problems):
            relations = check_relations(
                destination.get("relations"), movers.atena_numbers, problems, head="one"
            )
        head = head_problems(movers, alerts) if mode != "keep" else None
        if mode == "keep" and self._renumbers(uow, movers, address):
            mode = "renumber"
        alerts += late_notification_alert(request)
        proposal = {
            "reason": REASON,
            "mode": mode,
            "movers": movers.atena_numbers,
            "source_household": movers.household.household_number if movers.household else None,
            "target_household": target.household_number if target is not None else None,
            "address": address,
            "relations": relations,
            "head_outcome": head.outcome if head else None,
            "new_head": head.new_head if head else None,
            "change_date": iso(request.change_date),
            "notified_date": iso(request.notified_date),
            **origin,
        }
        proposal["note"] = origin_note(origin, intake.get("note"))
        due = due_event(origin, request.change_date)
        return Assessment(proposal, problems, alerts, subjects(movers, target), due)

    def _renumbers(self, uow: UnitOfWork, movers: Movers, address: Mapping[str, Any]) -> bool:
        household = movers.household
        if household is None or not renumbers_on_ward_move(
            uow.session.get(Municipality, uow.actor.tenant_id)
        ):
            return False
        new_ward = address.get("ward_code")
        return new_ward is not None and household.ward_code is not None and new_ward != household.ward_code

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        movers = [find_resident(uow.session, n) for n in proposal["movers"]]
        for mover in movers:  # 住所を定めた年月日 = 異動日, in the snapshot the primitives append
            mover.address_set_date = dt.date.fromisoformat(proposal["change_date"])
            mover.address_set_date_text = None
        target = _apply(uow, proposal, movers)
        changed = [m.atena_number for m in movers]
        changed += appoint_ex_officio_head(uow, proposal)
        households = list(dict.fromkeys([proposal["source_household"], target.household_number]))
        notices = [
            NoticeDraft(
                "cs",
                "identity_change",
                {
                    "atena_number": m.atena_number,
                    "resident_code": m.resident_code,
                    "change": "address",
                    "reason": REASON,
                    "change_date": proposal["change_date"],
                    "address": target.address,
                    "address_katagaki": target.address_katagaki,
                    "household_number": target.household_number,
                },
            )
            for m in movers
        ]
        extra = HEAD_DOCUMENTS.get(str(proposal.get("head_outcome")))
        return RegistrationResult(
            atena_numbers=changed,
            household_numbers=households,
            notices=notices,
            documents=origin_documents(proposal, [extra] if extra else []),
            summary={
                "reason": REASON,
                "ex_officio": bool(proposal.get("ex_officio")),
                "mode": proposal["mode"],
                "household_number": target.household_number,
                "head_outcome": proposal.get("head_outcome"),
            },
        )


def _apply(uow: UnitOfWork, proposal: Mapping[str, Any], movers: list[Resident]) -> Household:
    """The register change of each mode, through the household primitives."""
    address = dict(proposal["address"])
    common = {
        "reason_code": REASON,
        "change_date": proposal["change_date"],
        "notified_date": proposal["notified_date"],
        "note": proposal.get("note"),
    }
    numbers = [m.atena_number for m in movers]
    mode = proposal["mode"]
    if mode == "keep":
        household = movers[0].household
        household.ward_code = address.get("ward_code") or household.ward_code
        return change_household_address(
            uow,
            proposal["source_household"],
            address=address["address"],
            address_code=address.get("address_code"),
            postal_code=address.get("postal_code"),
            katagaki=address.get("address_katagaki"),
            address_set_date=proposal["change_date"],
            **common,
        )
    if mode == "renumber":  # 指定都市 inter-ward move: new 世帯番号, same 宛名番号 and 続柄 (notes §1.9)
        relations = {m.atena_number: m.relation_to_head for m in movers}
        return move_members(uow, numbers, new_household=address, relations=relations, **common)
    if mode == "existing":
        return move_members(
            uow,
            numbers,
            to_household_number=proposal["target_household"],
            relations=proposal["relations"],
            **common,
        )
    return move_members(uow, numbers, new_household=address, relations=proposal["relations"], **common)


MOVE_WITHIN = register_change_type(MoveWithin())
