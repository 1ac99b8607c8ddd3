"""コンビニ交付 (j1210): the certificate PDF kept for the center's retries is dropped after the municipality's
retention (``kiosk_answer_retention_hours``, 1 hour to 30 days) by a batch that keeps the request's record and
logs each run; a retry afterwards is answered 410 ``answer_expired`` and nothing is issued twice."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.batches import run_batch_now
from handlers.batches.retention_sweep import drop_expired_kiosk_answers_everywhere
from handlers.db import Database
from handlers.errors import ValidationError
from handlers.kiosk.retention import RETENTION_KEY
from handlers.tenants import effective_settings, update_settings, value_problems
from handlers.uow import unit_of_work
from tests import factories
from tests.kiosk.conftest import Send, kiosk_body
from tests.kiosk.test_kiosk_issuance import issuances, logged
from worker.celery_app import celery_app

pytestmark = pytest.mark.req("j1210")
PDF = b"%PDF-1.7 another municipality's copy"


def kiosk_row(session: Session, request_id: str) -> models.KioskRequest:
    session.expire_all()
    return session.scalars(
        select(models.KioskRequest).where(models.KioskRequest.request_id == request_id)
    ).one()


def age(session: Session, request_id: str, hours: float) -> None:
    """The request as if it had been answered ``hours`` ago."""
    row = kiosk_row(session, request_id)
    row.received_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours)
    session.flush()


def issued_elsewhere(session: Session, city: models.Municipality, hours: float) -> models.KioskRequest:
    """Another municipality's issued answer with its PDF, answered ``hours`` ago."""
    row = models.KioskRequest(
        tenant_id=city.id, request_id="KC-B-00000001", fingerprint="0" * 64,
        received_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours), received_by="center",
        resident_code="12345678901", card_serial="0A1B", terminal_code="T-1", terminal_name="店舗",
        document="residence_copy", outcome="issued", answer={"outcome": "issued"}, issue_numbers=["B-1"], pages=1,
        pdf=PDF,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def test_the_batch_drops_only_this_municipalitys_old_pdfs_keeps_the_rows_and_logs_the_run(
    send: Send, family: list[models.Resident], db: Database, setup_session: Session,
    kiosk_city: models.Municipality, city_b: models.Municipality,
) -> None:  # fmt: skip
    old, recent = kiosk_body(family[0]), kiosk_body(family[0])
    old_answer = send(old).get_json()
    assert send(recent).status_code == 201
    age(setup_session, old["request_id"], 25)  # past the default of 24 hours
    other = issued_elsewhere(setup_session, city_b, 24 * 40)

    run = run_batch_now(db, kiosk_city.id, "kiosk_answer_retention", {}, started_by="test")

    assert run.status == "succeeded" and "消去 1 件" in (run.output or "")
    dropped = kiosk_row(setup_session, old["request_id"])
    assert dropped.pdf is None and dropped.outcome == "issued" and dropped.pages >= 1
    assert dropped.issue_numbers == old_answer["issue_numbers"] and dropped.answer["fee"] == old_answer["fee"]
    assert kiosk_row(setup_session, recent["request_id"]).pdf is not None
    setup_session.refresh(other)
    assert other.pdf == PDF  # another municipality's answers are its own business
    rows = logged(setup_session, "kiosk_answer_pdfs_dropped")
    assert [(r.tenant_id, r.action, r.detail["dropped"], r.detail["retention_hours"]) for r in rows] == [
        (kiosk_city.id, "batch", 1, 24)
    ]


def test_a_retry_after_the_pdf_was_dropped_gets_410_and_nothing_is_issued_twice(
    send: Send, family: list[models.Resident], db: Database, setup_session: Session,
    kiosk_city: models.Municipality,
) -> None:  # fmt: skip
    body = kiosk_body(family[0])
    first = send(body).get_json()
    age(setup_session, body["request_id"], 48)
    run_batch_now(db, kiosk_city.id, "kiosk_answer_retention", {}, started_by="test")
    copies = len(issuances(setup_session))

    again = send(body)

    answer = again.get_json()
    assert again.status_code == 410 and "Idempotent-Replayed" not in again.headers
    assert answer["error"] == "answer_expired" and "pdf" not in answer
    assert "交付済み" in answer["message"] and "再利用できません" in answer["message"]
    assert answer["request_id"] == body["request_id"] and answer["issue_numbers"] == first["issue_numbers"]
    assert len(issuances(setup_session)) == copies
    assert logged(setup_session, "kiosk_answer_resent") == []
    refused = logged(setup_session, "kiosk_retry_refused")
    assert [(r.detail["request_id"], r.detail["reason"]) for r in refused] == [
        (body["request_id"], "answer_expired")
    ]
    assert send({**body, "scope": "household"}).status_code == 409  # another request under the id: as before


def test_the_hourly_sweep_runs_the_batch_only_where_a_pdf_is_past_that_municipalitys_own_retention(
    send: Send, family: list[models.Resident], db: Database, setup_session: Session,
    kiosk_city: models.Municipality, city_b: models.Municipality,
) -> None:  # fmt: skip
    kiosk_city.settings = {**(kiosk_city.settings or {}), RETENTION_KEY: 1}
    setup_session.flush()
    body = kiosk_body(family[0])
    assert send(body).status_code == 201
    age(setup_session, body["request_id"], 2)
    other = issued_elsewhere(setup_session, city_b, 2)  # within city B's default 24 hours

    runs = drop_expired_kiosk_answers_everywhere(db)

    assert [(r.tenant_id, r.batch_code, r.trigger) for r in runs] == [
        (kiosk_city.id, "kiosk_answer_retention", "schedule")
    ]
    assert kiosk_row(setup_session, body["request_id"]).pdf is None
    setup_session.refresh(other)
    assert other.pdf == PDF
    assert drop_expired_kiosk_answers_everywhere(db) == []  # nothing left to drop: no run, no log row
    beat = celery_app.conf.beat_schedule["kiosk-answer-retention"]
    assert beat["task"] == "jumin.kiosk.drop_expired_answers" and beat["schedule"] == 3600.0
    assert "jumin.kiosk.drop_expired_answers" in celery_app.tasks


@pytest.mark.parametrize(("hours", "accepted"), [(0, False), (1, True), (24, True), (720, True), (721, False),
                                                 ("一日", False), (True, False)])  # fmt: skip
def test_the_retention_is_a_whole_number_of_hours_from_1_to_720(hours: object, accepted: bool) -> None:
    problems = value_problems("general", {RETENTION_KEY: hours})
    assert (problems == []) is accepted
    assert all(p.code == "range" and "1から720までの整数ではありません" in p.reason for p in problems)


def test_the_administrator_sets_the_retention_and_an_out_of_range_value_changes_nothing(
    db: Database, users_a: dict[str, models.User], city_a: models.Municipality
) -> None:
    actor = factories.actor_for(users_a["administrator"])
    with unit_of_work(db, actor) as uow:
        assert update_settings(uow, {RETENTION_KEY: 72})[RETENTION_KEY] == 72
    with pytest.raises(ValidationError), unit_of_work(db, actor) as uow:
        update_settings(uow, {RETENTION_KEY: 24 * 31})
    with unit_of_work(db, actor) as uow:
        found = uow.session.get(models.Municipality, city_a.id)
        assert found is not None and effective_settings(found)[RETENTION_KEY] == 72
