"""Celery tasks.  Each opens its own unit of work through the handlers; none holds a rule."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

from handlers.context import Actor
from handlers.db import Database
from handlers.outbox_delivery import deliver_destination as deliver_now
from handlers.outbox_dispatch import Dispatcher, install_dispatcher
from handlers.outbox_sweep import sweep_targets
from handlers.settings import Settings
from handlers.uow import unit_of_work
from worker.celery_app import celery_app

log = logging.getLogger(__name__)
_db: Database | None = None
_in_process_db: ContextVar[Database | None] = ContextVar("jumin_in_process_db", default=None)


def task_database() -> Database:
    """The database of an eager call's caller, else the configured one (with Celery delivery enabled)."""
    global _db
    override = _in_process_db.get()
    if override is not None:
        return override
    if _db is None:
        _db = Database.from_url(Settings.from_env().database_url)
        enable_delivery(_db)
    return _db


def dispatcher_for(db: Database) -> Dispatcher:
    """Queue one ``deliver_destinations`` for the destinations of a unit of work; in eager mode it runs at
    once against ``db`` itself."""

    def dispatch(tenant_id: int, destinations: list[str]) -> None:
        _eagerly_against(db, deliver_destinations, tenant_id, destinations)

    return dispatch


def enable_delivery(db: Database) -> None:
    """Notices committed through ``db`` are delivered by Celery (eagerly without a broker)."""
    install_dispatcher(db, dispatcher_for(db))


@celery_app.task(name="jumin.ping")
def ping(tenant_id: int) -> str:
    """Round-trip check used by readiness probes and tests: opens a scoped unit of work."""
    with unit_of_work(task_database(), Actor.system(tenant_id, "celery")):
        return "pong"


@celery_app.task(bind=True, name="jumin.outbox.deliver_destination", max_retries=None)
def deliver_destination(self: Any, tenant_id: int, destination: str) -> dict[str, Any]:
    """Deliver one destination's pending notices in order; a failure retries with backoff (with a broker;
    eagerly the failure is recorded and the next dispatch or sweep retries)."""
    run = deliver_now(task_database(), tenant_id, destination)
    if run.state == "more":
        deliver_destination.delay(tenant_id, destination)
    elif run.state == "retry" and not self.request.is_eager:
        raise self.retry(countdown=run.retry_in or 1.0)
    return {"destination": destination, "sent": run.sent, "state": run.state}


@celery_app.task(bind=True, name="jumin.outbox.deliver_destinations")
def deliver_destinations(self: Any, tenant_id: int, destinations: list[str]) -> list[dict[str, Any]]:
    """Deliver each destination as ``deliver_destination`` does, one after the other (one message for all
    the notices of a unit of work).  A destination with more left, or whose head failed (with a broker), goes
    on as its own ``deliver_destination``: only what failed is retried.  One that raises does not stop the
    others; the first error is raised at the end (the sweep picks its messages up, as before)."""
    done: list[dict[str, Any]] = []
    errors: list[Exception] = []
    for destination in destinations:
        try:
            run = deliver_now(task_database(), tenant_id, destination)
        except Exception as error:
            log.exception("delivery of %s/%s failed; the sweep will retry", tenant_id, destination)
            errors.append(error)
            continue
        if run.state == "more":
            deliver_destination.delay(tenant_id, destination)
        elif run.state == "retry" and not self.request.is_eager:
            deliver_destination.apply_async((tenant_id, destination), countdown=run.retry_in or 1.0)
        done.append({"destination": destination, "sent": run.sent, "state": run.state})
    if errors:
        raise errors[0]
    return done


@celery_app.task(name="jumin.outbox.sweep")
def sweep_outbox() -> int:
    """Beat: start a delivery of every destination with a due pending notice."""
    targets = sweep_targets(task_database())
    for tenant_id, destination in targets:
        deliver_destination.delay(tenant_id, destination)
    return len(targets)


@celery_app.task(name="jumin.outbox.near_realtime")
def deliver_near_realtime() -> int:
    """Beat, every five minutes: the 宛名連携 subscribers that chose near-real-time batches (j1190)."""
    targets = sweep_targets(task_database(), near_realtime=True)
    for tenant_id, destination in targets:
        deliver_destination.delay(tenant_id, destination)
    return len(targets)


@celery_app.task(name="jumin.platform.exchange")
def exchange_platform_files() -> dict[str, int]:
    """Beat, every two minutes: take the files the regional platform's business units dropped (j1170);
    what goes to them leaves through the outbox (its sweep and near-real-time runs)."""
    from handlers.other_systems.platform import exchange_all

    runs = exchange_all(task_database())
    outcomes = [f.status for run in runs for f in run.files]
    return {status: outcomes.count(status) for status in sorted(set(outcomes))}


@celery_app.task(name="jumin.wide_area.expire")
def expire_wide_area_requests() -> int:
    """Beat, every minute: 広域交付 requests past their answer time become 交付不能（回答なし） (j1210)."""
    from handlers.wide_area_sweep import expire_overdue_everywhere

    return expire_overdue_everywhere(task_database())


@celery_app.task(name="jumin.kiosk.drop_expired_answers")
def drop_expired_kiosk_answers() -> int:
    """Beat, every hour: the コンビニ交付 PDFs kept for retries past each municipality's retention are dropped
    (one run of the batch ``kiosk_answer_retention`` per municipality with any, j1210)."""
    from handlers.batches.retention_sweep import drop_expired_kiosk_answers_everywhere

    return len(drop_expired_kiosk_answers_everywhere(task_database()))


@celery_app.task(name="jumin.flows.migrate_running_cases")
def migrate_running_cases(job_id: int, tenant_id: int, login_id: str) -> None:
    """Move the cases of one migration job to its target version (progress in MigrationJob)."""
    from handlers.flow_migration import run_migration_job

    actor = Actor(tenant_id=tenant_id, login_id=login_id, roles=frozenset({"analyst"}))
    run_migration_job(task_database(), actor, job_id)


def queue_migration(db: Database, job_id: int, tenant_id: int, login_id: str) -> None:
    """Queue a migration job; without a broker it runs at once against the caller's ``db``."""
    _eagerly_against(db, migrate_running_cases, job_id, tenant_id, login_id)


def _eagerly_against(db: Database, task: Any, *args: Any) -> None:
    """Queue ``task``; without a broker it runs at once in this process against ``db``."""
    if not celery_app.conf.task_always_eager:
        task.delay(*args)
        return
    token = _in_process_db.set(db)
    try:
        task.delay(*args)
    finally:
        _in_process_db.reset(token)


@celery_app.task(name="jumin.extraction.run")
def run_extraction(tenant_id: int, job_id: int) -> int:
    """Run one extraction job (EUC / sampling, j1360 j1330) chunk by chunk; progress in ExtractionJob."""
    from handlers.extraction import run_extraction_job

    run_extraction_job(task_database(), tenant_id, job_id)
    return job_id


def queue_extraction(db: Database, tenant_id: int, job_id: int) -> None:
    _eagerly_against(db, run_extraction, tenant_id, job_id)


@celery_app.task(name="jumin.bulk_address.notices")
def make_bulk_address_notices(tenant_id: int, job_id: int) -> int:
    """Make the 事前・事後通知 of one 住所一括変更 (j1340): the PDF and the CSV list on the job row."""
    from handlers.csv_intake.bulk_notice_jobs import run_bulk_notice_job

    run_bulk_notice_job(task_database(), tenant_id, job_id)
    return job_id


def queue_bulk_notices(db: Database, tenant_id: int, job_id: int) -> None:
    _eagerly_against(db, make_bulk_address_notices, tenant_id, job_id)


@celery_app.task(name="jumin.batches.run_due")
def run_due_batches() -> int:
    """Beat, every minute: start every scheduled batch whose time has come (j1280)."""
    from handlers.batches.runner import run_due

    return len(run_due(task_database()))


@celery_app.task(name="jumin.batches.run")
def run_batch(tenant_id: int, batch_code: str, parameters: dict[str, Any], login_id: str) -> int:
    """Run one registered batch now (started from the batch page); the result is a BatchRun row."""
    from handlers.batches.runner import run_batch_now

    return run_batch_now(task_database(), tenant_id, batch_code, parameters, started_by=login_id).id


def queue_batch(
    db: Database, tenant_id: int, batch_code: str, parameters: dict[str, Any], login_id: str
) -> None:
    _eagerly_against(db, run_batch, tenant_id, batch_code, parameters, login_id)
