"""The access log's summary analyses (j1370 分析例「ID別ログイン数一覧」「大量検索実行一覧」).

A summary counts the rows of the search (the period, the user and the other filters of
``handlers.audit_search``) per user, or per user and Japan day; it is bounded by the users and days, never
by the rows, so it is computed whole.  The list analyses (深夜・休業日, ログイン失敗, 宛名番号から該当者) are
conditions of the search itself.  Only ``audit.view`` may summarise, and each summary is logged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, case, func, select
from sqlalchemy.orm import Session

from handlers.audit import record_access
from handlers.audit_search import (
    ANALYSES,
    FAILED_SIGN_IN_FUNCTIONS,
    SUMMARY_ANALYSES,
    AccessLogFilters,
    check_filters,
    conditions,
    japan_time_parts,
    logged_filters,
)
from handlers.clock import to_jst
from handlers.permissions import require
from handlers.uow import UnitOfWork
from models.audit import AccessLog
from models.user import User

SIGN_IN_FUNCTIONS = ("sign_in_succeeded", "user_signed_in")  # the second is the older name of the first
LOGIN_COLUMNS = (
    "利用者ID",
    "利用者名",
    "ログイン数",
    "ログイン失敗数",
    "アカウントロック数",
    "最終ログイン日時",
)
MASS_SEARCH_COLUMNS = ("日付", "利用者ID", "利用者名", "検索回数", "該当者数（延べ）")


@dataclass(frozen=True)
class Summary:
    """A summary analysis as a table for the screen and the CSV alike: text cells, and the instants and days as
    values (``Cell``) that each output writes its own way (和暦 on screen, ISO in the file)."""

    analysis: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    through_seq: int  # the newest row counted


Cell = str | dt.date | dt.datetime | None


def text_cell(cell: Cell) -> str:
    """A cell as the CSV writes it: an instant in Japan time ``YYYY-MM-DD HH:MM:SS``, a day ``YYYY-MM-DD``."""
    if isinstance(cell, dt.datetime):
        return to_jst(cell).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return cell or ""


def _scope(filters: AccessLogFilters) -> AccessLogFilters:
    """A summary chooses its own functions: the search's function, action, target and analysis are not
    conditions of it."""
    return dataclasses.replace(filters, function="", action="", target="", analysis="")


def _count_of(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _logins_by_user(session: Session, found: list[ColumnElement[bool]]) -> list[tuple[Cell, ...]]:
    signed_in = AccessLog.function.in_(SIGN_IN_FUNCTIONS)
    last = func.max(case((signed_in, AccessLog.seq)))
    stmt = (
        select(
            AccessLog.login_id,
            func.max(User.display_name),
            _count_of(signed_in),
            _count_of(AccessLog.function == FAILED_SIGN_IN_FUNCTIONS[0]),
            _count_of(AccessLog.function == FAILED_SIGN_IN_FUNCTIONS[1]),
            last,
        )
        .outerjoin(User, User.id == AccessLog.user_id)
        .where(AccessLog.function.in_(SIGN_IN_FUNCTIONS + FAILED_SIGN_IN_FUNCTIONS), *found)
        .group_by(AccessLog.login_id)
        .order_by(AccessLog.login_id)
    )
    rows = session.execute(stmt).all()
    last_seqs = [seq for *_, seq in rows if seq is not None]
    last_rows = session.execute(
        select(AccessLog.seq, AccessLog.occurred_at).where(AccessLog.seq.in_(last_seqs))
    )
    times: dict[int, dt.datetime] = {seq: moment for seq, moment in last_rows}
    return [
        (
            login or "",
            name or "",
            str(ok or 0),
            str(failed or 0),
            str(locked or 0),
            times.get(seq),
        )
        for login, name, ok, failed, locked, seq in rows
    ]


def _json_length(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.jsonb_array_length(AccessLog.targets)
    return func.json_array_length(AccessLog.targets)


def _mass_searches(session: Session, found: list[ColumnElement[bool]], least: int) -> list[tuple[Cell, ...]]:
    _hour, _weekday, day = japan_time_parts(session.get_bind().dialect.name)
    searches = func.count(AccessLog.id)
    stmt = (
        select(day, AccessLog.login_id, func.max(User.display_name), searches,
               func.sum(func.coalesce(_json_length(session), 0)).cast(Integer))
        .outerjoin(User, User.id == AccessLog.user_id)
        .where(AccessLog.action == "search", *found)
        .group_by(day, AccessLog.login_id)
        .having(searches >= least)
        .order_by(day, AccessLog.login_id)
    )  # fmt: skip
    return [
        (dt.date.fromisoformat(str(when)[:10]), login or "", name or "", str(count), str(persons or 0))
        for when, login, name, count, persons in session.execute(stmt)
    ]


def summarize_access_log(
    uow: UnitOfWork, filters: AccessLogFilters, *, through_seq: int, log: bool = True
) -> Summary:
    """The summary analysis ``filters.analysis`` of the rows up to ``through_seq``; logged as a view unless the
    caller logs it itself (the download)."""
    require(uow.actor, "audit.view")
    check_filters(filters)
    if filters.analysis not in SUMMARY_ANALYSES:
        raise ValueError(f"not a summary analysis: {filters.analysis!r}")
    found = [*conditions(uow.session, _scope(filters)), AccessLog.seq <= through_seq]
    columns: tuple[str, ...]
    if filters.analysis == "logins_by_user":
        columns, rows = LOGIN_COLUMNS, _logins_by_user(uow.session, found)
    else:
        columns, rows = MASS_SEARCH_COLUMNS, _mass_searches(uow.session, found, filters.mass_searches)
    if log:
        detail = {"filters": logged_filters(filters), "hits": len(rows)}
        record_access(uow, "access_log_viewed", "view", [], detail=detail)
    return Summary(filters.analysis, ANALYSES[filters.analysis], columns, rows, through_seq)


def newest_seq(uow: UnitOfWork) -> int:
    """The municipality's newest chained row: a summary or a download counts the rows up to it, so what it
    reports stays the same while the log grows."""
    require(uow.actor, "audit.view")
    return int(uow.session.scalar(select(func.max(AccessLog.seq))) or 0)
