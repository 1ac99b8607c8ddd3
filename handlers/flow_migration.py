"""Moving running cases to the newest version of their flow (案件の移行): a dry run that says which cases can
move and why the others cannot, a job that moves them one by one (each in its own transaction, so the page
can show progress and one refusal does not stop the rest), and revert of one case's move.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from handlers.audit import record_access
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ConflictError, DomainError, NotFoundError
from handlers.flows import PERMISSION, flow_name, version_of
from handlers.labels import label
from handlers.permissions import require
from handlers.uow import UnitOfWork, unit_of_work
from models.case import Case, ProcessDefinition
from models.flow import CaseMigration, MigrationJob
from workflows.engine.migration import check_case_migration, migrate_case, revert_case_migration

OPEN_STATUSES = ("running", "waiting", "incident")


@dataclass(frozen=True)
class MigrationCandidate:
    case_id: int
    case_number: str
    version: int
    status: str
    movable: bool
    reason: str


@dataclass(frozen=True)
class MigrationPlan:
    process_id: str
    name: str  # the flow's name (転入届 …)
    target_version: int | None  # None: the municipality never deployed the flow, so no case runs on it
    candidates: list[MigrationCandidate]

    @property
    def movable_ids(self) -> list[int]:
        return [c.case_id for c in self.candidates if c.movable]


def _newest_definition(uow: UnitOfWork, process_id: str) -> ProcessDefinition | None:
    return uow.session.scalars(
        select(ProcessDefinition)
        .where(ProcessDefinition.process_id == process_id)
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    ).first()


def plan_migration(uow: UnitOfWork, process_id: str, version: int | None = None) -> MigrationPlan:
    """Dry run: every open case of ``process_id`` on another version, movable or not and why.  Writes nothing.
    A shipped flow the municipality never deployed (its first case deploys it as version 1) has no case to move:
    an empty plan without a target version.  A flow that is not shipped: NotFoundError."""
    require(uow.actor, PERMISSION)
    name = flow_name(process_id)
    target = version_of(uow, process_id, version) if version else _newest_definition(uow, process_id)
    if target is None:
        return MigrationPlan(process_id, name, None, [])
    versions = {d.id: d.version for d in uow.session.scalars(select(ProcessDefinition))}
    cases = uow.session.scalars(
        select(Case)
        .where(Case.process_id == process_id, Case.status.in_(OPEN_STATUSES), Case.definition_id != target.id)
        .order_by(Case.id)
    ).all()
    candidates = []
    for case in cases:
        check = check_case_migration(uow, case, target)
        candidates.append(
            MigrationCandidate(
                case.id,
                case.case_number,
                versions.get(case.definition_id, 0),
                case.status,
                check.movable,
                check.reason,
            )
        )
    return MigrationPlan(process_id, name, target.version, candidates)


def start_migration_job(uow: UnitOfWork, process_id: str, dispatch: Callable[[int], None]) -> MigrationJob:
    """Queue the move of every movable case to the newest version; ``dispatch(job_id)`` runs after commit."""
    plan = plan_migration(uow, process_id)
    if not plan.movable_ids:
        raise ConflictError("移行できる処理中の案件はありません。")
    target = _newest_definition(uow, process_id)
    assert target is not None  # a plan with movable cases has its target
    job = MigrationJob(
        tenant_id=uow.actor.tenant_id,
        process_id=process_id,
        target_definition_id=target.id,
        case_ids=plan.movable_ids,
        total=len(plan.movable_ids),
        created_by=uow.actor.login_id,
    )
    uow.session.add(job)
    uow.session.flush()
    job_id = job.id
    uow.after_commit(lambda: dispatch(job_id))
    return job


def _job(uow: UnitOfWork, job_id: int) -> MigrationJob:
    job = uow.session.get(MigrationJob, job_id)
    if job is None:
        raise NotFoundError("指定された移行ジョブはありません。")
    return job


def _move_one(db: Database, actor: Actor, job_id: int, case_id: int) -> str | None:
    """Move one case in its own transaction; the refusal's message if it could not move."""
    try:
        with unit_of_work(db, actor) as uow:
            job = _job(uow, job_id)
            target = uow.session.get(ProcessDefinition, job.target_definition_id)
            assert target is not None
            migrate_case(uow, case_id, target, job_id=job_id)
    except DomainError as err:
        return str(err)
    return None


def run_migration_job(db: Database, actor: Actor, job_id: int) -> None:
    """The Celery job's body: move each case of the job, counting done and failed as it goes."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, PERMISSION)
        job = _job(uow, job_id)
        if job.status != "queued":
            return
        job.status = "running"
        case_ids = [int(c) for c in job.case_ids]
    for case_id in case_ids:
        error = _move_one(db, actor, job_id, case_id)
        with unit_of_work(db, actor) as uow:
            job = _job(uow, job_id)
            if error is None:
                job.done += 1
            else:
                job.failed += 1
                job.errors = {**job.errors, str(case_id): error}
    with unit_of_work(db, actor) as uow:
        job = _job(uow, job_id)
        job.status = "finished" if job.failed == 0 else "failed"
        job.finished_at = dt.datetime.now(dt.UTC)


def migration_progress(uow: UnitOfWork, job_id: int) -> dict[str, object]:
    """What the progress bar polls (every second while the job runs: counts only)."""
    require(uow.actor, PERMISSION)
    job = _job(uow, job_id)
    return {
        "id": job.id,
        "process_id": job.process_id,
        "total": job.total,
        "done": job.done,
        "failed": job.failed,
        "status": job.status,
        "status_label": label(job.status, "migration_job_status"),
        "errors": job.errors,
        "percent": int(100 * (job.done + job.failed) / job.total) if job.total else 100,
    }


def migrated_cases(uow: UnitOfWork, job_id: int) -> list[dict[str, object]]:
    """Each case the job moved, with whether its move was reverted (and by whom), for the job page (each
    revertible there).  Only these columns: a migration row also holds the case's whole saved state."""
    require(uow.actor, PERMISSION)
    _job(uow, job_id)
    rows = uow.session.execute(
        select(CaseMigration.case_id, Case.case_number, CaseMigration.reverted_at, CaseMigration.reverted_by)
        .join(Case, Case.id == CaseMigration.case_id)
        .where(CaseMigration.job_id == job_id)
        .order_by(CaseMigration.id)
    ).all()
    return [
        {"case_id": case_id, "case_number": number, "reverted": reverted_at is not None, "reverted_by": by}
        for case_id, number, reverted_at, by in rows
    ]


def revert_migration(uow: UnitOfWork, case_id: int) -> CaseMigration:
    """Put one migrated case back on its previous version and state, in the access log."""
    require(uow.actor, PERMISSION)
    migration = revert_case_migration(uow, case_id)
    case = uow.session.get(Case, case_id)
    assert case is not None
    versions = {
        d.id: d.version
        for d in uow.session.scalars(
            select(ProcessDefinition).where(
                ProcessDefinition.id.in_((migration.from_definition_id, migration.to_definition_id))
            )
        )
    }
    record_access(
        uow,
        "case_migration_reverted",
        "change",
        [str(a) for a in case.subject_atena_numbers or []],
        detail={
            "case_number": case.case_number,
            "process_id": case.process_id,
            "job_id": migration.job_id,
            "from_version": versions.get(migration.to_definition_id),
            "to_version": versions.get(migration.from_definition_id),
        },
    )
    return migration
