"""出入国在留管理庁長官通知 (Act art. 30-50, j960): import into a pending list, the before/after 確認票, and
what applying a notice changes.

Nothing is applied automatically: every notice waits in the pending list (whatever its notice date) until a
case of the ``immigration_notice`` change type applies it after review (the automatic application is optional
for general municipalities, and never for 特別永住者, j960).  Kinds that end coverage (status revoked, a change
to a status outside the Residents Act, departure) remove the record (職権消除); the others amend it (職権修正).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.inbound_notices import add_to_pending_list, pending_notices
from handlers.permissions import require
from handlers.residents.items import RESIDENT_ITEM_BY_FIELD
from handlers.residents.registration import current_items
from handlers.rules.date_input import DateInputError, parse_calendar_date
from handlers.rules.dates import format_resident_date, format_wareki
from handlers.uow import UnitOfWork
from models.immigration_notice import ImmigrationNotice
from models.resident import Resident

NOTICE_KINDS = {
    "status_change": "在留資格の変更許可",
    "period_extension": "在留期間の更新許可",
    "status_acquired": "在留資格の取得許可",
    "card_reissue": "在留カードの再交付",
    "particulars_change": "氏名・国籍等の変更",
    "status_revoked": "在留資格の取消し",
    "not_covered": "住基法の対象外となる在留資格への変更許可",
    "departure": "出国（再入国許可の失効等）",
}
REMOVING_KINDS = frozenset({"status_revoked", "not_covered", "departure"})
NOTICE_FIELDS = (
    "name_alphabet", "nationality", "birth_date", "sex", "foreign_category", "residence_status",
    "period_of_stay", "stay_expiry_date", "residence_card_number", "special_permanent_certificate_number",
    "landing_period", "provisional_stay_period",
)  # fmt: skip
DATE_FIELDS = frozenset({"birth_date", "stay_expiry_date"})
STATUS_LABELS = {"pending": "未取込", "applied": "取込済", "rejected": "取込不可"}


def _row_problem(index: int, field: str, item: str, reason: str, remedy: str, code: str) -> Problem:
    return Problem(f"rows[{index}].{field}", f"{item}（{index + 1}件目）", reason, remedy, code)


def _row_problems(index: int, row: Mapping[str, Any]) -> list[Problem]:
    problems = []
    if row.get("kind") not in NOTICE_KINDS:
        problems.append(
            _row_problem(
                index,
                "kind",
                "通知の種類",
                f"「{row.get('kind')}」は通知の種類ではありません",
                "通知の種類を確認してください",
                "invalid",
            )
        )
    if not (row.get("residence_card_number") or row.get("atena_number")):
        problems.append(
            _row_problem(
                index,
                "residence_card_number",
                "在留カード番号",
                "対象者を特定する番号がありません",
                "在留カード番号または宛名番号を指定してください",
                "required",
            )
        )
    unknown = sorted(set(row.get("payload") or {}) - set(NOTICE_FIELDS))
    if unknown:
        problems.append(
            _row_problem(
                index,
                "payload",
                "通知の内容",
                f"取り込めない項目があります（{', '.join(unknown)}）",
                "通知ファイルの形式を確認してください",
                "unknown_item",
            )
        )
    try:
        parse_calendar_date(str(row.get("event_date") or ""))
    except DateInputError as err:
        problems.append(
            _row_problem(
                index, "event_date", "処分日", err.reason, "処分の年月日を確認してください", "date_invalid"
            )
        )
    return problems


def import_immigration_notices(uow: UnitOfWork, rows: Sequence[Mapping[str, Any]]) -> list[ImmigrationNotice]:
    """Add every row to the pending list (all or nothing: one bad row refuses the file)."""
    require(uow.actor, "resident.change")
    problems = [p for index, row in enumerate(rows) for p in _row_problems(index, row)]
    if problems:
        raise ValidationError(problems)
    now = dt.datetime.now(dt.UTC)
    notices = [
        ImmigrationNotice(
            tenant_id=uow.actor.tenant_id,
            received_at=now,
            kind=str(row["kind"]),
            event_date=parse_calendar_date(str(row["event_date"])),
            residence_card_number=row.get("residence_card_number") or None,
            atena_number=row.get("atena_number") or None,
            payload=dict(row.get("payload") or {}),
            status="pending",
        )
        for row in rows
    ]
    add_to_pending_list(uow, notices, "immigration_notices_imported", target_of)
    return notices


def pending_immigration_notices(uow: UnitOfWork) -> list[ImmigrationNotice]:
    """The notices not applied yet, oldest first, whatever their notice date (j960)."""
    return pending_notices(uow, ImmigrationNotice)


def pending_notice_choices(uow: UnitOfWork) -> list[tuple[str, str]]:
    """(id, label) of each pending notice for the intake's choice: 番号, kind, person and 処分日 (和暦)."""
    return [
        (str(n.id), f"{n.id}：{NOTICE_KINDS.get(n.kind, n.kind)} {n.payload.get('name_alphabet') or ''} "
                    f"（在留カード等番号 {n.residence_card_number or 'なし'}、処分日 {format_wareki(n.event_date)}）")
        for n in pending_immigration_notices(uow)
    ]  # fmt: skip


def find_notice(uow: UnitOfWork, notice_id: Any) -> ImmigrationNotice:
    try:
        notice = uow.session.get(ImmigrationNotice, int(notice_id))
    except (TypeError, ValueError):
        notice = None
    if notice is None or notice.tenant_id != uow.actor.tenant_id:
        raise NotFoundError("指定された出入国在留管理庁長官通知は見つかりません。")
    return notice


def target_of(uow: UnitOfWork, notice: ImmigrationNotice) -> Resident | None:
    """The recorded foreign resident the notice is about: by 宛名番号, else by 在留カード番号 / 証明書番号."""
    if notice.atena_number:
        condition = Resident.atena_number == notice.atena_number
    else:
        number = notice.residence_card_number
        condition = (Resident.residence_card_number == number) | (
            Resident.special_permanent_certificate_number == number
        )
    return uow.session.scalars(select(Resident).where(condition, Resident.status != "removed")).first()


def notice_changes(resident: Resident, notice: ImmigrationNotice) -> dict[str, Any]:
    """The notified values that differ from the record (JSON-safe, as entered)."""
    before = current_items(resident)
    changes = {}
    for field, value in notice.payload.items():
        old = before.get(field)
        old_text = old.isoformat() if isinstance(old, dt.date) else old
        if (old_text or None) != (value or None):
            changes[field] = value
    return changes


def _shown(field: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if field in DATE_FIELDS:
        date = value if isinstance(value, dt.date) else parse_calendar_date(str(value))
        return format_resident_date(field, date, None, "foreign")  # 生年月日・在留期間の満了の日: 西暦 (j90)
    return str(value)


def immigration_notice_view(uow: UnitOfWork, notice_id: Any) -> dict[str, Any]:
    """処理結果確認票: each notified item before and after, and whether applying removes the record."""
    require(uow.actor, "resident.view")
    notice = find_notice(uow, notice_id)
    resident = target_of(uow, notice)
    before = current_items(resident) if resident is not None else {}
    items = [
        {
            "field": field,
            "item": RESIDENT_ITEM_BY_FIELD[field].label,
            "before": _shown(field, before.get(field)),
            "after": _shown(field, value),
            "changed": field
            in (notice_changes(resident, notice) if resident is not None else notice.payload),
        }
        for field, value in notice.payload.items()
    ]
    targets = [resident.atena_number] if resident is not None else []
    record_access(uow, "immigration_notice_viewed", "view", targets, detail={"notice_id": notice.id})
    return {
        "id": notice.id,
        "kind": notice.kind,
        "kind_label": NOTICE_KINDS.get(notice.kind, notice.kind),
        "event_date": format_wareki(notice.event_date),  # 処分日: 和暦 like every other date (j90)
        "status": notice.status,
        "status_label": STATUS_LABELS.get(notice.status, notice.status),
        "atena_number": resident.atena_number if resident is not None else None,
        "removes_record": notice.kind in REMOVING_KINDS,
        "items": items,
    }
