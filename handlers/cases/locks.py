"""Subject locks (排他, j1380): while a case is open, no other case may change the same person or household.

A subject is ``"resident:<宛名番号>"`` or ``"household:<世帯番号>"``.  The unique (tenant, subject) row makes the
lock hold under concurrency: of two cases locking at once, the second flush fails.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Executable, Table, bindparam, delete, select

from handlers.errors import Problem, ValidationError
from handlers.row_writes import run_prebuilt
from handlers.tenancy import CROSS_TENANT_KEY, session_tenant
from handlers.transaction_memo import transaction_memo
from handlers.uow import UnitOfWork
from models.case import Case
from models.change import SubjectLock
from workflows.engine import runner

OPEN_CASE_STATUSES = ("running", "waiting", "incident")
LOCKS_KEY = "case_subject_locks"
SUBJECT_NAMES = {
    "resident": "住民（宛名番号{0}）",
    "household": "世帯（世帯番号{0}）",
    "resident_code": "住民（住民票コード{0}）",
    "relay_inbox": "転出証明書情報（受信番号{0}）",
}


def describe_subject(subject: str) -> str:
    kind, _, number = subject.partition(":")
    template = SUBJECT_NAMES.get(kind)
    return template.format(number) if template else subject


def _blocking_cases(uow: UnitOfWork, subjects: Iterable[str], case_id: int | None) -> dict[str, Case]:
    wanted = sorted(set(subjects))
    if not wanted:
        return {}
    rows = uow.session.execute(
        select(SubjectLock, Case)
        .join(Case, Case.id == SubjectLock.case_id)
        .where(SubjectLock.subject.in_(wanted))
    ).all()
    blocking: dict[str, Case] = {}
    for lock, case in rows:
        if case.id == case_id:
            continue
        if case.status not in OPEN_CASE_STATUSES:
            uow.session.delete(lock)  # a lock left by a closed case holds nothing
            continue
        blocking[lock.subject] = case
    uow.session.flush()
    return blocking


def lock_conflicts(uow: UnitOfWork, subjects: Iterable[str], case_id: int | None = None) -> list[Problem]:
    """One problem per subject held by another open case, naming that case's 受付番号."""
    return [
        Problem(
            "subjects",
            describe_subject(subject),
            f"この{describe_subject(subject)}は処理中の案件 {case.case_number} があるため、異動できません",
            f"案件 {case.case_number} を完了するか取り消してから入力してください。",
            "subject_locked",
        )
        for subject, case in sorted(_blocking_cases(uow, subjects, case_id).items())
    ]


def take_locks(uow: UnitOfWork, case: Case, subjects: Iterable[str]) -> list[str]:
    """Hold exactly ``subjects`` for ``case`` (locks it no longer needs are released)."""
    wanted = sorted(set(subjects))
    problems = lock_conflicts(uow, wanted, case.id)
    if problems:
        raise ValidationError(problems)
    held = {lock.subject: lock for lock in _held_locks(uow, case.id)}
    kept = []
    for subject, lock in held.items():
        if subject not in wanted:
            uow.session.delete(lock)
    for subject in wanted:
        lock = held.get(subject) or SubjectLock(tenant_id=case.tenant_id, subject=subject, case_id=case.id)
        uow.session.add(lock)
        kept.append(lock)
    uow.session.flush()
    transaction_memo(uow.session).setdefault(LOCKS_KEY, {})[case.id] = kept
    return wanted


def _held_locks(uow: UnitOfWork, case_id: int) -> list[SubjectLock]:
    """The case's lock rows: none for a case opened in this transaction, the ones ``take_locks`` left when it
    ran earlier in it, else read."""
    known: list[SubjectLock] | None = transaction_memo(uow.session).get(LOCKS_KEY, {}).get(case_id)
    if known is not None and all(lock in uow.session for lock in known):
        return known
    if runner.opened_here(uow, case_id):
        return []
    return list(uow.session.scalars(select(SubjectLock).where(SubjectLock.case_id == case_id)))


_LOCKS = cast(Table, SubjectLock.__table__)
# Built once (its cache key is kept): Core, scoped by the session's tenant explicitly.
_RELEASE = delete(_LOCKS).where(
    _LOCKS.c.case_id == bindparam("case"), _LOCKS.c.tenant_id == bindparam("tenant")
)


def release_locks(uow: UnitOfWork, case_id: int) -> None:
    """Delete the case's locks; copies of them in the session leave it, as deleted rows do."""
    if uow.session.autoflush:
        uow.session.flush()  # as the ORM statement's autoflush did
    release = releasing_locks(uow, case_id)
    if release is not None:
        run_prebuilt(uow.session, *release)
        forget_released(uow, case_id)


def releasing_locks(uow: UnitOfWork, case_id: int) -> tuple[Executable, dict[str, Any]] | None:
    """The prebuilt DELETE of the case's locks and its parameters, for the caller to run after flushing
    (then ``forget_released``); None: a session without a tenant of its own, whose locks are released here."""
    session = uow.session
    transaction_memo(session).get(LOCKS_KEY, {}).pop(case_id, None)
    tenant_id = session_tenant(session)
    if tenant_id is None or session.info.get(CROSS_TENANT_KEY):
        session.execute(
            delete(SubjectLock)
            .where(SubjectLock.case_id == case_id)
            .execution_options(synchronize_session="fetch")
        )
        return None
    return _RELEASE, {"case": case_id, "tenant": tenant_id}


def forget_released(uow: UnitOfWork, case_id: int) -> None:
    """The case's locks, deleted, leave the session."""
    session = uow.session
    for held in [row for row in session.identity_map.values() if isinstance(row, SubjectLock)]:
        if held.case_id == case_id:
            session.expunge(held)


def held_subjects(uow: UnitOfWork, case_id: int) -> list[str]:
    return sorted(uow.session.scalars(select(SubjectLock.subject).where(SubjectLock.case_id == case_id)))
