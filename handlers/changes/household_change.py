"""世帯変更等 (j720–j740, j490, j500): 世帯分離, 世帯合併, 世帯変更 and 世帯主変更, all at the same address.

Intake: ``kind`` (household_split / household_merge / household_change / head_change), ``change_date``,
``notified_date``, and by kind:

* household_split: ``atena_numbers`` (part of a household) form a new household at the same address;
  ``relations`` give their 続柄 (one is 世帯主);
* household_merge: the whole household ``household_number`` joins ``target_household_number``; ``relations``
  give each joiner's 続柄 to the target's head;
* household_change: ``atena_numbers`` move into ``target_household_number`` with ``relations``;
* head_change: ``household_number``, ``new_head`` and ``relations`` re-setting every other member's 続柄
  relative to the new head (j730).

A 世帯変更 combined with an address change is refused (j720 実装しない機能): the clerk registers the 転居 first.
A de-facto head (``de_facto_head``: e.g. a facility director) is written in 備考 (j740).  The head leaving
follows j490.  The 本人確認情報 does not change, so CS gets nothing; the addressee system gets one notice per
household that changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.changes.base import Assessment, NoticeDraft, RegistrationResult, register_change_type
from handlers.changes.head_appointment import appoint_ex_officio_head
from handlers.changes.move_out_register import HEAD_DOCUMENTS
from handlers.changes.movers import (
    Movers,
    active_members,
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
from handlers.residents.households import change_head, move_members
from handlers.residents.lookup import find_resident
from handlers.residents.remarks import keep_remark
from handlers.uow import UnitOfWork
from models.resident import Household, Resident

KINDS = {"household_split": "世帯分離", "household_merge": "世帯合併", "household_change": "世帯変更",
         "head_change": "世帯主変更"}  # fmt: skip
ADDRESS_KEYS = ("address", "new_address", "address_code", "address_katagaki", "postal_code")
DE_FACTO_PREFIX = "事実上の世帯主："


def _problem(field: str, item: str, reason: str, remedy: str, code: str) -> Problem:
    return Problem(field, item, reason, remedy, code)


def _forbidden_address(intake: Mapping[str, Any], problems: list[Problem]) -> None:
    if any(intake.get(key) for key in ADDRESS_KEYS):
        problems.append(
            _problem(
                "address",
                "住所",
                "世帯変更と同時に住所は変更できません",
                "先に転居の届出を処理し、その後で世帯変更を行ってください",
                "address_change_forbidden",
            )
        )


def _same_address(source: Household | None, target: Household | None, problems: list[Problem]) -> None:
    if source is None or target is None:
        return
    if source.id == target.id:
        problems.append(
            _problem(
                "target_household_number",
                "異動先世帯",
                "異動元と同じ世帯です",
                "別の世帯を指定してください",
                "same_household",
            )
        )
    elif source.address != target.address:
        problems.append(
            _problem(
                "target_household_number",
                "異動先世帯",
                "異動先の世帯は別の住所にあります",
                "住所が変わる場合は転居として処理してください",
                "different_address",
            )
        )


def _whole(uow: UnitOfWork, number: Any, problems: list[Problem]) -> Movers:
    household = find_household(uow.session, number, "household_number", problems)
    if household is None:
        return Movers(None, [], [])
    return Movers(household, active_members(household), [])


class HouseholdChange:
    code = "household_change"
    label = "世帯変更"
    process_id = "household_change"
    deadline = "event_plus_14"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        problems: list[Problem] = []
        alerts: list[Problem] = []
        kind = str(intake.get("kind") or "")
        if kind not in KINDS:
            problems.append(
                _problem(
                    "kind",
                    "異動の種類",
                    f"「{kind}」は世帯変更の種類ではありません",
                    "世帯分離・世帯合併・世帯変更・世帯主変更から選択してください",
                    "format",
                )
            )
        _forbidden_address(intake, problems)
        target: Household | None = None
        new_head: str | None = None
        head = None
        relations: dict[str, str] = {}
        if kind in ("household_merge", "head_change"):
            movers = _whole(uow, intake.get("household_number"), problems)
        else:
            movers = find_movers(uow.session, intake.get("atena_numbers"), problems)
        request = check_dates(
            intake,
            kind if kind in KINDS else "household_change",
            "amendment",
            [m.resident_kind for m in movers.movers],
            problems,
        )
        given = intake.get("relations")
        if kind == "household_split":
            if movers.whole:
                problems.append(
                    _problem(
                        "atena_numbers",
                        "異動者",
                        "世帯全員が選択されています",
                        "世帯から分かれる人だけを選択してください",
                        "whole_household",
                    )
                )
            relations = check_relations(given, movers.atena_numbers, problems, head="one")
        elif kind in ("household_merge", "household_change"):
            target = find_household(
                uow.session, intake.get("target_household_number"), "target_household_number", problems
            )
            _same_address(movers.household, target, problems)
            relations = check_relations(given, movers.atena_numbers, problems, head="none")
        elif kind == "head_change":
            new_head, relations = self._head_change(movers, intake, problems)
        if kind in ("household_split", "household_change"):
            head = head_problems(movers, alerts)
        alerts += late_notification_alert(request)
        origin = read_origin(intake, problems)  # 届出 or 職権 (j760)
        proposal = {
            "kind": kind,
            "movers": movers.atena_numbers,
            "source_household": movers.household.household_number if movers.household else None,
            "target_household": target.household_number if target is not None else None,
            "relations": relations,
            "new_head": new_head if kind == "head_change" else (head.new_head if head else None),
            "head_outcome": head.outcome if head else None,
            "de_facto_head": str(intake.get("de_facto_head") or "").strip() or None,
            "change_date": iso(request.change_date),
            "notified_date": iso(request.notified_date),
            **origin,
        }
        proposal["note"] = origin_note(origin, intake.get("note"))
        due = due_event(origin, request.change_date)
        return Assessment(proposal, problems, alerts, subjects(movers, target), due)

    @staticmethod
    def _head_change(
        movers: Movers, intake: Mapping[str, Any], problems: list[Problem]
    ) -> tuple[str | None, dict[str, str]]:
        new_head = str(intake.get("new_head") or "").strip()
        household = movers.household
        if household is None:
            return None, {}
        if new_head not in movers.atena_numbers:
            problems.append(
                _problem(
                    "new_head",
                    "新しい世帯主",
                    "この世帯の世帯員ではありません",
                    "世帯員から新しい世帯主を選択してください",
                    "not_member",
                )
            )
        elif household.head is not None and household.head.atena_number == new_head:
            problems.append(
                _problem(
                    "new_head",
                    "新しい世帯主",
                    "既に世帯主です",
                    "別の世帯員を新しい世帯主に選択してください",
                    "already_head",
                )
            )
        others = [n for n in movers.atena_numbers if n != new_head]
        return new_head, check_relations(intake.get("relations"), others, problems, head="none")

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        kind = proposal["kind"]
        movers = [find_resident(uow.session, n) for n in proposal["movers"]]
        _write_de_facto_head(uow.session, movers, proposal.get("de_facto_head"), uow.actor.user_id)
        common = {
            "reason_code": kind,
            "change_date": proposal["change_date"],
            "notified_date": proposal["notified_date"],
            "note": proposal.get("note"),
        }
        changed = [m.atena_number for m in movers]
        if kind == "head_change":
            result = change_head(
                uow,
                proposal["source_household"],
                proposal["new_head"],
                relations=proposal["relations"],
                **common,
            )
        elif kind == "household_split":
            result = move_members(uow, changed, new_household={}, relations=proposal["relations"], **common)
        else:
            result = move_members(
                uow,
                changed,
                to_household_number=proposal["target_household"],
                relations=proposal["relations"],
                **common,
            )
        changed += appoint_ex_officio_head(uow, proposal)
        households = list(dict.fromkeys([proposal["source_household"], result.household_number]))
        extra = HEAD_DOCUMENTS.get(str(proposal.get("head_outcome")))
        return RegistrationResult(
            atena_numbers=changed, household_numbers=households,
            notices=[_addressee_notice(uow, number, kind, proposal) for number in households],
            documents=origin_documents(proposal, [extra] if extra else []),
            summary={"kind": kind, "label": KINDS[kind], "household_number": result.household_number,
                     "head_outcome": proposal.get("head_outcome"), "ex_officio": bool(proposal.get("ex_officio"))},
        )  # fmt: skip


def _write_de_facto_head(session: Session, persons: list[Resident], name: Any, user_id: int | None) -> None:
    """j740: the de-facto head's name in 備考 (統合記載欄 C類型), before the history rows are appended."""
    if not name:
        return
    line = f"{DE_FACTO_PREFIX}{name}"
    for person in persons:
        kept = [x for x in (person.remarks or "").splitlines() if x and not x.startswith(DE_FACTO_PREFIX)]
        keep_remark(session, person, "\n".join([*kept, line]), user_id)


def _addressee_notice(uow: UnitOfWork, number: str, kind: str, proposal: Mapping[str, Any]) -> NoticeDraft:
    household = uow.session.scalars(select(Household).where(Household.household_number == number)).one()
    present = [m for m in household.members if m.status != "removed"]
    return NoticeDraft("addressee", "household_change", {
        "household_number": number, "kind": kind, "change_date": proposal["change_date"],
        "status": household.status, "head_atena_number": household.head.atena_number if household.head else None,
        "members": [{"atena_number": m.atena_number, "relation_to_head": m.relation_to_head} for m in present],
    })  # fmt: skip


HOUSEHOLD_CHANGE = register_change_type(HouseholdChange())
