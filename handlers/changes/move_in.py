"""転入 (j560–j620): persons moving in from another municipality or from abroad.

Kinds (intake ``kind``): ``domestic`` 国内転入 (with the 転出証明書: former address, planned move-out date),
``abroad`` 国外転入等 (the former address may be a foreign country), ``special`` 特例転入 (the intake is built
from the 転出証明書情報 received over 住基ネット; the name is the entered one, j610), ``unnotified`` 未届転入
(転入前住所 = the last unnotified address + 「（未届）」, 最終登録住所地 kept, j620).

Intake::

    {"kind": "domestic", "change_date": "2025-04-01", "notified_date": "2025-04-10",
     "household": {"address": …, "postal_code": …} | "household_number": "…",   # new household or join
     "former_address": {"address": …, "postal_code": …, "municipality_code": "202118"},
     "move_out_certificate": {"planned_move_out_date": …, "issued_by": …},
     "unnotified_address": "…",                      # 未届転入 only
     "members": [{resident items…, "re_move_in_of": "<宛名番号>"?}], "note": "…"}

住所を定めた年月日 = 住民となった年月日 = 異動日 on first entry (j590).  再転入 (j600): a 除票 with the same
個人番号, 住民票コード or 在留カード番号 is an error until the clerk chooses 再転入 (``re_move_in_of``); the same
氏名・性別・生年月日 is an alert.  A 再転入 from abroad after a 国外転出 from here takes over the 旧氏/通称 of the
除票 (j70, ``handlers.changes.carried_names``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from handlers.changes.base import Assessment, NoticeDraft, RegistrationResult, register_change_type
from handlers.changes.carried_names import carry_over_names
from handlers.changes.move_in_checks import (
    KINDS,
    late_alert,
    re_move_in_problems_of,
    read_destination,
    read_former_municipality,
    read_request,
)
from handlers.changes.notification_origin import due_event, origin_documents, origin_note, read_origin
from handlers.errors import Problem
from handlers.relay_certificates import certificate_id, certificate_problems, mark_certificate_used
from handlers.residents import households as hh
from handlers.residents.new_members import build_new_members
from handlers.residents.numbering import issue_blocks
from handlers.residents.resident_code_pool import pool_problems, take_resident_codes
from handlers.residents.validation import validate_resident_input
from handlers.uow import UnitOfWork

UNNOTIFIED_MARK = "（未届）"


def prepared_member(member: Mapping[str, Any], intake: Mapping[str, Any], change_date: str) -> dict[str, Any]:
    """The member's items as they will be registered: dates of first entry and the former address."""
    values = {k: v for k, v in member.items() if k not in ("re_move_in_of", "carry_over_names")}
    values.setdefault("became_resident_date", change_date)
    values.setdefault("address_set_date", values["became_resident_date"])  # j590
    former = dict(intake.get("former_address") or {})
    if intake.get("kind") == "unnotified":
        values["previous_address"] = f"{str(intake.get('unnotified_address') or '').strip()}{UNNOTIFIED_MARK}"
        values["last_registered_address"] = former.get("address")
    else:
        values.setdefault("previous_address", former.get("address"))
    values.setdefault("previous_postal_code", former.get("postal_code"))
    values.setdefault("previous_address_code", former.get("address_code"))
    if str(values.get("resident_kind") or "japanese") == "foreign":
        values.setdefault("foreign_resident_date", values["became_resident_date"])
    return values


def _member_problems(index: int, member: Mapping[str, Any]) -> list[Problem]:
    kind = str(member.get("resident_kind") or "japanese")
    _parsed, found = validate_resident_input(member, kind=kind)
    return [
        Problem(f"members[{index}].{p.field}", f"{p.item}（{index + 1}人目）", p.reason, p.remedy, p.code)
        for p in found
        if not (p.field == "resident_code" and p.code == "required")  # a new code is issued at 本登録
    ]


@dataclass
class MoveIn:
    code: str = "move_in"
    label: str = "転入"
    process_id: str = "move_in"
    deadline: str = "event_plus_14"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        problems: list[Problem] = []
        alerts: list[Problem] = []
        request = read_request(intake, problems)
        origin = read_origin(intake, problems)  # 届出 or 職権 (j760)
        change_date = request.change_date.isoformat() if request.change_date else ""
        destination = read_destination(uow, intake, problems)
        members_in = [m for m in intake.get("members") or [] if isinstance(m, Mapping)]
        if not members_in:
            problems.append(
                Problem("members", "転入者", "入力されていません", "転入者を入力してください", "required")
            )
        members = []
        re_move_in = re_move_in_problems_of(uow.session, members_in)
        for index, member in enumerate(members_in):
            prepared = prepared_member(member, intake, change_date)
            alerts += carry_over_names(uow.session, intake.get("kind"), index, member, prepared)  # j70
            problems += _member_problems(index, prepared)
            found, alerted = re_move_in[index]
            problems += found
            alerts += alerted
            members.append({**prepared, "re_move_in_of": member.get("re_move_in_of")})
        problems += destination.head_problems(members)
        new_codes = sum(1 for m in members if not m.get("resident_code"))
        if new_codes:
            errors, low = pool_problems(uow.session, new_codes)
            problems += errors
            alerts += low
        alerts += late_alert(request)
        problems += certificate_problems(uow, intake)  # a 転出証明書情報 serves one 特例転入 only
        subjects = destination.subjects + [
            f"resident:{m['re_move_in_of']}" for m in members if m.get("re_move_in_of")
        ]
        subjects += [f"resident_code:{m['resident_code']}" for m in members if m.get("resident_code")]
        if certificate_id(intake) not in (None, ""):
            subjects.append(f"relay_inbox:{certificate_id(intake)}")
        proposal = {
            "kind": intake.get("kind"),
            "reason_code": KINDS.get(str(intake.get("kind")), "domestic_move_in"),
            "change_date": change_date,
            "notified_date": request.notified_date.isoformat() if request.notified_date else None,
            **destination.proposal,
            "members": members,
            "former_municipality_code": read_former_municipality(intake, problems),
            "move_out_certificate": dict(intake.get("move_out_certificate") or {}),
            **origin,
        }
        proposal["note"] = origin_note(origin, intake.get("note"))
        return Assessment(proposal, problems, alerts, subjects, due_event(origin, request.change_date))

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        dates = {
            "reason_code": proposal["reason_code"],
            "change_date": proposal["change_date"],
            "notified_date": proposal.get("notified_date"),
            "note": proposal.get("note"),
        }
        members = [{k: v for k, v in m.items() if k != "re_move_in_of"} for m in proposal["members"]]
        all_new = not any(member.get("re_move_in_of") for member in proposal["members"])
        number = proposal.get("household_number")
        atena_numbers: list[str] | None = None
        # Before the counters, which stay locked to COMMIT: the codes (taken SKIP LOCKED, they wait for no
        # one), then the persons checked and built.
        issuing = [values for values in members if not values.get("resident_code")]
        for values, code in zip(issuing, take_resident_codes(uow.session, len(issuing)), strict=True):
            values["resident_code"] = code
        built = build_new_members(members, reason_code=dates["reason_code"], change_date=dates["change_date"],
                                  notified_date=dates["notified_date"]) if all_new else None  # fmt: skip
        if not number:
            wanted = [("household", 1), ("atena", len(members) if all_new else 0)]
            [number], atena_numbers = issue_blocks(uow.session, wanted)  # both counters in one statement
            number = hh.create_household(uow, proposal["household"], number).household_number
        documents = ["resident_code_notice"] if issuing else []
        if all_new:
            added = hh.add_members_to_household(
                uow, number, members, **dates, atena_numbers=atena_numbers or None, built=built
            )  # one call: one history flush
            atena_numbers = [resident.atena_number for resident in added]
        else:  # 再転入 among them: person by person, in the order entered
            atena_numbers = []
            for member, values in zip(proposal["members"], members, strict=True):
                if member.get("re_move_in_of"):
                    hh.readmit_resident(uow, member["re_move_in_of"], number, values, **dates)
                    atena_numbers.append(member["re_move_in_of"])
                else:
                    [one] = hh.add_members_to_household(uow, number, [values], **dates)
                    atena_numbers.append(one.atena_number)
        mark_certificate_used(uow, proposal, atena_numbers)
        return RegistrationResult(
            atena_numbers=atena_numbers,
            household_numbers=[number],
            notices=self._notices(proposal, atena_numbers, number),
            documents=origin_documents(proposal, sorted(set(documents))),
            summary={
                "kind": proposal.get("kind"),
                "household_number": number,
                "persons": len(atena_numbers),
                "ex_officio": bool(proposal.get("ex_officio")),
            },  # fmt: skip
        )

    def _notices(
        self, proposal: Mapping[str, Any], atena_numbers: list[str], number: str
    ) -> list[NoticeDraft]:
        notices = [
            NoticeDraft("cs", "identity_change", {"atena_number": a, "reason": proposal["reason_code"],
                                                  "change_date": proposal["change_date"]})
            for a in atena_numbers
        ]  # fmt: skip
        former = proposal.get("former_municipality_code")
        if former and proposal.get("kind") != "abroad":
            notices.append(
                NoticeDraft(
                    f"municipality:{former}",
                    "move_in_notice",  # 転入通知 (j680)
                    {
                        "atena_numbers": atena_numbers,
                        "household_number": number,
                        "move_in_date": proposal["change_date"],
                        "resident_codes": [m.get("resident_code") for m in proposal["members"]],
                    },
                )  # fmt: skip
            )
        return notices


MOVE_IN = register_change_type(MoveIn())
