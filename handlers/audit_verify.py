"""Verification of the access-log hash chain (j1370 改ざん防止).

Each tenant's rows form a chain: row ``n`` carries ``seq = n``, the stored hash of row ``n-1`` as
``prev_hash`` and its own ``hash`` over its content.  ``access_log_head`` holds the last link.  Walking the
rows in seq order detects an edited row (its content no longer gives its hash), a deleted row (a gap in
seq, or rows missing at the tail), an inserted or reordered row (seq out of order, or a ``prev_hash`` that
does not point at the row before it) and a head that disagrees with the last row.

A forger who can rewrite every later row and the head as well is caught only by comparing the head with a
copy kept elsewhere (for instance a printed or exported head hash); that anchoring is outside this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.audit import GENESIS_HASH, row_hash
from handlers.errors import NotFoundError, TenancyError
from handlers.tenancy import CROSS_TENANT_KEY, session_tenant
from models.audit import AccessLog, AccessLogHead
from models.tenant import Municipality

BATCH_ROWS = 2000

# Every column the hash covers, plus the stored hash itself.
HASHED_COLUMNS = (
    AccessLog.tenant_id,
    AccessLog.seq,
    AccessLog.occurred_at,
    AccessLog.user_id,
    AccessLog.login_id,
    AccessLog.client_address,
    AccessLog.terminal,
    AccessLog.function,
    AccessLog.action,
    AccessLog.targets,
    AccessLog.my_number_shown,
    AccessLog.detail,
    AccessLog.prev_hash,
    AccessLog.hash,
)

REASONS: dict[str, str] = {
    "content_edited": "行の内容が記録時のハッシュと一致しません（内容の改ざん）",
    "rows_missing": "連番が欠落しています（行の削除）",
    "out_of_order": "連番が期待値より小さい行があります（行の挿入または並べ替え）",
    "link_broken": "直前の行のハッシュと連結していません（行の挿入・並べ替え、または直前の行の改ざん）",
    "head_mismatch": "チェーンの先頭情報（最終連番・最終ハッシュ）が最後の行と一致しません",
    "head_missing": "ログ行があるのにチェーンの先頭情報がありません",
}


@dataclass(frozen=True)
class ChainBreak:
    seq: int  # the first seq concerned
    reason: str  # key of REASONS
    detail: str = ""

    @property
    def message(self) -> str:
        text = REASONS[self.reason]
        return f"{text}：{self.detail}" if self.detail else text


@dataclass
class VerifyResult:
    tenant_id: int
    rows_checked: int = 0
    head_seq: int = 0
    first_seq: int = 1  # where the walk started (1 unless only the tail was checked)
    breaks: list[ChainBreak] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks


@dataclass
class _Walk:
    """State of the walk: what the next row must look like."""

    expected_seq: int
    expected_prev: str
    last_seq: int | None = None
    last_hash: str | None = None


def _check_scope(session: Session, tenant_id: int) -> None:
    bound = session_tenant(session)
    if not session.info.get(CROSS_TENANT_KEY) and bound != tenant_id:
        raise TenancyError("他の市区町村のアクセスログは検証できません。")


def _stream_rows(session: Session, tenant_id: int, from_seq: int) -> Iterator[Any]:
    """Rows in seq order, fetched ``BATCH_ROWS`` at a time.  A full walk (from seq 1) has no lower bound,
    so rows slipped in below the start are seen too."""
    stmt = select(*HASHED_COLUMNS).where(AccessLog.tenant_id == tenant_id)
    if from_seq > 1:
        stmt = stmt.where(AccessLog.seq >= from_seq)
    yield from session.execute(stmt.order_by(AccessLog.seq).execution_options(yield_per=BATCH_ROWS))


def _check_row(row: Any, walk: _Walk) -> list[ChainBreak]:
    breaks: list[ChainBreak] = []
    if row_hash(row) != row.hash:
        breaks.append(ChainBreak(row.seq, "content_edited"))
    if row.seq > walk.expected_seq:
        gap = f"連番 {walk.expected_seq}〜{row.seq - 1} がありません"
        breaks.append(ChainBreak(walk.expected_seq, "rows_missing", gap))
    elif row.seq < walk.expected_seq:
        # Only a row slipped in below the chain's start gets here (seq is unique and walked in order);
        # leave the walk as it was so the genuine rows after it are judged on their own.
        breaks.append(ChainBreak(row.seq, "out_of_order", f"連番 {walk.expected_seq} 以降を期待しました"))
        return breaks
    elif row.prev_hash != walk.expected_prev:
        breaks.append(ChainBreak(row.seq, "link_broken"))
    walk.expected_seq = max(walk.expected_seq, row.seq + 1)
    walk.expected_prev = row.hash
    walk.last_seq, walk.last_hash = row.seq, row.hash
    return breaks


def _check_head(head: AccessLogHead | None, walk: _Walk, result: VerifyResult) -> None:
    if head is None:
        if walk.last_seq is not None:
            result.breaks.append(ChainBreak(walk.last_seq, "head_missing"))
        return
    last_seq = walk.last_seq if walk.last_seq is not None else walk.expected_seq - 1
    last_hash = walk.last_hash if walk.last_hash is not None else walk.expected_prev
    if head.last_seq > last_seq:
        gap = f"連番 {last_seq + 1}〜{head.last_seq} がありません（末尾の削除）"
        result.breaks.append(ChainBreak(last_seq + 1, "rows_missing", gap))
    elif head.last_seq != last_seq or head.last_hash != last_hash:
        detail = f"先頭情報の最終連番 {head.last_seq}、最後の行の連番 {last_seq}"
        result.breaks.append(ChainBreak(last_seq, "head_mismatch", detail))


def _start_of_tail(session: Session, tenant_id: int, head_seq: int, last: int | None) -> _Walk:
    """Where to start: seq 1 from the genesis hash, or the last ``last`` rows from the stored hash before."""
    if last is None or head_seq <= last:
        return _Walk(expected_seq=1, expected_prev=GENESIS_HASH)
    start = head_seq - last + 1
    before = session.scalar(
        select(AccessLog.hash).where(AccessLog.tenant_id == tenant_id, AccessLog.seq == start - 1)
    )
    # A missing anchor row is reported as a link break on the first row walked.
    return _Walk(expected_seq=start, expected_prev=before or "")


def verify_chain(session: Session, tenant_id: int, *, last: int | None = None) -> VerifyResult:
    """Walk the tenant's chain in seq order (streamed) and list every break.

    ``last`` limits the walk to the newest ``last`` rows (a cheap check for screens); ``None`` walks all.
    """
    _check_scope(session, tenant_id)
    head = session.scalars(
        select(AccessLogHead)
        .where(AccessLogHead.tenant_id == tenant_id)
        .execution_options(populate_existing=True)
    ).one_or_none()
    head_seq = head.last_seq if head is not None else 0
    walk = _start_of_tail(session, tenant_id, head_seq, last)
    result = VerifyResult(tenant_id=tenant_id, head_seq=head_seq, first_seq=walk.expected_seq)
    for row in _stream_rows(session, tenant_id, walk.expected_seq):
        result.rows_checked += 1
        result.breaks.extend(_check_row(row, walk))
    _check_head(head, walk, result)
    return result


def _tenants(session: Session) -> Iterable[tuple[int, str]]:
    known = {row.id: row.code for row in session.execute(select(Municipality.id, Municipality.code))}
    with_log = set(session.scalars(select(AccessLogHead.tenant_id)))
    with_log |= set(session.scalars(select(AccessLog.tenant_id).distinct()))
    for tenant_id in sorted(set(known) | with_log):
        yield tenant_id, known.get(tenant_id, f"#{tenant_id}")


def verify_all(session: Session) -> dict[str, VerifyResult]:
    """Every tenant's full chain, keyed by municipality code.  Needs a cross-tenant (system) session."""
    if not session.info.get(CROSS_TENANT_KEY):
        raise TenancyError("全市区町村のアクセスログ検証にはシステム用のセッションが必要です。")
    return {code: verify_chain(session, tenant_id) for tenant_id, code in _tenants(session)}


def verify_municipalities(session: Session, code: str | None = None) -> dict[str, VerifyResult]:
    """``verify_all``, or only the municipality with this code.  Needs a cross-tenant (system) session."""
    if code is None:
        return verify_all(session)
    tenant_id = session.scalar(select(Municipality.id).where(Municipality.code == code))
    if tenant_id is None:
        raise NotFoundError(f"市区町村コード {code} の団体は登録されていません。")
    return {code: verify_chain(session, tenant_id)}
