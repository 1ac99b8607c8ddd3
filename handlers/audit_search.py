"""The auditor's search of the access log (j1370 オンラインでの検索・抽出・照会 and its 分析例).

Only ``audit.view`` (the auditor role) may search.  The search is scoped to the auditor's municipality by
the tenancy filter, and the search itself is logged (``access_log_viewed``).
"""

from __future__ import annotations

import datetime as dt
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

from handlers import paging
from handlers.audit import ACTIONS, record_access
from handlers.audit_labels import FUNCTION_LABELS
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

# The 分析例 of j1370.  A list analysis narrows the rows of the search; a summary analysis counts them
# (handlers/audit_analyses.py).  Both are shown on the screen and downloaded as CSV (handlers/audit_export.py).
ANALYSES: dict[str, str] = {
    "off_hours": "深夜・休業日におけるアクセス一覧",
    "failed_logins": "ログイン失敗一覧",
    "logins_by_user": "ID別ログイン数一覧",
    "mass_searches": "大量検索実行一覧",
    "person_accesses": "宛名番号から該当者の検索実行一覧",
}
SUMMARY_ANALYSES = frozenset({"logins_by_user", "mass_searches"})
FAILED_SIGN_IN_FUNCTIONS = ("sign_in_failed", "account_locked")
DEFAULT_MASS_SEARCHES = 100  # searches by one user in one day


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
    analysis: str = ""  # a key of ANALYSES
    mass_searches: int = DEFAULT_MASS_SEARCHES
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
class Page(paging.Page[AccessLogEntry]):
    """One page of the search's results, with the filters it was searched by (paging as every long list)."""

    filters: AccessLogFilters = field(default_factory=AccessLogFilters)

    @property
    def entries(self) -> list[AccessLogEntry]:
        return self.items


def function_label(function: str) -> str:
    return FUNCTION_LABELS.get(function, function)


def check_filters(filters: AccessLogFilters) -> None:
    """The search's problems in Japanese (``ValidationError``); shared by the screen and the download."""
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
    if filters.analysis and filters.analysis not in ANALYSES:
        problems.append(
            Problem("analysis", "分析", "選択肢にない値です", "一覧から選択してください", "choice")
        )
    if filters.analysis == "person_accesses" and not filters.target:
        problems.append(
            Problem(
                "target",
                "対象宛名番号",
                "宛名番号が入力されていません",
                "該当者の宛名番号を入力してください",
                "required",
            )
        )
    if filters.mass_searches < 1:
        problems.append(
            Problem(
                "mass_searches",
                "大量検索の基準",
                "1以上の回数ではありません",
                "1日あたりの検索回数を1以上で入力してください",
                "range",
            )
        )
    if problems:
        raise ValidationError(problems)


# No access log is older than the first day or newer than the last: a period typed as 0001-01-01 or
# 9999-12-31 is read as far as these, whose instants in UTC stay within what a datetime holds.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(9999, 12, 30)


def _start_of_day_utc(day: dt.date) -> dt.datetime:
    # Bound as UTC: SQLite stores instants as UTC wall time and would drop any other offset.
    day = min(max(day, FIRST_DAY), LAST_DAY)
    return dt.datetime.combine(day, dt.time(), JST).astimezone(dt.UTC)


def _end_of_day_utc(day: dt.date) -> dt.datetime:
    """The start of the next Japan day, in UTC (the period's exclusive end)."""
    return _start_of_day_utc(min(day, LAST_DAY - dt.timedelta(days=1)) + dt.timedelta(days=1))


def _target_condition(dialect: str, atena_number: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        return type_coerce(AccessLog.targets, JSONB).contains([atena_number])
    each = func.json_each(AccessLog.targets).table_valued("value")
    return exists(select(1).select_from(each).where(each.c.value == atena_number))


def japan_time_parts(dialect: str) -> tuple[Any, Any, Any]:
    """SQL for the hour, day of week (0 = Sunday) and date of ``occurred_at`` in Japan time."""
    if dialect == "postgresql":
        local = func.timezone("Asia/Tokyo", AccessLog.occurred_at)
        return extract("hour", local), extract("dow", local), cast(local, Date)
    hour = cast(func.strftime("%H", AccessLog.occurred_at, "+9 hours"), Integer)
    weekday = cast(func.strftime("%w", AccessLog.occurred_at, "+9 hours"), Integer)
    return hour, weekday, func.date(AccessLog.occurred_at, "+9 hours")


def _closure_window(session: Session, filters: AccessLogFilters) -> tuple[dt.date, dt.date] | None:
    """The holidays worth naming: from the first log (or the period's start, if later) to today (or the
    period's end, if earlier) — not the centuries a far period would span."""
    earliest = session.scalar(select(func.min(AccessLog.occurred_at)))
    if earliest is None:
        return None
    start = max(filter(None, (filters.occurred_from, to_jst(earliest).date())))
    end = min(filter(None, (filters.occurred_to, japan_today())))
    return start, max(start, end)


def _off_hours_condition(session: Session, filters: AccessLogFilters) -> ColumnElement[bool]:
    dialect = session.get_bind().dialect.name
    hour, weekday, day = japan_time_parts(dialect)
    conditions = [hour >= NIGHT_STARTS_AT, hour < NIGHT_ENDS_AT, weekday.in_([0, 6])]
    window = _closure_window(session, filters)
    closures = weekday_closures(*window) if window else []
    if closures:
        values = closures if dialect == "postgresql" else [d.isoformat() for d in closures]
        conditions.append(day.in_(values))
    return or_(*conditions)


def conditions(session: Session, filters: AccessLogFilters) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if filters.occurred_from:
        found.append(AccessLog.occurred_at >= _start_of_day_utc(filters.occurred_from))
    if filters.occurred_to:
        found.append(AccessLog.occurred_at < _end_of_day_utc(filters.occurred_to))
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
    if filters.off_hours_only or filters.analysis == "off_hours":
        found.append(_off_hours_condition(session, filters))
    if filters.analysis == "failed_logins":
        found.append(AccessLog.function.in_(FAILED_SIGN_IN_FUNCTIONS))
    return found


def entry(row: AccessLog, display_name: str | None) -> AccessLogEntry:
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


def rows_query(found: list[ColumnElement[bool]]) -> Select[AccessLog, str]:
    """The rows of the search with their user's name, newest first."""
    return (
        select(AccessLog, User.display_name)
        .outerjoin(User, User.id == AccessLog.user_id)
        .where(*found)
        .order_by(AccessLog.seq.desc())
    )


def _page_query(found: list[ColumnElement[bool]], number: int, per_page: int) -> Select[AccessLog, str]:
    return rows_query(found).limit(per_page).offset((number - 1) * per_page)


def logged_filters(filters: AccessLogFilters) -> dict[str, Any]:
    return {
        k: str(v) if isinstance(v, dt.date) else v
        for k, v in asdict(filters).items()
        if v not in ("", None, False) and not (k == "mass_searches" and filters.analysis != "mass_searches")
    }


def search_access_log(uow: UnitOfWork, filters: AccessLogFilters) -> Page:
    """One page of the municipality's access log, newest first; the search is logged after it runs."""
    require(uow.actor, "audit.view")
    check_filters(filters)
    per_page = min(max(filters.per_page, 1), MAX_PER_PAGE)
    found = conditions(uow.session, filters)
    total = int(uow.session.scalar(select(func.count(AccessLog.id)).where(*found)) or 0)
    number = paging.page_within(filters.page, total, per_page)
    rows = uow.session.execute(_page_query(found, number, per_page)).all()
    entries = [entry(row, name) for row, name in rows]
    targets = [filters.target] if filters.target else []
    detail = {"filters": logged_filters(filters), "hits": total}
    record_access(uow, "access_log_viewed", "view", targets, detail=detail)
    return Page(items=entries, total=total, number=number, per_page=per_page, filters=filters)


def logged_functions(uow: UnitOfWork) -> list[str]:
    """The function names present in the municipality's log (choices for the search form)."""
    require(uow.actor, "audit.view")
    return sorted(uow.session.scalars(select(AccessLog.function).distinct()))


def chain_status(uow: UnitOfWork) -> VerifyResult:
    """The cheap check for the screen: the newest ``CHAIN_TAIL_ROWS`` rows and the head."""
    require(uow.actor, "audit.view")
    return verify_chain(uow.session, uow.actor.tenant_id, last=CHAIN_TAIL_ROWS)
