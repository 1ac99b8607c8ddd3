"""個人番号の異動 (j900, j1130): every change of a person's 個人番号 after its 指定 takes the number from 住基ネット
(CS), never from the counter.

The kinds (``KINDS``; the intake's ``kind``), each one data row of the same path:

* ``change_request`` — 請求に基づく変更 (番号法第7条第2項, 施行令第3条第4項): CS generates a new number;
  ``claim_date`` (請求日; default today, never later) goes on the 変更要求 and the history row;
* ``ex_officio_change`` — 職権に基づく変更 (番号法第7条第2項, 施行令第4条第1項: the number has leaked and may be
  misused): CS generates a new number; ``decision_date`` (職権決定日; default today, never later) and the 職権記録書
  (why the mayor found it may be misused) go on the 変更要求 and the history row;
* ``ex_officio_correction`` — 誤記の職権修正 (住基法施行令第12条第3項) and ``ex_officio_record`` — 記載漏れの職権記載:
  J-LIS holds the number designated to the person; the system asks CS for it (``generate`` false) and writes
  the number CS answers, so a mistyped number cannot be written twice.

The standard's 異動事由 (j210) has 個人番号の変更請求, 個人番号の職権修正 and 個人番号の職権記載 only: a 職権 change
is a 個人番号の職権修正 (j1130's 「職権修正に基づく個人番号の変更要求」) whose history row says 職権による変更.

Intake: ``atena_number``, ``kind``, the kind's date, ``change_date`` (default today) and for the ex-officio
kinds the ex-officio items (``ex_officio_record`` …).  A typed ``my_number`` is refused.  At 本登録 nothing of
the record changes: CS gets the 変更要求 (``my_number_request``: ``basis`` 請求/職権, ``generate``) and the case
waits (``await_generated_number``) until CS answers; the answer is checked and written with the kind's history
row (``handlers.juki_net.change_requests``); an answer in error leaves the record as it was and the case
waiting, to be asked again or withdrawn.  The 個人番号 is shown when written, so that access-log row says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.audit import record_access
from handlers.changes.base import Assessment, NoticeDraft, RegistrationResult, register_change_type
from handlers.changes.ex_officio import documents, history_dates, history_note, past_or_today, read_ex_officio
from handlers.changes.ex_officio_removal import subject_resident
from handlers.clock import japan_today
from handlers.errors import Problem
from handlers.residents.history import HistoryDates
from handlers.residents.lookup import find_resident
from handlers.residents.registration import amend_resident
from handlers.rules.check_digit import my_number_valid
from handlers.rules.digits import ascii_digits
from handlers.uow import UnitOfWork
from models.resident import Resident

ITEM = "個人番号"
HIDDEN = "（非表示）"
CLAIM, EX_OFFICIO = "claim", "ex_officio"  # 請求 / 職権: the 変更要求's ``basis``


@dataclass(frozen=True)
class NumberChangeKind:
    label: str
    reason: str  # the history row's 異動事由 (j210)
    basis: str  # CLAIM or EX_OFFICIO
    generate: bool  # CS generates a new number (変更), else answers the number J-LIS designated (修正・記載)
    replaces: bool  # the person holds a number to replace (else none is recorded: 記載漏れ)
    law: str
    date_field: str | None = None  # the kind's own date: 請求日 / 職権決定日
    date_item: str = ""


KINDS: dict[str, NumberChangeKind] = {
    "change_request": NumberChangeKind(
        "変更請求", "my_number_change_request", CLAIM, True, True, "番号法第7条第2項、番号法施行令第3条第4項",
        "claim_date", "請求日"),
    "ex_officio_change": NumberChangeKind(
        "職権による変更", "my_number_ex_officio_correction", EX_OFFICIO, True, True,
        "番号法第7条第2項、番号法施行令第4条第1項", "decision_date", "職権決定日"),
    "ex_officio_correction": NumberChangeKind(
        "職権修正（誤記）", "my_number_ex_officio_correction", EX_OFFICIO, False, True, "住民基本台帳法施行令第12条第3項"),
    "ex_officio_record": NumberChangeKind(
        "職権記載（記載漏れ）", "my_number_ex_officio_record", EX_OFFICIO, False, False, "住民基本台帳法施行令第12条第3項"),
}  # fmt: skip


def _problem(reason: str, remedy: str, code: str, field: str = "my_number") -> Problem:
    return Problem(field, ITEM, reason, remedy, code)


def current_number_problems(resident: Resident, kind: str) -> list[Problem]:
    """職権記載 fills a missing number; the other kinds replace an existing one."""
    if not KINDS[kind].replaces and resident.my_number:
        return [
            _problem(
                "既に個人番号が記載されています",
                "変更請求・職権による変更・職権修正のいずれかを選択してください",
                "my_number_already_recorded",
                "kind",
            )
        ]
    if KINDS[kind].replaces and not resident.my_number:
        return [
            _problem(
                "個人番号が記載されていません",
                "個人番号の職権記載を選択してください",
                "my_number_missing",
                "kind",
            )
        ]
    return []


def new_number_problems(session: Session, resident: Resident | None, number: str) -> list[Problem]:
    if not my_number_valid(number):
        return [
            _problem(
                "12桁の個人番号として検査用数字が一致しません",
                "正しい個人番号を入力してください",
                "check_digit",
            )
        ]
    if resident is not None and resident.my_number == number:
        return [_problem("現在の個人番号と同じです", "新しい個人番号を入力してください", "unchanged")]
    holder = session.scalars(select(Resident).where(Resident.my_number == number)).first()
    if holder is not None and holder is not resident:
        return [
            _problem(
                "この個人番号は他の住民に記載されています",
                "住基ネットで個人番号を確認してください",
                "my_number_in_use",
            )
        ]
    return []


def typed_number_problems(kind: NumberChangeKind, number: str) -> list[Problem]:
    """The number of every kind comes from J-LIS through CS (j1130), never typed at the counter."""
    if not number:
        return []
    if kind.generate:
        return [_problem(f"個人番号の{kind.label}では、新しい個人番号は住基ネット（J-LIS）が生成します",
                         "個人番号を入力せずに受け付けてください（本登録後、住基ネットの応答で記載されます）",
                         "generated_by_cs")]  # fmt: skip
    return [_problem(f"個人番号の{kind.label}では、正しい個人番号を住基ネット（J-LIS）が保有する番号から取り込みます",
                     "個人番号を入力せずに受け付けてください（本登録後、住基ネットの応答で記載されます）",
                     "held_by_cs")]  # fmt: skip


def _kind(code: str, problems: list[Problem]) -> NumberChangeKind | None:
    kind = KINDS.get(code)
    if kind is None:
        problems.append(
            Problem(
                "kind",
                "異動事由",
                "個人番号の異動の種類が選択されていません",
                "変更請求・職権による変更・職権修正・職権記載のいずれかを選択してください",
                "required",
            )
        )
    return kind


def _basis_part(
    intake: Mapping[str, Any], kind: NumberChangeKind | None, problems: list[Problem]
) -> dict[str, Any]:
    """請求日 of a 変更請求; the ex-officio items (職権記録書 …) and, for a 職権 change, the 職権決定日."""
    part = read_ex_officio(intake, problems, koseki=False) if kind and kind.basis == EX_OFFICIO else {}
    if kind is not None and kind.date_field:
        when = past_or_today(intake.get(kind.date_field), kind.date_field, kind.date_item, problems)
        part[kind.date_field] = when.isoformat() if when else None
    return part


class MyNumberChange:
    code = "my_number_change"
    label = "個人番号の異動"
    process_id = "my_number_change"
    deadline = "none"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        problems: list[Problem] = []
        code = str(intake.get("kind") or "").strip()
        kind = _kind(code, problems)
        proposal = _basis_part(intake, kind, problems)
        resident = subject_resident(uow.session, intake, problems)
        if resident is not None and kind is not None:
            problems += current_number_problems(resident, code)
        if kind is not None:
            problems += typed_number_problems(kind, ascii_digits(str(intake.get("my_number") or "")).strip())
        when = past_or_today(intake.get("change_date"), "change_date", "異動日", problems)
        subjects = []
        if resident is not None:
            subjects = [
                f"resident:{resident.atena_number}",
                f"household:{resident.household.household_number}",
            ]
        proposal.update(
            atena_number=str(intake.get("atena_number") or "").strip(),
            kind=code,
            change_date=when.isoformat() if when else None,
        )
        return Assessment(proposal, problems, [], subjects, when)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        """本登録: the record stays as it is until CS answers; CS gets the 変更要求 (``cs_request``)."""
        resident = find_resident(uow.session, str(proposal["atena_number"]))
        request = cs_request(resident, proposal)
        record_access(uow, "my_number_change_requested", "change", [resident.atena_number],
                      detail={k: request[k] for k in ("reason", "basis", "generate", "change_kind")})  # fmt: skip
        return RegistrationResult(
            atena_numbers=[resident.atena_number],
            household_numbers=[resident.household.household_number],
            notices=[NoticeDraft("cs", "my_number_request", request)],
            documents=documents(proposal),
            summary={
                "atena_number": resident.atena_number,
                "reason": request["reason"],
                "awaits": "cs_number",
            },
        )

    def describe_changes(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The review's one row: the number recorded (hidden from a user who may not see 個人番号) and where the
        new one comes from, since nothing is typed."""
        kind = KINDS.get(str(proposal.get("kind") or ""))
        atena = str(proposal.get("atena_number") or "")
        if kind is None or not atena:
            return []
        current = uow.session.scalars(
            select(Resident.my_number).where(Resident.atena_number == atena)
        ).first()
        source = "新しい番号を生成" if kind.generate else "保有する正しい番号を応答"
        return [{"subject": f"resident:{atena}", "field": "my_number_from_cs", "label": ITEM,
                 "before": HIDDEN if "my_number" in uow.actor.hidden_items else current,
                 "after": f"個人番号の{kind.label}：住基ネット（J-LIS）が{source}（本登録後、CSの応答の取込で記載）"}]  # fmt: skip


def cs_request(resident: Resident, proposal: Mapping[str, Any]) -> dict[str, Any]:
    """The 変更要求 to CS for the case's proposal (at 本登録 and when asked again): who, 請求 or 職権
    (``basis``), whether CS generates a new number (``generate``) or answers the one J-LIS designated, the
    provision and the kind's date (請求日 / 職権決定日)."""
    kind = KINDS[str(proposal["kind"])]
    request = {"atena_number": resident.atena_number, "history_no": resident.history_no, "reason": kind.reason,
               "change_kind": proposal["kind"], "basis": kind.basis, "generate": kind.generate,
               "legal_basis": kind.law, "previous_my_number": resident.my_number}  # fmt: skip
    if kind.date_field:
        request[kind.date_field] = proposal.get(kind.date_field)
    return request


def _answer_note(kind: NumberChangeKind, proposal: Mapping[str, Any], request_id: int) -> str:
    source = "住基ネットで生成された個人番号" if kind.generate else "住基ネット（J-LIS）が保有する個人番号"
    head = f"個人番号の{kind.label}（{kind.law}"
    if kind.date_field:
        head += f"、{kind.date_item} {proposal.get(kind.date_field)}"
    note = f"{head}）：{source}（要求番号 {request_id}）"
    return note if kind.basis == CLAIM else f"{note}。{history_note(proposal)}"


def _dates(kind: NumberChangeKind, proposal: Mapping[str, Any]) -> HistoryDates:
    if kind.basis == CLAIM:
        return HistoryDates(claim_date=dt.date.fromisoformat(str(proposal["claim_date"])))
    return history_dates(proposal)


def write_number_from_cs(
    uow: UnitOfWork, resident: Resident, number: str, proposal: Mapping[str, Any], request_id: int
) -> None:
    """The number CS answered for the case, written with the kind's history row (its date and basis kept)."""
    kind = KINDS[str(proposal["kind"])]
    amend_resident(uow, resident.atena_number, {"my_number": number}, reason_code=kind.reason,
                   change_date=japan_today(), dates=_dates(kind, proposal),
                   note=_answer_note(kind, proposal, request_id))  # fmt: skip
    record_access(uow, "my_number_changed", "change", [resident.atena_number], my_number_shown=True,
                  detail={"reason": kind.reason, "change_kind": proposal["kind"], "request_id": request_id})  # fmt: skip


MY_NUMBER_CHANGE = register_change_type(MyNumberChange())
