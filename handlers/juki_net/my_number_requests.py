"""個人番号の生成・変更・修正要求 (j1130) over the 住基ネット line.

* 生成要求: a registered change that records a person newly (出生, 国外転入等, 職権記載: ``GENERATING_REASONS``)
  who has no 個人番号 sends CS a ``my_number_generation`` message for that person, in the 本登録's transaction (called
  by the case framework's ``queue_notices`` step, ``send_generation_requests``);
* 取込: CS answers in a ``my_number_result`` file with the generated number; each is checked (check digit, not
  held by another person, the person still without one) and written to the person by ``amend_resident`` with a
  history row (個人番号の職権記載), the request marked done (``apply_my_number_results``); one answer that cannot
  be taken in refuses the whole file, which then changes nothing;
* 変更要求: every 個人番号の異動 (the ``my_number_change`` change type: 変更請求, 職権による変更, 職権修正, 職権記載)
  sends CS a ``my_number_request`` notice with the case, saying 請求 or 職権 (``basis``) and whether CS generates
  a new number (``generate``) or answers the one J-LIS designated; each is followed as a request
  (``track_change_requests``) and CS's answer is taken in from the same file, with the number it carries
  written then (``handlers.juki_net.change_requests``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from handlers.changes.my_number_change import new_number_problems
from handlers.clock import japan_today
from handlers.errors import Problem, ValidationError
from handlers.juki_net.card_notices import current_persons
from handlers.juki_net.change_requests import take_changed_number
from handlers.juki_net.cs_files import CsFile, CsFileError
from handlers.juki_net.person_requests import CS, apply_answers, queue_person_requests, track_request
from handlers.residents.history import display_name
from handlers.residents.registration import amend_resident
from handlers.uow import UnitOfWork
from models.case import Case
from models.juki_net import CsPersonRequest
from models.resident import Household, Resident

GENERATION = "my_number_generation"
CHANGE = "my_number_change"
CHANGE_NOTICE_KIND = "my_number_request"  # the my_number_change type's notice to CS
RESULT_KIND = "my_number_result"
GENERATED_REASON = "my_number_ex_officio_record"  # 個人番号の職権記載
# 出生, 国外転入等, 職権記載 (住所設定 …): a person recorded by these may hold no number yet.  A 国内転入 (the
# number comes with the 転出証明書 / CS), 帰化・国籍喪失 (the person's record continues), 改製・再製 and
# 異動の取消し (the person had a record) never ask CS for a new one.
GENERATING_REASONS = ("birth", "move_in_from_abroad", "ex_officio_record")


def _records_newly(notice: Mapping[str, Any]) -> bool:
    """A CS identity_change recording a person who may never have had a 個人番号 (``GENERATING_REASONS``)."""
    payload = notice.get("payload") or {}
    return (
        notice.get("destination") == CS
        and notice.get("kind") == "identity_change"
        and payload.get("reason") in GENERATING_REASONS
    )


def _generation_payload(resident: Resident, household: Household) -> dict[str, Any]:
    return {
        "atena_number": resident.atena_number, "resident_code": resident.resident_code,
        "name": display_name(resident), "birth_date": resident.birth_date.isoformat() if resident.birth_date else None,
        "sex": resident.sex, "address": household.address,
    }  # fmt: skip


def send_generation_requests(
    uow: UnitOfWork, case: Case, notices: Sequence[Mapping[str, Any]], *, nothing_queued: bool = False
) -> list[str]:
    """生成要求 for every person the change records newly who is a resident without a 個人番号, keyed
    ``<受付番号>:my_number:<宛名番号>`` (queuing the case's notices again adds none); their keys."""
    named = sorted({str(n["payload"]["atena_number"]) for n in notices
                    if _records_newly(n) and (n.get("payload") or {}).get("atena_number")})  # fmt: skip
    if not named:
        return []
    persons = current_persons(uow, Resident.atena_number.in_(named))
    drafts = {
        f"{case.case_number}:my_number:{r.atena_number}": (r, _generation_payload(r, h))
        for r, h in persons
        if r.status == "resident" and not r.my_number
    }
    if drafts and not nothing_queued:
        for key in set(uow.session.scalars(select(CsPersonRequest.outbox_key).where(
                CsPersonRequest.outbox_key.in_(list(drafts))))):  # fmt: skip
            drafts.pop(key)
    return [r.outbox_key for r in queue_person_requests(uow, GENERATION, drafts, case.id)]


def track_change_requests(
    uow: UnitOfWork, case: Case, notices: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> list[CsPersonRequest]:
    """Follow each 変更要求 the case queued (its notices' keys, in order) as a request, once."""
    wanted = {
        key: str(notice["payload"]["atena_number"])
        for key, notice in zip(keys, notices, strict=True)
        if notice.get("destination") == CS and notice.get("kind") == CHANGE_NOTICE_KIND
    }
    if not wanted:
        return []
    known = set(
        uow.session.scalars(
            select(CsPersonRequest.outbox_key).where(CsPersonRequest.outbox_key.in_(list(wanted)))
        )
    )
    persons = {
        r.atena_number: r for r, _h in current_persons(uow, Resident.atena_number.in_(list(wanted.values())))
    }
    return [
        track_request(uow, CHANGE, persons[atena], key, case.id)
        for key, atena in wanted.items()
        if key not in known and atena in persons
    ]


def _refuse(request: CsPersonRequest, reason_text: str, remedy: str) -> CsFileError:
    return CsFileError([Problem("my_number", f"要求番号 {request.id}（宛名番号 {request.atena_number}）",
                                reason_text, remedy, "my_number_result")])  # fmt: skip


def _take_generated(uow: UnitOfWork, request: CsPersonRequest, answer: Mapping[str, Any]) -> None:
    """Write the number CS generated to the person, with its history row (個人番号の職権記載; for a 変更要求,
    the row of the case's kind: ``change_requests.take_changed_number``)."""
    if request.kind == CHANGE:
        take_changed_number(uow, request, answer)
        return
    if request.kind != GENERATION:
        return
    number = str(answer.get("my_number") or "").strip()
    persons = current_persons(uow, Resident.atena_number == request.atena_number)
    if not persons:
        raise _refuse(request, "住民記録に現存しない住民です", "住民の状態を確認してください")
    resident = persons[0][0]
    if resident.my_number:
        raise _refuse(request, "既に個人番号が記載されています", "住基ネットで個人番号を確認してください")
    if problems := new_number_problems(uow.session, resident, number):
        raise _refuse(request, f"生成された個人番号 {number}：{problems[0].message}", problems[0].remedy)
    try:
        amend_resident(
            uow, resident.atena_number, {"my_number": number}, reason_code=GENERATED_REASON,
            change_date=japan_today(), note=f"住基ネットで生成された個人番号の記載（生成要求 要求番号 {request.id}）",
        )  # fmt: skip
    except ValidationError as error:
        raise CsFileError(error.problems) from None


def apply_my_number_results(uow: UnitOfWork, cs_file: CsFile) -> tuple[int, list[str]]:
    """CS's answers to the 生成要求 (with the generated number) and 変更要求: (recorded, unknown keys)."""
    return apply_answers(uow, cs_file, (GENERATION, CHANGE), _take_generated)
