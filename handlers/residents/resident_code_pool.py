"""住民票コードの付番 (j870): the pool of free codes fetched from the CS, taken at random, with a low-stock alert.

The order is drawn when a code is stored (``draw_key``, random): the next code is the free one with the lowest
draw key, read from an index — a choice as random as sorting the free codes by ``random()`` at each taking,
without reading and sorting the whole pool (nor planning that statement anew) every time.

A code is chosen and marked in one statement under a row lock (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
two registrations at once never get the same code and never wait on each other); on SQLite the transaction's
write lock serialises them.  A taken code stays in the pool marked ``taken`` so it is never handed out twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, any_, bindparam, func, select, update
from sqlalchemy.orm import Session

from handlers.errors import Problem, ValidationError
from handlers.permissions import require
from handlers.row_writes import run_prebuilt
from handlers.rules.check_digit import resident_code_valid
from handlers.rules.digits import ascii_digits
from handlers.tenancy import CROSS_TENANT_KEY, session_tenant
from handlers.uow import UnitOfWork
from models.resident_code_pool import ResidentCodePoolEntry
from models.tenant import Municipality

ALERT_SETTING = "resident_code_pool_alert"
DEFAULT_ALERT_THRESHOLD = 100
# The alert threshold last read per municipality: the first count's cap in the check before 本登録.
_THRESHOLDS_SEEN: dict[int | None, int] = {}


@dataclass(frozen=True)
class PoolLoad:
    added: int
    already_in_pool: list[str]


def free_code_count(session: Session) -> int:
    stmt = (
        select(func.count()).select_from(ResidentCodePoolEntry).where(ResidentCodePoolEntry.taken.is_(False))
    )
    return int(session.scalar(stmt) or 0)


def alert_threshold(session: Session) -> int:
    """The municipality's own threshold (``settings["resident_code_pool_alert"]``), else 100."""
    tenant_id = session_tenant(session)
    municipality = session.get(Municipality, tenant_id) if tenant_id is not None else None
    value = (municipality.settings or {}).get(ALERT_SETTING) if municipality is not None else None
    return int(value) if value is not None else DEFAULT_ALERT_THRESHOLD


def _empty_pool_problem() -> Problem:
    return Problem(
        "resident_code",
        "住民票コード",
        "新規付番用の住民票コードの空き番がありません",
        "CSから住民票コードを取得して蓄積してから登録してください",
        "resident_code_pool_empty",
    )


_POOL = cast(Table, ResidentCodePoolEntry.__table__)
_MUNICIPALITIES = cast(Table, Municipality.__table__)
_FREE_CODES = (
    select(_POOL.c.id)
    .where(_POOL.c.tenant_id == bindparam("tenant"), _POOL.c.taken.is_(False))
    .limit(bindparam("cap"))
    .subquery()
)
# Built once (its cache key is kept): Core, scoped by the session's tenant explicitly.
_SETTINGS_AND_FREE = select(
    _MUNICIPALITIES.c.settings, select(func.count()).select_from(_FREE_CODES).scalar_subquery()
).where(_MUNICIPALITIES.c.id == bindparam("tenant"))


def _free_codes(session: Session, cap: int) -> int:
    """The free codes the session can see, counted up to ``cap`` (ORM: tenant-scoped as any statement)."""
    free = (
        select(ResidentCodePoolEntry.id).where(ResidentCodePoolEntry.taken.is_(False)).limit(cap).subquery()
    )
    return int(session.scalar(select(select(func.count()).select_from(free).scalar_subquery())) or 0)


def _pool_status(session: Session, cap: int) -> tuple[int, int]:
    """(the alert threshold, the free codes counted up to ``cap``) in one statement: the municipality's
    settings and a count that stops at ``cap`` (counting a large pool in full costs more than the check
    needs)."""
    tenant_id = session_tenant(session)
    if tenant_id is None:
        return alert_threshold(session), _free_codes(session, cap)
    if session.autoflush:
        session.flush()  # as the ORM statement's autoflush did
    found = run_prebuilt(session, _SETTINGS_AND_FREE, {"tenant": tenant_id, "cap": cap}).rows
    if not found:
        return DEFAULT_ALERT_THRESHOLD, _free_codes(session, cap)
    row = found[0]
    value = (row[0] or {}).get(ALERT_SETTING)
    return (int(value) if value is not None else DEFAULT_ALERT_THRESHOLD), int(row[1] or 0)


def pool_problems(session: Session, needed: int = 1) -> tuple[list[Problem], list[Problem]]:
    """(errors, alerts) before codes are taken: too few free codes is an error; fewer than the
    municipality's threshold left after taking them is an alert (j870).

    Only a pool smaller than ``needed`` + threshold needs its exact size, so the free codes are counted up
    to that many.  The first statement reads the threshold as it counts, so it counts up to the threshold
    last seen for the municipality in this process (100 at first) + ``needed``; a threshold found higher
    than that counts again with its own cap (a hint only: every answer stays exact)."""
    tenant_id = session_tenant(session)
    cap = _THRESHOLDS_SEEN.get(tenant_id, DEFAULT_ALERT_THRESHOLD) + needed
    threshold, free = _pool_status(session, cap)
    if len(_THRESHOLDS_SEEN) < 4096:
        _THRESHOLDS_SEEN[tenant_id] = threshold
    if free == cap and threshold + needed > cap:
        free = _pool_status(session, threshold + needed)[1]
    if free < needed:
        return [_empty_pool_problem()], []
    left = free - needed
    if left < threshold:
        alert = Problem(
            "resident_code",
            "住民票コード",
            f"付番後の住民票コードの空き番が{left}件で、設定値（{threshold}件）を下回ります",
            "CSから住民票コードを取得して蓄積してください",
            "resident_code_pool_low",
            level="alert",
        )
        return [], [alert]
    return [], []


def take_resident_code(session: Session) -> str:
    """A free code chosen at random (the next in drawing order), marked taken in the caller's transaction (one UPDATE … RETURNING)."""
    [code] = take_resident_codes(session, 1)
    return code


def take_resident_codes(session: Session, count: int) -> list[str]:
    """``count`` free codes chosen at random, marked taken in the caller's transaction, all in one
    ``UPDATE … WHERE id = ANY(ARRAY(SELECT … LIMIT count FOR UPDATE SKIP LOCKED)) RETURNING``.  Too few free codes
    refuses with a ValidationError, which rolls the caller's unit of work (or the service task's SAVEPOINT)
    back with the codes it marked."""
    if count < 1:
        return []
    postgresql = session.get_bind().dialect.name == "postgresql"
    now = dt.datetime.now(dt.UTC)
    tenant_id = session_tenant(session)
    if tenant_id is None or session.info.get(CROSS_TENANT_KEY):
        taken: Iterable[Any] = session.execute(
            _taking(postgresql, ResidentCodePoolEntry, count, now)
        ).scalars()
    else:
        if session.autoflush:
            session.flush()  # as the ORM statement's autoflush did
        params = {"tenant": tenant_id, "count": count, "now": now}
        taken = [row[0] for row in run_prebuilt(session, _taking_in_tenant(postgresql), params).rows]
    codes = [str(code) for code in taken]
    if len(codes) < count:
        raise ValidationError([_empty_pool_problem()])
    return codes


def _taking(postgresql: bool, target: Any, count: Any, now: Any, *where: Any) -> Any:
    """The UPDATE that chooses ``count`` free codes of ``target`` (the ORM entity, scoped by the session, or
    the table with ``where``) and marks them taken at ``now``.  On PostgreSQL ``= ANY(ARRAY(SELECT …))`` runs
    the choice once, as an InitPlan: ``IN (SELECT …)`` would be re-run by PostgreSQL's recheck of a row
    another transaction updated meanwhile, choosing *more* codes (SQLite: one writer, nothing to recheck)."""
    pool = target.c if isinstance(target, Table) else target
    chosen = (
        select(pool.id).where(pool.taken.is_(False), *where).order_by(pool.draw_key).limit(count)
    ).with_for_update(skip_locked=True)
    ids = chosen.scalar_subquery()
    wanted = pool.id == any_(func.array(ids)) if postgresql else pool.id.in_(ids)
    taking = update(target).where(wanted, *where).values(taken=True, taken_at=now).returning(pool.code)
    return taking.execution_options(synchronize_session=False)


@cache
def _taking_in_tenant(postgresql: bool) -> Any:
    """``_taking`` in Core, built once per dialect (its cache key is kept), naming the tenant."""
    return _taking(
        postgresql, _POOL, bindparam("count"), bindparam("now"), _POOL.c.tenant_id == bindparam("tenant")
    )


def _normalized(codes: Iterable[str]) -> tuple[list[str], list[Problem]]:
    found: list[str] = []
    problems: list[Problem] = []
    for index, raw in enumerate(codes):
        code = ascii_digits(str(raw)).strip()
        if not resident_code_valid(code):
            problems.append(
                Problem(
                    f"codes[{index}]",
                    f"住民票コード（{index + 1}件目）",
                    f"「{raw}」は11桁の住民票コードとして検査用数字が一致しません",
                    "CSから取得したデータを確認してください",
                    "check_digit",
                )
            )
        found.append(code)
    return found, problems


def load_pool(uow: UnitOfWork, codes: Iterable[str]) -> PoolLoad:
    """Store codes fetched from the CS.  Every code's check digit is checked first; one bad code refuses
    the whole load.  Codes already in the pool are skipped and reported."""
    require(uow.actor, "resident_code.issue")
    found, problems = _normalized(codes)
    if problems:
        raise ValidationError(problems)
    existing = set(
        uow.session.scalars(select(ResidentCodePoolEntry.code).where(ResidentCodePoolEntry.code.in_(found)))
    )
    added = 0
    for code in dict.fromkeys(found):
        if code not in existing:
            uow.session.add(ResidentCodePoolEntry(tenant_id=uow.actor.tenant_id, code=code, taken=False))
            added += 1
    uow.session.flush()
    return PoolLoad(added=added, already_in_pool=sorted(existing))
