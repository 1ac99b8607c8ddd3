"""The Celery application.

Without ``CELERY_BROKER_URL`` tasks run eagerly in the calling process (the embedded default, no server).
With it (``redis://…`` or ``amqp://…``) real workers consume them: ``celery -A worker.celery_app worker``.
"""

from __future__ import annotations

import os

from celery import Celery

from handlers.settings import Settings

OUTBOX_SWEEP_SECONDS = 60.0  # pending notices whose dispatch was lost are picked up within a minute
NEAR_REALTIME_SECONDS = 300.0
BATCH_SCHEDULER_SECONDS = 60.0  # scheduled batches (BatchSchedule.next_run_at) start within a minute  # 宛名連携 near-real-time batches: at most every ten minutes (j1190)


def make_celery(settings: Settings | None = None) -> Celery:
    settings = settings or Settings.from_env()
    app = Celery("jumin", include=["worker.tasks"])
    if settings.celery_broker_url:
        app.conf.update(
            broker_url=settings.celery_broker_url,
            result_backend=None,
            task_acks_late=True,  # a task killed mid-run is redelivered; tasks are idempotent
            task_reject_on_worker_lost=True,
            worker_prefetch_multiplier=1,
            task_serializer="json",
            # an unacknowledged task of a killed worker is redelivered after this many seconds
            broker_transport_options={
                "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
            },
            accept_content=["json"],
        )
    else:
        app.conf.update(
            task_always_eager=True,
            task_eager_propagates=True,
            broker_url="memory://",
            result_backend="cache+memory://",
        )
    app.conf.timezone = "Asia/Tokyo"
    app.conf.beat_schedule = {  # ``celery -A worker.celery_app beat``
        "outbox-sweep": {"task": "jumin.outbox.sweep", "schedule": OUTBOX_SWEEP_SECONDS},
        "outbox-near-realtime": {"task": "jumin.outbox.near_realtime", "schedule": NEAR_REALTIME_SECONDS},
        # every BatchSchedule row (j1280) is checked each minute; its own next_run_at decides what runs
        "batches-run-due": {"task": "jumin.batches.run_due", "schedule": BATCH_SCHEDULER_SECONDS},
    }
    return app


celery_app = make_celery()
