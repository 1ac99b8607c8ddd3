"""個人番号の変更請求 waiting for the number CS generates (j900, j1130).

The 本登録 of a 変更請求 changes nothing of the record: it sends CS the 変更要求 (``my_number_request`` with
``generate``) and the case waits at ``await_generated_number``.  When CS answers:

* ``done`` with the generated number: the number is checked (check digit, not held by another person, not the
  person's current one) and written with the 変更請求's history row (its 請求日, the case's id), and the case's
  waiting task is completed by the system, so the case goes on to its end.  A number that cannot be taken
  refuses CS's whole file (nothing of it is applied), as for the 生成要求;
* ``refused``: nothing is written; the request shows 送信エラー with CS's reason (the case page and
  ``/juki-net/my-number-requests``), and the case stays waiting.  Staff either ask CS again
  (``ask_again``: a new 変更要求 for the same case, followed the same way) or withdraw the case (取消),
  which is allowed only while no 変更要求 of the case is still unanswered; a number CS answers later for a
  withdrawn case, or a second one for the same case, refuses the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from handlers.cases.pending import pending_change_of
from handlers.changes.my_number_change import new_number_problems, write_generated_number
from handlers.errors import ConflictError, NotFoundError, Problem, ValidationError
from handlers.juki_net.card_notices import current_persons
from handlers.juki_net.cs_files import CsFileError
from handlers.juki_net.person_requests import STATUS_LABELS, queue_person_requests, request_status
from handlers.permissions import require
from handlers.residents.history import history_of_case
from handlers.uow import UnitOfWork
from models.case import Case, CaseTask
from models.change import OutboxMessage
from models.juki_net import CsPersonRequest
from models.resident import Resident
from workflows.engine import runner

CHANGE = "my_number_change"
NOTICE_KIND = "my_number_request"
WAIT_TASK = "await_generated_number"


def _refuse(request: CsPersonRequest, reason: str, remedy: str) -> CsFileError:
    return CsFileError([Problem("my_number", f"要求番号 {request.id}（宛名番号 {request.atena_number}）",
                                reason, remedy, "my_number_result")])  # fmt: skip


def claimed_change(uow: UnitOfWork, case_id: int | None) -> dict[str, Any] | None:
    """The registered proposal of a 変更請求 case (the one that waits for CS's number), else None."""
    if case_id is None:
        return None
    pending = pending_change_of(uow, case_id)
    if pending is None or pending.status != "registered":
        return None
    proposal = dict(pending.proposal or {})
    return proposal if proposal.get("kind") == "change_request" else None


def take_changed_number(uow: UnitOfWork, request: CsPersonRequest, answer: Mapping[str, Any]) -> None:
    """CS's ``done`` to a 変更要求: for a 変更請求, write the number CS generated and let the case go on."""
    proposal = claimed_change(uow, request.case_id)
    if proposal is None or proposal.get("my_number"):
        return  # a 職権修正's (or an earlier typed 変更請求's) 変更要求: its number was written at 本登録
    assert request.case_id is not None
    case = uow.session.get(Case, request.case_id)
    if case is None or case.status == "cancelled":
        raise _refuse(
            request, "この変更請求の案件は取り消されています", "CSに変更要求の取消しを確認してください"
        )
    if any(r.id != request.id and r.result == "done" for r in _requests_of(uow, request.case_id)):
        raise _refuse(
            request, "この変更請求の個人番号は既に記載されています", "CSからの応答ファイルを確認してください"
        )
    number = str(answer.get("my_number") or "").strip()
    if not number:
        raise _refuse(request, "生成された個人番号がありません", "CSからの応答ファイルを確認してください")
    persons = current_persons(uow, Resident.atena_number == request.atena_number)
    if not persons:
        raise _refuse(request, "住民記録に現存しない住民です", "住民の状態を確認してください")
    resident = persons[0][0]
    if problems := new_number_problems(uow.session, resident, number):
        raise _refuse(request, f"生成された個人番号 {number}：{problems[0].message}", problems[0].remedy)
    claimed = dt.date.fromisoformat(str(proposal["claim_date"]))
    try:
        with history_of_case(uow.session, request.case_id):
            write_generated_number(uow, resident, number, claimed, request.id)
    except ValidationError as error:
        raise CsFileError(error.problems) from None
    _finish_waiting(uow, request.case_id)


def _waiting_task(uow: UnitOfWork, case_id: int) -> CaseTask | None:
    return uow.session.scalars(
        select(CaseTask).where(
            CaseTask.case_id == case_id, CaseTask.bpmn_id == WAIT_TASK, CaseTask.state == "ready"
        )
    ).first()


def _finish_waiting(uow: UnitOfWork, case_id: int) -> None:
    """Complete the case's waiting task (the received-files batch runs as the system, which works any lane's
    task); a case on a flow version without the task has none, and nothing more to do."""
    task = _waiting_task(uow, case_id)
    if task is None:
        return
    runner.claim_and_complete_task(uow, task.id, {"generated_number": True})


def _requests_of(uow: UnitOfWork, case_id: int) -> list[CsPersonRequest]:
    return list(
        uow.session.scalars(
            select(CsPersonRequest)
            .where(CsPersonRequest.case_id == case_id, CsPersonRequest.kind == CHANGE)
            .order_by(CsPersonRequest.id)
        )
    )


def unanswered(uow: UnitOfWork, case_id: int) -> bool:
    """Whether a 変更要求 of the case still waits for CS's answer (the case cannot be withdrawn then)."""
    return any(r.result is None for r in _requests_of(uow, case_id))


def ask_again(uow: UnitOfWork, case_id: int) -> CsPersonRequest:
    """A new 変更要求 for a waiting 変更請求 whose last request CS refused; followed as the first was."""
    require(uow.actor, "resident.change")
    case = uow.session.get(Case, case_id)
    if case is None:
        raise NotFoundError("指定された案件はありません。")
    proposal = claimed_change(uow, case_id)
    if proposal is None or _waiting_task(uow, case_id) is None:
        raise ConflictError("住基ネットの応答を待っている個人番号の変更請求ではありません。")
    requests = _requests_of(uow, case_id)
    if not requests or requests[-1].result != "refused":
        raise ConflictError("前回の変更要求にCSがエラーを返した後にだけ、再要求できます。")
    persons = current_persons(uow, Resident.atena_number == requests[-1].atena_number)
    if not persons:
        raise ConflictError("住民記録に現存しない住民のため、再要求できません。案件を取り消してください。")
    resident = persons[0][0]
    key = f"{case.case_number}:my_number_change:{len(requests) + 1}"
    payload = {"atena_number": resident.atena_number, "history_no": resident.history_no,
               "reason": "my_number_change_request", "previous_my_number": resident.my_number,
               "generate": True, "claim_date": proposal["claim_date"]}  # fmt: skip
    [request] = queue_person_requests(
        uow, CHANGE, {key: (resident, payload)}, case_id, message_kind=NOTICE_KIND
    )
    return request


def case_change_requests(uow: UnitOfWork, case_id: int) -> list[dict[str, Any]]:
    """For the case page: the case's 変更要求 in order, each with its state (送信待ち … 送信エラー and CS's reason)
    and whether staff may ask CS again (the last one refused while the case waits)."""
    requests = _requests_of(uow, case_id)
    if not requests:
        return []
    messages = {
        m.idempotency_key: m
        for m in uow.session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.in_([r.outbox_key for r in requests]))
        )
    }
    waiting = _waiting_task(uow, case_id) is not None
    rows = []
    for index, item in enumerate(requests):
        message = messages.get(item.outbox_key)
        state, error = request_status(item, message) if message is not None else ("queued", None)
        last = index == len(requests) - 1
        rows.append({"id": item.id, "status": state, "status_label": STATUS_LABELS[state], "error": error,
                     "requested_at": item.requested_at, "answered_at": item.answered_at,
                     "may_ask_again": last and waiting and item.result == "refused"})  # fmt: skip
    return rows
