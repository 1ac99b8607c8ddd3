"""The hourly retention sweep (Celery beat ``jumin.kiosk.drop_expired_answers``): every municipality holding a
コンビニ交付 PDF older than its own retention gets one run of the batch ``kiosk_answer_retention``, logged as any
scheduled run (BatchRun, trigger ``schedule``, shown on the batch page) and in its access log.  The rule does
not wait for a municipality to schedule the batch: a copy of a 住民票 must not stay because nobody did."""

from __future__ import annotations

import datetime as dt

from handlers.batches.registry import KIOSK_RETENTION
from handlers.batches.runner import run_batch_now
from handlers.clock import JST
from handlers.context import Actor
from handlers.db import Database
from handlers.kiosk.retention import tenants_with_expired_answers
from handlers.uow import unit_of_work
from models.reporting import BatchRun

SWEEPER = "batch:kiosk-retention-sweep"


def drop_expired_kiosk_answers_everywhere(db: Database, now: dt.datetime | None = None) -> list[BatchRun]:
    """One run of the retention batch for each municipality with a PDF past its retention; their log rows."""
    moment = now or dt.datetime.now(dt.UTC)
    with unit_of_work(db, Actor.system(0, SWEEPER), cross_tenant=True) as uow:
        due = tenants_with_expired_answers(uow, moment)
    return [
        run_batch_now(db, tenant_id, KIOSK_RETENTION, {}, started_by="scheduler", trigger="schedule",
                      today=moment.astimezone(JST).date())
        for tenant_id in due
    ]  # fmt: skip
