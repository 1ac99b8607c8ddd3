"""電子証明書のシリアル番号取得 (j1160): the serial number of the 利用者証明用電子証明書 on a person's 個人番号カード
is asked of CS over the 住基ネット line (outbox ``cs``, kind ``certificate_serial``) and CS's answer, a
``certificate_serial_result`` file naming the request key, is taken in by the ``cs_received_files`` batch: the
serial number is kept on the request and shown on its page (not for a person the list rule withholds), and kept
as the person's 利用者証明用電子証明書シリアル番号 (an item of j10/j20, correctable like the others)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.errors import Problem, ValidationError
from handlers.juki_net.cs_files import CsFile, CsFileError
from handlers.juki_net.identity import CURRENT_STATUSES
from handlers.juki_net.person_requests import apply_answers, queue_person_requests
from handlers.permissions import require
from handlers.uow import UnitOfWork
from models.juki_net import CsPersonRequest
from models.resident import Resident

KIND = "certificate_serial"
RESULT_KIND = "certificate_serial_result"
SERIAL_MAX = 40


def _problem(reason: str, remedy: str, code: str) -> ValidationError:
    return ValidationError([Problem("atena_number", "宛名番号", reason, remedy, code)])


def _person(uow: UnitOfWork, atena_number: str) -> Resident:
    number = (atena_number or "").strip()
    if not number:
        raise _problem(
            "入力されていません", "シリアル番号を取得する住民の宛名番号を入力してください", "required"
        )
    resident = uow.session.scalars(
        select(Resident).where(Resident.atena_number == number, Resident.status.in_(CURRENT_STATUSES))
    ).one_or_none()
    if resident is None:
        raise _problem(
            f"宛名番号 {number} の住民は住民記録にありません", "宛名番号を確認してください", "not_found"
        )
    if not resident.resident_code:
        raise _problem("住民票コードが記載されていません", "住民票コードを記載してから要求してください",
                       "no_resident_code")  # fmt: skip
    return resident


def request_certificate_serial(uow: UnitOfWork, atena_number: str) -> CsPersonRequest:
    """シリアル番号の取得要求 for one current resident with a 住民票コード: queued to CS, sent after commit."""
    require(uow.actor, "resident.change")
    resident = _person(uow, atena_number)
    key = f"certificate_serial:{uuid.uuid4().hex}"
    payload = {"atena_number": resident.atena_number, "resident_code": resident.resident_code,
               "certificate": "user_authentication"}  # 利用者証明用電子証明書  # fmt: skip
    [request] = queue_person_requests(uow, KIND, {key: (resident, payload)})
    record_access(uow, "certificate_serial_requested", "change", [resident.atena_number],
                  detail={"request_id": request.id, "key": key})  # fmt: skip
    return request


def _keep_serial(uow: UnitOfWork, request: CsPersonRequest, answer: Mapping[str, Any]) -> None:
    serial = str(answer.get("serial_number") or "").strip()
    if not serial or len(serial) > SERIAL_MAX or not serial.isascii() or not serial.isalnum():
        raise CsFileError([Problem("serial_number", f"要求番号 {request.id}",
                                   "シリアル番号がないか、英数字40桁以内ではありません",
                                   "CSからの応答ファイルを確認してください", "cs_file")])  # fmt: skip
    request.serial_number = serial
    person = uow.session.scalars(
        select(Resident).where(Resident.atena_number == request.atena_number)
    ).one_or_none()
    if (
        person is not None
    ):  # the resident's own item (j10, j20): kept with the person as well as on the request
        person.user_certificate_serial = serial


def apply_serial_results(uow: UnitOfWork, cs_file: CsFile) -> tuple[int, list[str]]:
    """CS's answers with the serial numbers: (recorded, unknown keys)."""
    return apply_answers(uow, cs_file, (KIND,), _keep_serial)
