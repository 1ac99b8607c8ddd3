"""個人番号の異動 waiting for the number CS answers (j900, j1130).

The 本登録 of every 個人番号の異動 (変更請求, 職権による変更, 職権修正, 職権記載: ``my_number_change.KINDS``) changes
nothing of the record: it sends CS the 変更要求 (``my_number_request``: ``basis`` 請求/職権, ``generate``) and the
case waits at ``await_generated_number``.  When CS answers:

* ``done`` with the number (generated for a 変更, the one J-LIS designated for a 修正・記載): the number is checked
  (check digit, not held by another person, not the person's current one, the person still holding one to
  replace or none to fill) and written with the kind's history row (請求日 or the 職権 items, the case's id), and
  the case's waiting task is completed by the system, so the case goes on to its end.  A number that cannot be
  taken refuses CS's whole file (nothing of it is applied), as for the 生成要求;
* ``refused``: nothing is written; the request shows 送信エラー with CS's reason (the case page and
  ``/juki-net/my-number-requests``), and the case stays waiting.  Staff either ask CS again
  (``ask_again``: a new 変更要求 for the same case, followed the same way) or withdraw the case (取消),
  which is allowed only while no 変更要求 of the case is still unanswered; a number CS answers later for a
  withdrawn case, or a second one for the same case, refuses the file.

A 変更要求 that carried its number (a 職権修正 entered before the number came from CS, written at its 本登録) is
only acknowledged by CS's answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from handlers.cases.pending import pending_change_of
from handlers.changes.my_number_change import (
    KINDS,
    cs_request,
    current_number_problems,
    new_number_problems,
    write_number_from_cs,
)
from handlers.errors import ConflictError, NotFoundError, Problem, ValidationError
from handlers.juki_net.card_notices import current_persons
from handlers.juki_net.cs_files import CsFileError
from handlers.juki_net.person_requests import STATUS_LABELS, kind_label, queue_person_requests, request_status
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


def awaited_change(uow: UnitOfWork, case_id: int | None) -> dict[str, Any] | None:
    """The registered proposal of a 個人番号の異動 case (its number comes from CS's answer), else None."""
    if case_id is None:
        return None
    pending = pending_change_of(uow, case_id)
    if pending is None or pending.status != "registered":
        return None
    proposal = dict(pending.proposal or {})
    return proposal if proposal.get("kind") in KINDS else None


def _carried_number(uow: UnitOfWork, request: CsPersonRequest) -> bool:
    """Whether the 変更要求 carried its number: a 職権修正 registered before the number came from CS, its typed
    number written at 本登録 (CS's answer only acknowledges it)."""
    payload = uow.session.scalars(
        select(OutboxMessage.payload).where(OutboxMessage.idempotency_key == request.outbox_key)
    ).first()
    return bool((payload or {}).get("my_number"))


def take_changed_number(uow: UnitOfWork, request: CsPersonRequest, answer: Mapping[str, Any]) -> None:
    """CS's ``done`` to a 変更要求: write the number CS answered and let the case go on."""
    proposal = awaited_change(uow, request.case_id)
    if proposal is None or _carried_number(uow, request):
        return  # the number was written at 本登録; CS acknowledges it
    assert request.case_id is not None
    case = uow.session.get(Case, request.case_id)
    if case is None or case.status == "cancelled":
        raise _refuse(
            request, "この個人番号の異動の案件は取り消されています", "CSに変更要求の取消しを確認してください"
        )
    if any(r.id != request.id and r.result == "done" for r in _requests_of(uow, request.case_id)):
        raise _refuse(
            request, "この案件の個人番号は既に記載されています", "CSからの応答ファイルを確認してください"
        )
    kind = KINDS[str(proposal["kind"])]
    source = "生成された個人番号" if kind.generate else "住基ネットが保有する個人番号"
    number = str(answer.get("my_number") or "").strip()
    if not number:
        raise _refuse(request, f"{source}がありません", "CSからの応答ファイルを確認してください")
    persons = current_persons(uow, Resident.atena_number == request.atena_number)
    if not persons:
        raise _refuse(request, "住民記録に現存しない住民です", "住民の状態を確認してください")
    resident = persons[0][0]
    if held := current_number_problems(resident, str(proposal["kind"])):  # recorded meanwhile by another case
        raise _refuse(
            request, f"{source} {number}：{held[0].message}", "住民記録の個人番号を確認してください"
        )
    if problems := new_number_problems(uow.session, resident, number):
        raise _refuse(request, f"{source} {number}：{problems[0].message}", problems[0].remedy)
    try:
        with history_of_case(uow.session, request.case_id):
            write_number_from_cs(uow, resident, number, proposal, request.id)
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
    """A new 変更要求 for a waiting 個人番号の異動 whose last request CS refused; followed as the first was."""
    require(uow.actor, "resident.change")
    case = uow.session.get(Case, case_id)
    if case is None:
        raise NotFoundError("指定された案件はありません。")
    proposal = awaited_change(uow, case_id)
    if proposal is None or _waiting_task(uow, case_id) is None:
        raise ConflictError("住基ネットの応答を待っている個人番号の異動ではありません。")
    requests = _requests_of(uow, case_id)
    if not requests or requests[-1].result != "refused":
        raise ConflictError("前回の変更要求にCSがエラーを返した後にだけ、再要求できます。")
    persons = current_persons(uow, Resident.atena_number == requests[-1].atena_number)
    if not persons:
        raise ConflictError("住民記録に現存しない住民のため、再要求できません。案件を取り消してください。")
    resident = persons[0][0]
    key = f"{case.case_number}:my_number_change:{len(requests) + 1}"
    drafts = {key: (resident, cs_request(resident, proposal))}
    [request] = queue_person_requests(uow, CHANGE, drafts, case_id, message_kind=NOTICE_KIND)
    return request


def case_change_requests(uow: UnitOfWork, case_id: int) -> list[dict[str, Any]]:
    """For the case page: the case's 変更要求 in order, each with its kind and state (送信待ち … 送信エラー and CS's reason)
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
        label = kind_label(item, message) if message is not None else ""
        rows.append({"id": item.id, "kind_label": label, "status": state, "status_label": STATUS_LABELS[state], "error": error,
                     "requested_at": item.requested_at, "answered_at": item.answered_at,
                     "may_ask_again": last and waiting and item.result == "refused"})  # fmt: skip
    return rows
