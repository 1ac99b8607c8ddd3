"""符号の取得 (j1140): a 符号取得要求 for a person goes to CS over the 住基ネット line as an outbox message
(destination ``cs``, kind ``code_request``, delivered after commit in order with retries and dead letters);
CS's answers arrive in a ``code_result`` file (docs/integration.md) and are matched on the request key.

Staff see whether each request went out correctly (``code_request_list``): 送信待ち (queued), 送信済み
(sent, no answer yet), 受理 (acknowledged by CS), 送信エラー (failed: the transport's or CS's error, or dead).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.errors import Problem, ValidationError
from handlers.integration.subscribers import queue_copy
from handlers.juki_net.cs_files import CsFile, CsFileError, take_file
from handlers.juki_net.identity import CURRENT_STATUSES
from handlers.juki_net.person_requests import cs_request_status
from handlers.outbox_dispatch import schedule_delivery
from handlers.permissions import require
from handlers.residents.history import display_name
from handlers.suppression import persons_withheld_from_lists
from handlers.uow import UnitOfWork
from models.change import OutboxMessage
from models.juki_net import CODE_REQUEST_RESULTS, CodeRequest
from models.resident import Resident

CS = "cs"
KIND = "code_request"
RESULT_KIND = "code_result"
STATUS_LABELS = {
    "queued": "送信待ち",
    "sent": "送信済み（応答待ち）",
    "acknowledged": "受理",
    "failed": "送信エラー",
}


def _problem(reason: str, remedy: str, code: str) -> ValidationError:
    return ValidationError([Problem("atena_number", "宛名番号", reason, remedy, code)])


def request_code(uow: UnitOfWork, atena_number: str) -> CodeRequest:
    """符号取得要求 for one current resident with a 住民票コード: queued to CS, sent after commit."""
    require(uow.actor, "resident.change")
    number = (atena_number or "").strip()
    if not number:
        raise _problem("入力されていません", "符号を取得する住民の宛名番号を入力してください", "required")
    resident = uow.session.scalars(
        select(Resident).where(Resident.atena_number == number, Resident.status.in_(CURRENT_STATUSES))
    ).one_or_none()
    if resident is None:
        raise _problem(
            f"宛名番号 {number} の住民は住民記録にありません", "宛名番号を確認してください", "not_found"
        )
    if not resident.resident_code:
        raise _problem(
            "住民票コードが記載されていません",
            "住民票コードを記載してから要求してください",
            "no_resident_code",
        )
    key = f"code_request:{uuid.uuid4().hex}"
    payload = {"request_key": key, "atena_number": number, "resident_code": resident.resident_code}
    queue_copy(uow, CS, KIND, payload, key, None)
    message_id = uow.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)
    ).one()
    request = CodeRequest(
        tenant_id=uow.actor.tenant_id, atena_number=number, resident_code=resident.resident_code,
        outbox_message_id=message_id, requested_at=dt.datetime.now(dt.UTC), requested_by=uow.actor.login_id[:60],
    )  # fmt: skip
    uow.session.add(request)
    uow.session.flush()
    record_access(uow, "code_requested", "change", [number], detail={"request_id": request.id, "key": key})
    schedule_delivery(uow, [CS])
    return request


def request_status(request: CodeRequest, message: OutboxMessage) -> tuple[str, str | None]:
    """(status, the error to show) of one request from CS's answer and its outbox message."""
    return cs_request_status(request.result, request.error, message, answered=("accepted", "acknowledged"))


@dataclass(frozen=True)
class CodeRequestRow:
    id: int
    atena_number: str | None  # None when withheld (支援措置)
    name: str | None
    requested_at: dt.datetime
    requested_by: str
    status: str
    status_label: str
    error: str | None
    sent_at: dt.datetime | None
    answered_at: dt.datetime | None
    withheld: bool


def code_request_list(uow: UnitOfWork, status: str | None = None, limit: int = 200) -> list[CodeRequestRow]:
    """The requests, newest first, each with whether it was sent correctly; a row about a person the list rule
    withholds shows neither number nor name.  Logged against the persons shown."""
    require(uow.actor, "resident.view")
    found = uow.session.execute(
        select(CodeRequest, OutboxMessage, Resident)
        .join(OutboxMessage, OutboxMessage.id == CodeRequest.outbox_message_id)
        .outerjoin(Resident, Resident.atena_number == CodeRequest.atena_number)
        .order_by(CodeRequest.id.desc())
        .limit(limit)
    ).all()
    withheld = persons_withheld_from_lists(uow, "inquiry")
    rows = []
    for request, message, resident in found:
        state, error = request_status(request, message)
        if status and state != status:
            continue
        hidden = withheld.withholds(request.atena_number)
        rows.append(CodeRequestRow(
            request.id, None if hidden else request.atena_number,
            None if hidden or resident is None else display_name(resident), request.requested_at,
            request.requested_by, state, STATUS_LABELS[state], error, message.sent_at, request.answered_at, hidden,
        ))  # fmt: skip
    shown = sorted({r.atena_number for r in rows if r.atena_number})
    record_access(uow, "code_requests_listed", "view", shown, detail={"rows": len(rows), "status": status})
    return rows


def _answers(cs_file: CsFile) -> list[Mapping[str, Any]]:
    answers = cs_file.payload.get("results") or []
    problems = []
    for index, answer in enumerate(answers if isinstance(answers, list) else [None]):
        if (
            not isinstance(answer, Mapping)
            or not answer.get("request_key")
            or answer.get("result") not in CODE_REQUEST_RESULTS
        ):
            problems.append(Problem(f"results[{index}]", f"{index + 1}件目", "要求キーまたは結果（accepted / refused）がありません",
                                    "CSからの応答ファイルを確認してください", "cs_file"))  # fmt: skip
    if problems:
        raise CsFileError(problems, file_name=cs_file.name, digest=cs_file.digest)
    return list(answers)


def apply_code_results(uow: UnitOfWork, cs_file: CsFile) -> tuple[int, list[str]]:
    """Record CS's answers (all or nothing: a malformed answer refuses the file): (answers recorded, the keys
    no request of ours has)."""
    require(uow.actor, "resident.change")
    answers = _answers(cs_file)
    keys = [str(a["request_key"]) for a in answers]
    requests = {
        message_key: request
        for request, message_key in uow.session.execute(
            select(CodeRequest, OutboxMessage.idempotency_key)
            .join(OutboxMessage, OutboxMessage.id == CodeRequest.outbox_message_id)
            .where(OutboxMessage.idempotency_key.in_(keys))
        )
    }
    now, unknown = dt.datetime.now(dt.UTC), []
    for answer in answers:
        request = requests.get(str(answer["request_key"]))
        if request is None:
            unknown.append(str(answer["request_key"]))
            continue
        request.result, request.answered_at = str(answer["result"]), now
        request.error = str(answer.get("error") or "") or None if request.result == "refused" else None
    take_file(uow, cs_file, {"answers": len(answers), "unknown_keys": unknown})
    targets = sorted({r.atena_number for r in requests.values()})
    record_access(
        uow,
        "code_results_received",
        "change",
        targets,
        detail={"file": cs_file.name, "answers": len(answers)},
    )
    return len(answers) - len(unknown), unknown
