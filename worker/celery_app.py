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
PLATFORM_EXCHANGE_SECONDS = (
    120.0  # files from the regional platform's units are taken every two minutes (j1170)
)
WIDE_AREA_SWEEP_SECONDS = 60.0  # 広域交付 requests past their answer time are closed within a minute (j1210)
# コンビニ交付 PDFs kept for retries are dropped within an hour of their municipality's retention (j1210)
KIOSK_RETENTION_SECONDS = 3600.0
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
    app.conf.task_default_queue = os.environ.get("CELERY_QUEUE", "celery")  # one queue per deployment
    app.conf.beat_schedule = {  # ``celery -A worker.celery_app beat``
        "outbox-sweep": {"task": "jumin.outbox.sweep", "schedule": OUTBOX_SWEEP_SECONDS},
        "outbox-near-realtime": {"task": "jumin.outbox.near_realtime", "schedule": NEAR_REALTIME_SECONDS},
        # every BatchSchedule row (j1280) is checked each minute; its own next_run_at decides what runs
        "batches-run-due": {"task": "jumin.batches.run_due", "schedule": BATCH_SCHEDULER_SECONDS},
        "platform-exchange": {"task": "jumin.platform.exchange", "schedule": PLATFORM_EXCHANGE_SECONDS},
        "wide-area-expire": {"task": "jumin.wide_area.expire", "schedule": WIDE_AREA_SWEEP_SECONDS},
        "kiosk-answer-retention": {
            "task": "jumin.kiosk.drop_expired_answers",
            "schedule": KIOSK_RETENTION_SECONDS,
        },
    }
    return app


celery_app = make_celery()


def _install_request_id_propagation() -> None:
    """The web request's id travels in each task's headers and is logged by the worker (handlers.observability)."""
    import logging

    from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun

    from handlers.observability import (
        CELERY_HEADER,
        accept_request_id,
        configure_logging,
        current_request_id,
        set_request_id,
    )

    log = logging.getLogger("jumin.worker")

    @before_task_publish.connect(weak=False)
    def _carry(headers: dict[str, object] | None = None, **_: object) -> None:
        request_id = current_request_id()
        if request_id and headers is not None:
            headers.setdefault(CELERY_HEADER, request_id)

    @task_prerun.connect(weak=False)
    def _adopt(task: object = None, **_: object) -> None:
        request = getattr(task, "request", None)
        if request is None or getattr(request, "is_eager", False):
            return  # eager: the caller's id is already current
        carried = getattr(request, CELERY_HEADER, None) or (getattr(request, "headers", None) or {}).get(
            CELERY_HEADER
        )
        set_request_id(accept_request_id(carried))
        log.info("task %s started", getattr(task, "name", "?"), extra={"task_id": request.id})

    @task_postrun.connect(weak=False)
    def _forget(task: object = None, **_: object) -> None:
        if not getattr(getattr(task, "request", None), "is_eager", False):
            set_request_id(None)

    @setup_logging.connect(weak=False)  # connected: Celery leaves logging to us (LOG_FORMAT)
    def _json_logs(**_: object) -> None:
        configure_logging()


_install_request_id_propagation()
