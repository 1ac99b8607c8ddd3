"""The auditor's search of the access log (j1370 オンラインでの検索・抽出・照会 and its 分析例).

Only ``audit.view`` (the auditor role) may search.  The search is scoped to the auditor's municipality by
the tenancy filter, and the search itself is logged (``access_log_viewed``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    cast,
    exists,
    extract,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from handlers.audit import ACTIONS, record_access
from handlers.audit_verify import VerifyResult, verify_chain
from handlers.clock import JST, japan_today, to_jst
from handlers.errors import Problem, ValidationError
from handlers.permissions import require
from handlers.rules.off_hours import NIGHT_ENDS_AT, NIGHT_STARTS_AT, is_off_hours, weekday_closures
from handlers.uow import UnitOfWork
from models.audit import AccessLog
from models.user import User

CHAIN_TAIL_ROWS = 1000
MAX_PER_PAGE = 200

ACTION_LABELS: dict[str, str] = {
    "search": "検索",
    "view": "照会",
    "change": "異動・更新",
    "print": "帳票発行",
    "export": "データ抽出・出力",
    "auth": "認証",
    "setting": "設定変更",
    "batch": "バッチ処理",
}

FUNCTION_LABELS: dict[str, str] = {
    "resident_searched": "住民検索",
    "resident_viewed": "住民記録照会",
    "resident_registered": "住民登録",
    "resident_changed": "異動入力",
    "household_registered": "世帯登録",
    "household_members_added": "世帯への転入者の記載",
    "household_members_moved": "世帯員の異動（世帯変更）",
    "household_address_changed": "世帯の住所変更",
    "household_head_changed": "世帯主変更",
    "change_entered": "異動の入力（仮登録）",
    "change_approved": "異動の決裁",
    "change_rejected": "異動の差戻し",
    "change_cancelled": "異動の取消（案件）",
    "change_registered": "異動の本登録",
    "approval_refused_same_user": "決裁拒否（入力者本人）",
    "case_viewed": "案件照会",
    "case_migration_reverted": "案件の移行の取消",
    "resident_readmitted": "再転入の記載",
    "electoral_registered": "選挙人名簿登録通知",
    "validation_failed": "入力エラー",
    "certificate_issued": "証明書発行",
    "certificate_refused": "証明書発行拒否",
    "removed_record_searched": "除票検索",
    "removed_record_viewed": "除票照会",
    "removed_records_archived": "除票の保存期間移行（バッチ）",
    "removed_records_purged": "除票の消去（バッチ）",
    "support_measure_created": "支援措置申出受付",
    "support_measure_decided": "支援措置決定",
    "support_measure_extended": "支援措置延長",
    "support_measure_terminated": "支援措置終了",
    "support_measure_viewed": "支援措置照会",
    "support_measure_opinion_recorded": "支援措置の意見記録",
    "support_measure_switched": "前住所地としての仮支援措置への切替",
    "disclosure_decided": "交付・閲覧・照会の可否判定",
    "disclosure_release_requested": "支援措置の個別解除申請",
    "disclosure_release_granted": "支援措置の個別解除",
    "suppression_set": "抑止設定",
    "suppression_released": "抑止解除",
    "suppression_lifted_temporarily": "抑止の一時解除",
    "suppressed_persons_listed": "抑止対象者一覧",
    "suppressions_viewed": "抑止設定の照会",
    "inspection_list_exported": "閲覧用リスト出力",
    "sign_in_succeeded": "ログイン",
    "user_signed_in": "ログイン",
    "sign_in_failed": "ログイン失敗",
    "account_locked": "アカウントロック",
    "user_signed_out": "ログアウト",
    "session_expired": "無操作による自動ログアウト",
    "totp_enrolled": "二要素認証の登録",
    "user_created": "利用者登録",
    "user_roles_changed": "利用者の役割変更",
    "user_hidden_items_changed": "利用者の非表示項目変更",
    "user_password_reset": "利用者のパスワード再設定",
    "user_totp_reset": "利用者の二要素認証再設定",
    "user_unlocked": "利用者のロック解除",
    "api_token_issued": "APIトークン発行",
    "api_token_revoked": "APIトークン失効",
    "access_log_viewed": "アクセスログ照会",
    "katagaki_saved": "方書の登録・修正",
    "katagaki_retired": "方書の廃止",
    "katagaki_reinstated": "方書の廃止の取消",
}


@dataclass(frozen=True)
class AccessLogFilters:
    occurred_from: dt.date | None = None  # Japan date, inclusive
    occurred_to: dt.date | None = None  # Japan date, inclusive
    login_id: str = ""
    function: str = ""
    action: str = ""
    target: str = ""  # 宛名番号
    my_number_only: bool = False
    off_hours_only: bool = False
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class AccessLogEntry:
    seq: int
    occurred_at: dt.datetime  # Japan time
    login_id: str | None
    display_name: str | None
    client_address: str | None
    terminal: str | None
    function: str
    function_label: str
    action: str
    action_label: str
    targets: list[str]
    my_number_shown: bool
    off_hours: bool


@dataclass(frozen=True)
class Page:
    entries: list[AccessLogEntry]
    total: int
    number: int
    per_page: int
    filters: AccessLogFilters = field(default_factory=AccessLogFilters)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def function_label(function: str) -> str:
    return FUNCTION_LABELS.get(function, function)


def _check(filters: AccessLogFilters) -> None:
    problems = []
    if filters.occurred_from and filters.occurred_to and filters.occurred_from > filters.occurred_to:
        problems.append(
            Problem(
                "occurred_to",
                "期間（至）",
                "開始日より前の日付です",
                "開始日以降の日付を入力してください",
                "date_order",
            )
        )
    if filters.action and filters.action not in ACTIONS:
        problems.append(
            Problem("action", "操作種別", "選択肢にない値です", "一覧から選択してください", "choice")
        )
    if problems:
        raise ValidationError(problems)


def _start_of_day_utc(day: dt.date) -> dt.datetime:
    # Bound as UTC: SQLite stores instants as UTC wall time and would drop any other offset.
    return dt.datetime.combine(day, dt.time(), JST).astimezone(dt.UTC)


def _target_condition(dialect: str, atena_number: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        return type_coerce(AccessLog.targets, JSONB).contains([atena_number])
    each = func.json_each(AccessLog.targets).table_valued("value")
    return exists(select(1).select_from(each).where(each.c.value == atena_number))


def _japan_time_parts(dialect: str) -> tuple[Any, Any, Any]:
    """SQL for the hour, day of week (0 = Sunday) and date of ``occurred_at`` in Japan time."""
    if dialect == "postgresql":
        local = func.timezone("Asia/Tokyo", AccessLog.occurred_at)
        return extract("hour", local), extract("dow", local), cast(local, Date)
    hour = cast(func.strftime("%H", AccessLog.occurred_at, "+9 hours"), Integer)
    weekday = cast(func.strftime("%w", AccessLog.occurred_at, "+9 hours"), Integer)
    return hour, weekday, func.date(AccessLog.occurred_at, "+9 hours")


def _closure_window(session: Session, filters: AccessLogFilters) -> tuple[dt.date, dt.date] | None:
    start = filters.occurred_from
    if start is None:
        earliest = session.scalar(select(func.min(AccessLog.occurred_at)))
        if earliest is None:
            return None
        start = to_jst(earliest).date()
    end = filters.occurred_to or japan_today()
    return start, end


def _off_hours_condition(session: Session, filters: AccessLogFilters) -> ColumnElement[bool]:
    dialect = session.get_bind().dialect.name
    hour, weekday, day = _japan_time_parts(dialect)
    conditions = [hour >= NIGHT_STARTS_AT, hour < NIGHT_ENDS_AT, weekday.in_([0, 6])]
    window = _closure_window(session, filters)
    closures = weekday_closures(*window) if window else []
    if closures:
        values = closures if dialect == "postgresql" else [d.isoformat() for d in closures]
        conditions.append(day.in_(values))
    return or_(*conditions)


def _conditions(session: Session, filters: AccessLogFilters) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if filters.occurred_from:
        found.append(AccessLog.occurred_at >= _start_of_day_utc(filters.occurred_from))
    if filters.occurred_to:
        found.append(AccessLog.occurred_at < _start_of_day_utc(filters.occurred_to + dt.timedelta(days=1)))
    for column, value in (
        (AccessLog.login_id, filters.login_id),
        (AccessLog.function, filters.function),
        (AccessLog.action, filters.action),
    ):
        if value:
            found.append(column == value)
    if filters.target:
        found.append(_target_condition(session.get_bind().dialect.name, filters.target))
    if filters.my_number_only:
        found.append(AccessLog.my_number_shown.is_(True))
    if filters.off_hours_only:
        found.append(_off_hours_condition(session, filters))
    return found


def _entry(row: AccessLog, display_name: str | None) -> AccessLogEntry:
    return AccessLogEntry(
        seq=row.seq,
        occurred_at=to_jst(row.occurred_at),
        login_id=row.login_id,
        display_name=display_name,
        client_address=row.client_address,
        terminal=row.terminal,
        function=row.function,
        function_label=function_label(row.function),
        action=row.action,
        action_label=ACTION_LABELS.get(row.action, row.action),
        targets=list(row.targets),
        my_number_shown=bool(row.my_number_shown),
        off_hours=is_off_hours(row.occurred_at),
    )


def _page_query(conditions: list[ColumnElement[bool]], number: int, per_page: int) -> Select[AccessLog, str]:
    return (
        select(AccessLog, User.display_name)
        .outerjoin(User, User.id == AccessLog.user_id)
        .where(*conditions)
        .order_by(AccessLog.seq.desc())
        .limit(per_page)
        .offset((number - 1) * per_page)
    )


def _logged_filters(filters: AccessLogFilters) -> dict[str, Any]:
    return {
        k: str(v) if isinstance(v, dt.date) else v
        for k, v in asdict(filters).items()
        if v not in ("", None, False)
    }


def search_access_log(uow: UnitOfWork, filters: AccessLogFilters) -> Page:
    """One page of the municipality's access log, newest first; the search is logged after it runs."""
    require(uow.actor, "audit.view")
    _check(filters)
    per_page = min(max(filters.per_page, 1), MAX_PER_PAGE)
    conditions = _conditions(uow.session, filters)
    total = int(uow.session.scalar(select(func.count(AccessLog.id)).where(*conditions)) or 0)
    number = min(max(filters.page, 1), max(1, math.ceil(total / per_page)))
    rows = uow.session.execute(_page_query(conditions, number, per_page)).all()
    entries = [_entry(row, name) for row, name in rows]
    targets = [filters.target] if filters.target else []
    detail = {"filters": _logged_filters(filters), "hits": total}
    record_access(uow, "access_log_viewed", "view", targets, detail=detail)
    return Page(entries=entries, total=total, number=number, per_page=per_page, filters=filters)


def logged_functions(uow: UnitOfWork) -> list[str]:
    """The function names present in the municipality's log (choices for the search form)."""
    require(uow.actor, "audit.view")
    return sorted(uow.session.scalars(select(AccessLog.function).distinct()))


def chain_status(uow: UnitOfWork) -> VerifyResult:
    """The cheap check for the screen: the newest ``CHAIN_TAIL_ROWS`` rows and the head."""
    require(uow.actor, "audit.view")
    return verify_chain(uow.session, uow.actor.tenant_id, last=CHAIN_TAIL_ROWS)
