"""Receiving from the regional information platform's business units (地域情報プラットフォーム連携, j1170): a
scheduled batch (Celery beat every two minutes, or ``jumin platform exchange`` from cron) takes the files each
unit dropped in ``<directory>/receive/`` of its exchange folder (destination ``platform:<unit>``).

* Each file is one unit of work: decoded by its declared character code, checked whole (header, the unit and
  municipality it is addressed to, every record) and applied whole, or rejected whole with its reasons.
  国保・年金・児童手当・後期高齢者医療・介護保険 records become the person's latest registration in that
  system (``OtherSystemRegistration``, source ``platform``, shown by 他業務照会); 戸籍 records join the pending
  list of 戸籍の通知 (``import_koseki_notices``, applied after confirmation as any 戸籍通知).
* Never applied twice: a ``PlatformFileReceipt`` per (unit, MessageId); a file whose MessageId was applied
  is only moved away.  The file moves to ``receive/done/`` or ``receive/error/`` after the commit; a crash in
  between finds the receipt at the next run.  A failure that is not the file's fault (the database) leaves the
  file in place for the next run.
* Every file gets a 受信結果 (``pf_receipt``: applied or rejected, with the reasons) sent back to the unit
  through the outbox, so its delivery is retried like every other message; each receipt is in the access log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ValidationError
from handlers.integration.pf_file import PLATFORM_PREFIX
from handlers.integration.pf_layout import OUR_UNIT, Document, LayoutError, Record, parse
from handlers.integration.subscribers import queue_copy
from handlers.koseki_notices import import_koseki_notices
from handlers.other_systems.catalog import PF_UNITS
from handlers.other_systems.registrations import Answer, AnswerError, parse_record, store_answer
from handlers.outbox_dispatch import schedule_delivery
from handlers.uow import UnitOfWork, unit_of_work
from models.integration import IntegrationDestination
from models.other_systems import PlatformFileReceipt
from models.resident import Resident
from models.tenant import Municipality

log = logging.getLogger(__name__)

RECEIVE, DONE, ERROR = "receive", "done", "error"
RECEIPT_KIND = "pf_receipt"
KOSEKI_KIND, REGISTRATION_KIND = "koseki_notice", "registration"
BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


@dataclass
class FileOutcome:
    file_name: str
    status: str  # applied / rejected / duplicate / failed (left in place for the next run)
    records: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class UnitRun:
    tenant_id: int
    unit: str
    files: list[FileOutcome] = field(default_factory=list)


def platform_units(db: Database) -> list[tuple[int, str, str]]:
    """(tenant, unit, exchange folder) of every enabled platform unit of every municipality."""
    with unit_of_work(db, Actor.system(0, "platform"), cross_tenant=True) as uow:
        rows = uow.session.execute(
            select(IntegrationDestination.tenant_id, IntegrationDestination.name, IntegrationDestination.directory)
            .where(IntegrationDestination.name.startswith(PLATFORM_PREFIX), IntegrationDestination.enabled.is_(True))
            .order_by(IntegrationDestination.tenant_id, IntegrationDestination.name)
        ).all()  # fmt: skip
    found = [(r.tenant_id, r.name.removeprefix(PLATFORM_PREFIX), r.directory) for r in rows]
    return [(tenant, unit, folder) for tenant, unit, folder in found if unit in PF_UNITS and folder]


def exchange_all(db: Database) -> list[UnitRun]:
    """Take every unit's waiting files, for every municipality (the scheduled batch)."""
    return [receive_unit(db, tenant, unit, Path(folder)) for tenant, unit, folder in platform_units(db)]


def receive_unit(db: Database, tenant_id: int, unit: str, folder: Path) -> UnitRun:
    run = UnitRun(tenant_id, unit)
    inbox = folder / RECEIVE
    waiting = sorted(p for p in inbox.glob("*.xml") if p.is_file()) if inbox.is_dir() else []
    for path in waiting:
        try:
            outcome = receive_file(db, tenant_id, unit, path)
        except Exception as error:  # noqa: BLE001 - not the file's fault: left in place, next run retries
            log.exception(
                "platform file %s of %s/%s not taken; retried at the next run", path, tenant_id, unit
            )
            run.files.append(FileOutcome(path.name, "failed", errors=[f"{type(error).__name__}: {error}"]))
            continue
        try:
            _move(path, inbox / (ERROR if outcome.status == "rejected" else DONE))
        except OSError:  # committed: the next run finds the receipt and only moves it
            log.exception("platform file %s of %s/%s taken but not moved", path, tenant_id, unit)
        run.files.append(outcome)
    return run


def _move(path: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():
        target = folder / f"{path.stem}.{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S%f}{path.suffix}"
    path.replace(target)


def receive_file(db: Database, tenant_id: int, unit: str, path: Path) -> FileOutcome:
    """Check and apply one file in one unit of work (see the module's text)."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    with unit_of_work(db, Actor.system(tenant_id, PLATFORM_PREFIX + unit)) as uow:
        document: Document | None = None
        try:
            document = parse(data)
            key, problems = document.message_id[:100], []
        except LayoutError as err:
            key, problems = f"sha256:{digest}", err.reasons
        earlier = uow.session.scalars(
            select(PlatformFileReceipt).where(PlatformFileReceipt.unit == unit, PlatformFileReceipt.message_key == key)
        ).one_or_none()  # fmt: skip
        if earlier is not None and earlier.status == "applied":
            return FileOutcome(path.name, "duplicate", earlier.record_count)
        targets: list[str] = []
        if document is not None:
            problems, targets = _apply(uow, unit, document)
        status = "rejected" if problems else "applied"
        count = len(document.records) if document is not None else 0
        receipt = earlier or PlatformFileReceipt(unit=unit, message_key=key)
        receipt.file_name, receipt.digest, receipt.received_at = (
            path.name[:200],
            digest,
            dt.datetime.now(dt.UTC),
        )
        receipt.status, receipt.record_count, receipt.errors = status, count, problems
        receipt.encoding = document.encoding if document is not None else None
        uow.session.add(receipt)
        _acknowledge(uow, unit, key, digest, path.name, status, count, problems)
        record_access(uow, "platform_file_received", "change", targets,
                      detail={"unit": unit, "file": path.name, "message_id": key, "status": status,
                              "records": count, "problems": len(problems)})  # fmt: skip
    return FileOutcome(path.name, status, count, problems)


def _acknowledge(
    uow: UnitOfWork, unit: str, key: str, digest: str, name: str, status: str, count: int, problems: list[str]
) -> None:
    """The 受信結果 for the unit, through the outbox (once per file content)."""
    destination = PLATFORM_PREFIX + unit
    payload = {
        "message_id": key,
        "file_name": name,
        "status": status,
        "record_count": count,
        "errors": problems,
    }
    queue_copy(uow, destination, RECEIPT_KIND, payload, f"pf-receipt:{unit}:{digest}"[:100], None)
    uow.session.flush()
    schedule_delivery(uow, [destination])


# --- checking and applying a document --------------------------------------------------------------------


def _header_problems(uow: UnitOfWork, unit: str, document: Document) -> list[str]:
    header = document.header
    municipality = uow.session.get(Municipality, uow.actor.tenant_id)
    found = []
    if header["SenderUnit"] != unit:
        found.append(
            f"送信元ユニット {header['SenderUnit']} はこの連携フォルダのユニット {unit} ではありません"
        )
    if header["ReceiverUnit"] != OUR_UNIT:
        found.append(f"送信先ユニット {header['ReceiverUnit']} は住民記録（{OUR_UNIT}）ではありません")
    if municipality is None or header["ReceiverOrganization"] != municipality.code:
        found.append(f"送信先団体 {header['ReceiverOrganization']} はこの団体ではありません")
    return found


def _registration(unit: str, record: Record) -> Answer:
    items = dict(record.items)
    registered = BOOLEANS.get(items.pop("registered", "").lower())
    as_of = items.pop("as_of", None)
    return parse_record(
        unit, record.atena_number or "", {"registered": registered, "as_of": as_of, "items": items}
    )


def _koseki_row(record: Record) -> dict[str, Any]:
    items = dict(record.items)
    notice_date = items.pop("notice_date", "")
    sender = items.pop("sender_code", None)
    return {"atena_number": record.atena_number, "resident_code": record.resident_code, "notice_date": notice_date,
            "sender_code": sender, "payload": items}  # fmt: skip


def _record_problems(unit: str, document: Document, known: set[str]) -> tuple[list[str], list[Answer]]:
    wanted = KOSEKI_KIND if unit == "koseki" else REGISTRATION_KIND
    problems: list[str] = []
    answers: list[Answer] = []
    for record in document.records:
        where = f"{record.index}件目"
        if record.kind != wanted:
            problems.append(
                f"{where}：種別 {record.kind or '（なし）'} はこのユニットから受け付けません（{wanted}）"
            )
        elif record.atena_number and record.atena_number not in known:
            problems.append(f"{where}：宛名番号 {record.atena_number} の住民はこの団体にいません")
        elif wanted == REGISTRATION_KIND and not record.atena_number:
            problems.append(f"{where}：宛名番号（atena_number）がありません")
        elif wanted == REGISTRATION_KIND:
            try:
                answers.append(_registration(unit, record))
            except AnswerError as err:
                problems += [f"{where}：{reason}" for reason in err.reasons]
    return problems, answers


def _apply(uow: UnitOfWork, unit: str, document: Document) -> tuple[list[str], list[str]]:
    """Apply the document whole, or nothing: (its problems, the persons it concerns)."""
    persons = sorted({r.atena_number for r in document.records if r.atena_number})
    known = set(uow.session.scalars(select(Resident.atena_number).where(Resident.atena_number.in_(persons))))
    problems = _header_problems(uow, unit, document)
    found, answers = _record_problems(unit, document, known)
    problems += found
    if problems:
        return problems, sorted(known)
    now = dt.datetime.now(dt.UTC)
    try:
        with uow.session.begin_nested():
            for answer in answers:
                store_answer(uow.session, answer, source="platform", at=now)
            if unit == "koseki":
                import_koseki_notices(uow, [_koseki_row(r) for r in document.records])
    except ValidationError as err:
        return [p.message for p in err.problems], sorted(known)
    return [], sorted(known)
