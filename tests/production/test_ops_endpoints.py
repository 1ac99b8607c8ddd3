"""Health, readiness and Prometheus metrics: public probes that say nothing, a guarded scrape with aggregates."""

from __future__ import annotations

import json
import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

import models
from handlers.observability import JsonFormatter, RequestIdFilter, current_request_id, set_request_id
from handlers.ops_metrics import read_ops_snapshot


def test_healthz_and_readyz_answer_without_signing_in(client: FlaskClient) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ready", "checks": {"database": True}}


def test_readyz_reports_an_unreachable_broker(app: Flask, client: FlaskClient) -> None:
    app.config["CELERY_BROKER_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["checks"] == {"database": True, "broker": False}


def test_metrics_need_the_token_when_one_is_set(app: Flask, client: FlaskClient) -> None:
    app.config["METRICS_TOKEN"] = "s3cret"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_metrics_without_a_token_only_answer_the_loopback(app: Flask, client: FlaskClient) -> None:
    app.config["METRICS_TOKEN"] = None
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1
    far = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert far.status_code == 403


def _seed_queue(setup_session: Session, city: models.Municipality) -> None:
    from tests.factories import make_household_row  # noqa: F401  (keeps the factories' imports warm)

    definition = models.ProcessDefinition(
        tenant_id=city.id, process_id="move_in", version=1, bpmn_xml="<x/>", sha256="0" * 64, author="t"
    )
    setup_session.add(definition)
    setup_session.flush()
    import datetime as dt

    case = models.Case(
        tenant_id=city.id,
        case_number="R1-0001",
        process_id="move_in",
        definition_id=definition.id,
        status="running",
        created_by="t",
        due_date=dt.date(2020, 1, 1),
        subject_atena_numbers=["0000000019"],
    )
    setup_session.add(case)
    setup_session.flush()
    for n, role in enumerate(("clerk", "clerk", "supervisor")):
        setup_session.add(
            models.CaseTask(
                tenant_id=city.id,
                case_id=case.id,
                task_uuid=f"00000000-0000-0000-0000-00000000000{n}",
                bpmn_id="review",
                name="審査",
                role=role,
                state="ready",
            )
        )
    setup_session.add(
        models.OutboxMessage(
            tenant_id=city.id,
            case_id=case.id,
            destination="cs",
            kind="identity_change",
            payload={},
            idempotency_key="R1-0001:1",
            seq=1,
            status="dead",
        )
    )
    setup_session.flush()


def test_metrics_show_queues_outbox_and_overdue_cases_as_aggregates(
    app: Flask, client: FlaskClient, setup_session: Session, city_a: models.Municipality
) -> None:
    _seed_queue(setup_session, city_a)
    app.config["METRICS_TOKEN"] = None
    client.get("/healthz")  # one observed request
    body = client.get("/metrics").get_data(as_text=True)
    assert 'jumin_open_case_tasks{role="clerk"} 2.0' in body
    assert 'jumin_open_case_tasks{role="supervisor"} 1.0' in body
    assert "jumin_oldest_open_case_task_age_seconds" in body
    assert "jumin_outbox_dead_letters 1.0" in body
    assert "jumin_outbox_lag_seconds 0.0" in body
    assert "jumin_overdue_cases 1.0" in body
    assert (
        'jumin_http_request_duration_seconds_count{endpoint="ops.healthz",method="GET",status="200"}' in body
    )
    assert "R1-0001" not in body and "0000000019" not in body and "横浜" not in body


def test_the_snapshot_is_read_across_tenants(
    db, setup_session: Session, city_a: models.Municipality, city_b: models.Municipality
) -> None:
    _seed_queue(setup_session, city_a)
    _seed_queue(setup_session, city_b)
    snap = read_ops_snapshot(db)
    assert snap.open_tasks == {"clerk": 4, "supervisor": 2}
    assert snap.overdue_cases == 2 and snap.outbox_dead_letters == 2


def test_each_response_carries_the_request_id_given_or_made(client: FlaskClient) -> None:
    given = client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert given.headers["X-Request-Id"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-Id": "bad id <script>"})
    assert made.headers["X-Request-Id"] != "bad id <script>" and len(made.headers["X-Request-Id"]) == 32


def test_json_log_lines_carry_the_request_id_and_extras() -> None:
    record = logging.LogRecord("jumin.web", logging.INFO, __file__, 1, "GET %s", ("/healthz",), None)
    record.duration_ms = 1.5
    set_request_id("req-42")
    try:
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        set_request_id(None)
    assert line["message"] == "GET /healthz" and line["request_id"] == "req-42"
    assert line["level"] == "INFO" and line["duration_ms"] == 1.5
    assert current_request_id() is None


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_reveal_no_data(client: FlaskClient, path: str) -> None:
    body = client.get(path).get_data(as_text=True)
    assert "tenant" not in body and "resident" not in body
