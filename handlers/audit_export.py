"""The access log as a CSV file (j1370 分析・ファイル出力): the rows of a search or of a list analysis, or a
summary analysis, with Japanese headers, in UTF-8 with a BOM and CRLF lines as the other CSV outputs
(``handlers/extraction/outputs.py``, ``handlers/statistics/export.py``); instants in Japan time as
``YYYY-MM-DD HH:MM:SS``.

A download is two calls.  ``plan_access_log_export`` fixes what the file holds — the rows of the filter up to
the municipality's newest chained row, so the count it logs (``audit_log_exported``, with the filter) is the
count the file gets while the log keeps growing — and is committed before a byte is sent: reading the log is
logged even when the transfer is cut.  ``access_log_csv`` then yields the file chunk by chunk from a
server-side cursor (``yield_per``), so millions of rows never sit in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select

from handlers.audit import record_access
from handlers.audit_analyses import Summary, newest_seq, summarize_access_log, text_cell
from handlers.audit_search import (
    ACTION_LABELS,
    SUMMARY_ANALYSES,
    AccessLogFilters,
    check_filters,
    conditions,
    function_label,
    logged_filters,
)
from handlers.clock import JST, to_jst
from handlers.permissions import require
from handlers.rules.off_hours import is_closed_day, is_night
from handlers.uow import UnitOfWork
from models.audit import AccessLog
from models.user import User

CHUNK_ROWS = 2000
MEDIA_TYPE = "text/csv; charset=utf-8"
ROW_COLUMNS = (
    "連番", "日時", "利用者ID", "利用者名", "端末名", "IPアドレス", "機能", "機能コード", "操作種別",
    "対象（宛名番号）", "個人番号表示", "夜間・休日",
)  # fmt: skip


@dataclass(frozen=True)
class AccessLogExport:
    """What one download holds: the filter, the rows up to ``through_seq`` (``rows`` of them), the file name;
    a summary analysis is computed whole when planned."""

    filters: AccessLogFilters
    through_seq: int
    rows: int
    filename: str
    summary: Summary | None = None


def _found(uow: UnitOfWork, filters: AccessLogFilters, through_seq: int) -> list[ColumnElement[bool]]:
    return [*conditions(uow.session, filters), AccessLog.seq <= through_seq]


def _filename(filters: AccessLogFilters) -> str:
    stamp = dt.datetime.now(JST).strftime("%Y%m%d-%H%M%S")
    return f"access-log-{filters.analysis or 'search'}-{stamp}.csv".replace("_", "-")


def plan_access_log_export(uow: UnitOfWork, filters: AccessLogFilters) -> AccessLogExport:
    """Fix and log a download of the search or analysis ``filters`` (every row of the filter, not one page)."""
    require(uow.actor, "audit.view")
    check_filters(filters)
    through = newest_seq(uow)
    summary = None
    if filters.analysis in SUMMARY_ANALYSES:
        summary = summarize_access_log(uow, filters, through_seq=through, log=False)
        count = len(summary.rows)
    else:
        count = int(
            uow.session.scalar(select(func.count(AccessLog.id)).where(*_found(uow, filters, through))) or 0
        )
    shown = {k: v for k, v in logged_filters(filters).items() if k not in ("page", "per_page")}
    detail = {"filters": shown, "rows": count, "through_seq": through}
    record_access(
        uow, "audit_log_exported", "export", [filters.target] if filters.target else [], detail=detail
    )
    return AccessLogExport(filters, through, count, _filename(filters), summary)


def _csv_bytes(rows: Iterable[Sequence[Any]], *, bom: bool = False) -> bytes:
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _row_statement(found: list[ColumnElement[bool]]) -> Any:
    return (
        select(
            AccessLog.seq, AccessLog.occurred_at, AccessLog.login_id, User.display_name, AccessLog.terminal,
            AccessLog.client_address, AccessLog.function, AccessLog.action, AccessLog.targets,
            AccessLog.my_number_shown,
        )
        .outerjoin(User, User.id == AccessLog.user_id)
        .where(*found)
        .order_by(AccessLog.seq.desc())
        .execution_options(yield_per=CHUNK_ROWS)
    )  # fmt: skip


def _cells(row: Any, closed_day: Any) -> tuple[Any, ...]:
    seq, occurred_at, login_id, name, terminal, address, function, action, targets, my_number = row
    moment = to_jst(occurred_at)
    off_hours = is_night(moment) or closed_day(moment.date())
    return (
        seq, moment.strftime("%Y-%m-%d %H:%M:%S"), login_id or "", name or "", terminal or "", address or "",
        function_label(function), function, ACTION_LABELS.get(action, action), "、".join(targets or ()),
        "あり" if my_number else "なし", "該当" if off_hours else "",
    )  # fmt: skip


def access_log_csv(uow: UnitOfWork, export: AccessLogExport) -> Iterator[bytes]:
    """The file of ``export``: the header first, then one piece per ``CHUNK_ROWS`` rows, newest first."""
    require(uow.actor, "audit.view")
    if export.summary is not None:
        rows = [tuple(text_cell(cell) for cell in row) for row in export.summary.rows]
        yield _csv_bytes([export.summary.columns, *rows], bom=True)
        return
    yield _csv_bytes([ROW_COLUMNS], bom=True)
    closed_day = functools.lru_cache(maxsize=4096)(is_closed_day)
    result = uow.session.execute(_row_statement(_found(uow, export.filters, export.through_seq)))
    for chunk in result.partitions():
        yield _csv_bytes(_cells(row, closed_day) for row in chunk)
