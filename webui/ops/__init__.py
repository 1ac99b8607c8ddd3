"""Operations doors: /healthz, /readyz, /metrics, and the per-request id, latency and access line.

/healthz and /readyz are public and say nothing but up/ready.  /metrics needs ``Authorization: Bearer
$METRICS_TOKEN`` when METRICS_TOKEN is set; without it, only a scraper on the loopback may read it (bind the
app to a private interface, or set the token).  Under gunicorn, set PROMETHEUS_MULTIPROC_DIR so the workers'
histograms are summed (deploy/gunicorn.conf.py clears the files of dead workers).
"""

from __future__ import annotations

import hmac
import logging
import os
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, jsonify, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)

from handlers import ops_metrics
from handlers.observability import REQUEST_ID_HEADER, accept_request_id, configure_logging, set_request_id
from webui.ops.collector import OpsCollector
from webui.uow import current_db

bp = Blueprint("ops", __name__)
log = logging.getLogger("jumin.web")
LOOPBACK = {"127.0.0.1", "::1"}

REQUEST_SECONDS = Histogram(
    "jumin_http_request_duration_seconds",
    "Time to answer an HTTP request, by endpoint and method",
    ["endpoint", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0),
)


@bp.route("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


@bp.route("/readyz")
def readyz() -> tuple[Response, int]:
    checks = {"database": ops_metrics.database_answers(current_db())}
    broker = current_app.config.get("CELERY_BROKER_URL")
    if broker:
        checks["broker"] = ops_metrics.broker_answers(broker)
    ready = all(checks.values())
    return jsonify({"status": "ready" if ready else "not_ready", "checks": checks}), 200 if ready else 503


@bp.route("/metrics")
def metrics() -> Response:
    _guard_metrics()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    ops = CollectorRegistry()
    ops.register(OpsCollector(current_db()))
    return Response(generate_latest(registry) + generate_latest(ops), mimetype=CONTENT_TYPE_LATEST)


def _guard_metrics() -> None:
    token = current_app.config.get("METRICS_TOKEN") or os.environ.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), str(token).encode()):
            abort(403)
    elif request.remote_addr not in LOOPBACK:
        abort(403)


def _start_request() -> None:
    g.request_started = time.perf_counter()
    g.request_id = accept_request_id(request.headers.get(REQUEST_ID_HEADER))
    set_request_id(g.request_id)


def _finish_request(response: Response) -> Response:
    started = g.pop("request_started", None)
    if started is not None:
        elapsed = time.perf_counter() - started
        endpoint = request.endpoint or "unmatched"
        REQUEST_SECONDS.labels(endpoint, request.method, str(response.status_code)).observe(elapsed)
        log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "endpoint": endpoint,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
            },
        )
    if "request_id" in g:
        response.headers[REQUEST_ID_HEADER] = g.request_id
    return response


def _forget_request(_exc: BaseException | None) -> None:
    set_request_id(None)


def init_app(app: Flask) -> None:
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.teardown_request(_forget_request)
    app.config.setdefault("METRICS_TOKEN", os.environ.get("METRICS_TOKEN"))
    if not app.testing:
        configure_logging()
