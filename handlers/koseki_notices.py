"""住民票記載事項通知 from the 本籍地 (Act art. 9(2), j770): imported into a pending list like the immigration
notices, shown item by item before/after (確認票), and applied after confirmation by opening a
``koseki_notice`` case (the ex-officio 戸籍通知 change type) with the notified items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.changes.base import change_types
from handlers.errors import ConflictError, NotFoundError, Problem, ValidationError
from handlers.inbound_notices import add_to_pending_list, pending_notices
from handlers.permissions import require
from handlers.residents.history import display_name
from handlers.residents.items import RESIDENT_ITEM_BY_FIELD
from handlers.residents.protection import check_inquiry
from handlers.residents.registration import current_items
from handlers.rules.date_input import DateInputError, parse_calendar_date
from handlers.suppression import persons_withheld_from_lists
from handlers.uow import UnitOfWork
from models.koseki_notice_inbox import KosekiNoticeInbox
from models.resident import Resident

NOTIFIED_ITEMS = (
    "honseki",
    "hittosha",
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "sex",
)
CHANGE_TYPE = "koseki_notice"


def _row_problems(index: int, row: Mapping[str, Any]) -> list[Problem]:
    def problem(field: str, item: str, reason: str, remedy: str, code: str) -> Problem:
        return Problem(f"rows[{index}].{field}", f"{item}（{index + 1}件目）", reason, remedy, code)

    found = []
    if not (row.get("atena_number") or row.get("resident_code")):
        found.append(problem("atena_number", "対象者", "対象者を特定する番号がありません",
                             "宛名番号または住民票コードを指定してください", "required"))  # fmt: skip
    unknown = sorted(set(row.get("payload") or {}) - set(NOTIFIED_ITEMS))
    if unknown or not row.get("payload"):
        found.append(problem("payload", "通知の内容", f"取り込めない項目があります（{', '.join(unknown) or '項目なし'}）",
                             "本籍・筆頭者・氏名・性別の項目だけを指定してください", "unknown_item"))  # fmt: skip
    try:
        parse_calendar_date(str(row.get("notice_date") or ""))
    except DateInputError as err:
        found.append(
            problem("notice_date", "通知日", err.reason, "通知の年月日を確認してください", "date_invalid")
        )
    return found


def import_koseki_notices(uow: UnitOfWork, rows: Sequence[Mapping[str, Any]]) -> list[KosekiNoticeInbox]:
    """Add every notice to the pending list (all or nothing)."""
    require(uow.actor, "resident.change")
    problems = [p for index, row in enumerate(rows) for p in _row_problems(index, row)]
    if problems:
        raise ValidationError(problems)
    now = dt.datetime.now(dt.UTC)
    notices = [
        KosekiNoticeInbox(
            tenant_id=uow.actor.tenant_id,
            received_at=now,
            sender_code=row.get("sender_code") or None,
            notice_date=parse_calendar_date(str(row["notice_date"])),
            atena_number=row.get("atena_number") or None,
            resident_code=row.get("resident_code") or None,
            payload=dict(row["payload"]),
            status="pending",
        )
        for row in rows
    ]
    add_to_pending_list(uow, notices, "koseki_notices_imported", target_of)
    return notices


def pending_koseki_notices(uow: UnitOfWork) -> list[KosekiNoticeInbox]:
    return pending_notices(uow, KosekiNoticeInbox)


def find_koseki_notice(uow: UnitOfWork, notice_id: Any) -> KosekiNoticeInbox:
    notice = uow.session.get(KosekiNoticeInbox, int(notice_id))
    if notice is None or notice.tenant_id != uow.actor.tenant_id:
        raise NotFoundError("指定された住民票記載事項通知は見つかりません。")
    return notice


def target_of(uow: UnitOfWork, notice: KosekiNoticeInbox) -> Resident | None:
    if notice.atena_number:
        condition = Resident.atena_number == notice.atena_number
    else:
        condition = Resident.resident_code == notice.resident_code
    return uow.session.scalars(select(Resident).where(condition, Resident.status != "removed")).first()


def koseki_notice_list(uow: UnitOfWork) -> list[dict[str, Any]]:
    """The pending list as shown (j770): each notice with its person's name, or no name for a person the list
    rule withholds (支援措置, ``persons_withheld_from_lists``); logged against the persons shown."""
    notices = pending_koseki_notices(uow)
    withheld = persons_withheld_from_lists(uow, "inquiry")
    rows, shown = [], []
    for notice in notices:
        resident = target_of(uow, notice)
        hidden = resident is not None and withheld.withholds(resident.atena_number)
        if resident is not None and not hidden:
            shown.append(resident.atena_number)
        rows.append(
            {
                "id": notice.id, "received_at": notice.received_at, "notice_date": notice.notice_date.isoformat(),
                "sender_code": notice.sender_code or "", "withheld": hidden,
                "atena_number": None if hidden or resident is None else resident.atena_number,
                "name": None if hidden or resident is None else display_name(resident),
                "found": resident is not None,
                "notified": "・".join(RESIDENT_ITEM_BY_FIELD[f].label for f in notice.payload if f in NOTIFIED_ITEMS),
            }
        )  # fmt: skip
    record_access(uow, "koseki_notices_listed", "view", shown, detail={"count": len(rows)})
    return rows


def refuse_koseki_notice(uow: UnitOfWork, notice_id: Any, reason: str) -> KosekiNoticeInbox:
    """取込不可: the notice leaves the pending list unapplied, with the reason (e.g. not our resident)."""
    require(uow.actor, "resident.change")
    notice = find_koseki_notice(uow, notice_id)
    if notice.status != "pending":
        raise ConflictError("この通知は既に処理されています。")
    if not (reason or "").strip():
        raise ValidationError(
            [Problem("reason", "取込不可の理由", "入力されていません", "理由を入力してください", "required")]
        )
    notice.status = "rejected"
    notice.note = reason.strip()
    resident = target_of(uow, notice)
    targets = [resident.atena_number] if resident is not None else []
    record_access(uow, "koseki_notice_refused", "change", targets, detail={"notice_id": notice.id})
    return notice


def koseki_notice_view(uow: UnitOfWork, notice_id: Any) -> dict[str, Any]:
    """確認票: each notified item before and after (the 照会 decision applies: an error-level 照会
    suppression refuses it, a protected person comes with the alert)."""
    require(uow.actor, "resident.view")
    notice = find_koseki_notice(uow, notice_id)
    resident = target_of(uow, notice)
    alerts = [a.message for a in check_inquiry(uow, resident.atena_number)[0].alerts] if resident else []
    before = current_items(resident) if resident is not None else {}
    items = [
        {
            "field": field,
            "item": RESIDENT_ITEM_BY_FIELD[field].label,
            "before": before.get(field) or "",
            "after": value,
            "changed": (before.get(field) or None) != (value or None),
        }
        for field, value in notice.payload.items()
    ]
    targets = [resident.atena_number] if resident is not None else []
    record_access(uow, "koseki_notice_viewed", "view", targets, detail={"notice_id": notice.id})
    return {
        "id": notice.id,
        "notice_date": notice.notice_date.isoformat(),
        "status": notice.status,
        "atena_number": resident.atena_number if resident else None,
        "name": display_name(resident) if resident else None,
        "sender_code": notice.sender_code or "",
        "note": notice.note or "",
        "alerts": alerts,
        "items": items,
    }


def apply_koseki_notice(uow: UnitOfWork, notice_id: Any) -> int:
    """After confirmation: open a ``koseki_notice`` case with the changed items; returns the case id."""
    from handlers.cases import open_case

    require(uow.actor, "resident.change")
    notice = find_koseki_notice(uow, notice_id)
    if notice.status != "pending":
        raise ConflictError("この通知は既に処理されています。")
    if CHANGE_TYPE not in change_types():
        __import__("handlers.changes.catalog")
    resident = target_of(uow, notice)
    if resident is None:
        raise NotFoundError("通知の対象者が住民記録に見つかりません。")
    before = current_items(resident)
    changes = {k: v for k, v in notice.payload.items() if (before.get(k) or None) != (v or None)}
    intake = {
        "atena_number": resident.atena_number,
        "changes": changes,
        "koseki_event": "住民票記載事項通知",
        "koseki_date": notice.notice_date.isoformat(),
        "ex_officio_record": f"住民票記載事項通知（{notice.sender_code or '本籍地'}、{notice.notice_date.isoformat()}）"
        f"により{'・'.join(RESIDENT_ITEM_BY_FIELD[k].label for k in changes)}を記載",
    }
    case = open_case(uow, CHANGE_TYPE, intake)
    notice.status = "applied"
    notice.applied_case_id = case.id
    return case.id
