"""住基ネットの稼働状況 and the 電文 that ended in error (j1160), in one place for staff.

The operating status is read from two sources: what CS last said of itself (an ``operating_status`` file in the
receiving folder, taken by the ``cs_received_files`` batch: running / stopped / maintenance with CS's message),
and the delivery results of the ``cs`` destination (the last message sent, the one failing now, the messages
waiting and those that stopped as dead letters).  The errors are every 電文 to CS that failed (being retried,
or dead), every request CS refused (符号取得要求 j1140, 個人番号の生成・変更要求 j1130, シリアル番号 j1160) and
every file from CS that could not be taken in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select

from handlers.audit import record_access
from handlers.errors import Problem
from handlers.juki_net.cs_files import CsFile, CsFileError, take_file
from handlers.juki_net.person_requests import CS, KIND_LABELS
from handlers.labels import label
from handlers.outbox_admin import subjects_of
from handlers.permissions import require
from handlers.rules.dates import format_instant, format_wareki
from handlers.suppression import persons_withheld_from_lists
from handlers.uow import UnitOfWork
from models.change import OutboxMessage
from models.juki_net import CodeRequest, CsPersonRequest, CsReceivedFile

STATUS_KIND = "operating_status"
CS_STATES = {"running": "稼働中", "stopped": "停止中", "maintenance": "保守作業中"}


def take_status_file(uow: UnitOfWork, cs_file: CsFile) -> str:
    """Keep what CS says of its operating status (the latest file taken is the one shown)."""
    state = str(cs_file.payload.get("status") or "")
    if state not in CS_STATES:
        raise CsFileError([Problem("status", "稼働状況", f"稼働状況「{state}」は running / stopped / maintenance のいずれでもありません",
                                   "CSからの稼働状況ファイルを確認してください", "cs_file")])  # fmt: skip
    detail = {
        "status": state,
        "message": cs_file.payload.get("message"),
        "as_of": cs_file.payload.get("as_of"),
    }
    take_file(uow, cs_file, detail)
    return f"CSの稼働状況：{CS_STATES[state]}"


def _as_of_shown(text: Any) -> str | None:
    """CS's ``as_of`` (ISO 8601; without a zone it is CS's clock, Japan time) in 和暦; other text as CS sent it."""
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)
    if moment.tzinfo is not None:
        return format_instant(moment, seconds=False)
    return f"{format_wareki(moment.date())} {moment:%H:%M}"


@dataclass(frozen=True)
class CsOperatingStatus:
    cs_state: str | None  # CS_STATES label of the last status file, None when CS never sent one
    cs_message: str | None
    cs_as_of: str | None  # the moment CS says its status holds from, as the page shows it (和暦)
    cs_received_at: dt.datetime | None
    last_sent_at: dt.datetime | None  # the last 電文 CS received from us
    waiting: int  # 電文 not sent yet (pending)
    oldest_waiting_at: dt.datetime | None
    failing: int  # pending after a failed attempt (retried)
    dead: int  # stopped: a supervisor must resend
    last_error: str | None  # the error of the latest failed 電文 not sent yet

    @property
    def healthy(self) -> bool:
        return self.failing == 0 and self.dead == 0 and self.cs_state in (None, CS_STATES["running"])


def _failed() -> Any:
    return or_(
        OutboxMessage.status == "dead", (OutboxMessage.status == "pending") & (OutboxMessage.attempts > 0)
    )


def operating_status(uow: UnitOfWork) -> CsOperatingStatus:
    require(uow.actor, "resident.view")
    cs = OutboxMessage.destination == CS
    last_sent = uow.session.scalar(
        select(func.max(OutboxMessage.sent_at)).where(cs, OutboxMessage.status == "sent")
    )
    waiting, oldest = uow.session.execute(
        select(func.count(), func.min(OutboxMessage.created_at)).where(cs, OutboxMessage.status == "pending")
    ).one()
    failing = uow.session.scalar(select(func.count()).where(cs, _failed(), OutboxMessage.status == "pending"))
    dead = uow.session.scalar(select(func.count()).where(cs, OutboxMessage.status == "dead"))
    last_error = uow.session.scalar(
        select(OutboxMessage.last_error).where(cs, _failed()).order_by(OutboxMessage.id.desc()).limit(1)
    )
    told = uow.session.scalars(
        select(CsReceivedFile).where(CsReceivedFile.kind == STATUS_KIND, CsReceivedFile.status == "processed")
        .order_by(CsReceivedFile.id.desc()).limit(1)
    ).first()  # fmt: skip
    detail = told.detail if told is not None else {}
    record_access(uow, "cs_status_viewed", "view", [], detail={"failing": failing, "dead": dead})
    return CsOperatingStatus(
        CS_STATES.get(str(detail.get("status"))) if told else None, detail.get("message"), _as_of_shown(detail.get("as_of")),
        told.received_at if told else None, last_sent, int(waiting or 0), oldest, int(failing or 0),
        int(dead or 0), last_error,
    )  # fmt: skip


@dataclass(frozen=True)
class CsErrorRow:
    source: str  # 送信 (our 電文) / CSの応答 (a refusal) / 受信ファイル
    label: str
    at: dt.datetime | None
    atena_number: str | None  # None when withheld or not about one person
    error: str
    resendable: bool  # a dead letter a supervisor can resend


def _sending_errors(uow: UnitOfWork, withheld: Any) -> list[CsErrorRow]:
    rows = uow.session.scalars(
        select(OutboxMessage).where(OutboxMessage.destination == CS, _failed()).order_by(OutboxMessage.seq)
    )
    return [
        CsErrorRow("送信", f"{label(m.kind, 'message_kind')}（通番 {m.seq}）", m.created_at,
                   _shown(subjects_of(m.payload), withheld),
                   ("送信不能（再送信が必要）" if m.status == "dead" else f"送信失敗（{m.attempts}回、再試行中）")
                   + f"：{m.last_error or ''}", m.status == "dead")
        for m in rows
    ]  # fmt: skip


def _shown(subjects: list[str], withheld: Any) -> str | None:
    return subjects[0] if len(subjects) == 1 and not withheld.withholds(subjects[0]) else None


def _refusals(uow: UnitOfWork, withheld: Any) -> list[CsErrorRow]:
    people = uow.session.scalars(select(CsPersonRequest).where(CsPersonRequest.result == "refused"))
    codes = uow.session.scalars(select(CodeRequest).where(CodeRequest.result == "refused"))
    rows = [CsErrorRow("CSの応答", f"{KIND_LABELS[r.kind]}（要求番号 {r.id}）", r.answered_at,
                       _shown([r.atena_number], withheld), f"CSでエラー：{r.error or '理由の記載なし'}", False)
            for r in people]  # fmt: skip
    rows += [CsErrorRow("CSの応答", f"符号取得要求（要求番号 {r.id}）", r.answered_at, _shown([r.atena_number], withheld),
                        f"CSでエラー：{r.error or '理由の記載なし'}", False) for r in codes]  # fmt: skip
    return rows


def _refused_files(uow: UnitOfWork) -> list[CsErrorRow]:
    files = uow.session.scalars(select(CsReceivedFile).where(CsReceivedFile.status == "refused"))
    return [CsErrorRow("受信ファイル", f.file_name, f.received_at, None,
                       "取込不可：" + "、".join(str(p) for p in f.detail.get("problems") or []), False)
            for f in files]  # fmt: skip


def cs_errors(uow: UnitOfWork) -> list[CsErrorRow]:
    """Every 電文 to CS that failed, every refusal by CS, every file from CS not taken in: newest first.  A row
    about a person the list rule withholds does not name the person.  Logged against the persons shown."""
    require(uow.actor, "resident.view")
    withheld = persons_withheld_from_lists(uow, "inquiry")
    rows = _sending_errors(uow, withheld) + _refusals(uow, withheld) + _refused_files(uow)
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    rows.sort(key=lambda r: _aware(r.at) or epoch, reverse=True)
    shown = sorted({r.atena_number for r in rows if r.atena_number})
    record_access(uow, "cs_errors_listed", "view", shown, detail={"rows": len(rows)})
    return rows


def _aware(at: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive UTC datetimes back."""
    return at.replace(tzinfo=dt.UTC) if at is not None and at.tzinfo is None else at
