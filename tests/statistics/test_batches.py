"""Batches (j1280): schedule computation, run log, remembered parameters, failure alert; 経過滞在者 (j1350)."""

from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace

import pytest

from handlers.batches import (
    BATCHES,
    failed_runs,
    next_run,
    registry,
    run_batch_now,
    run_due,
    save_schedule,
    transitional_stay_alert,
)
from handlers.batches.schedule import JST
from handlers.uow import unit_of_work
from models import BatchRun

pytestmark = pytest.mark.req("j1280")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=JST)


SCHEDULE_CASES = [
    ("daily", {}, "2025-01-31T01:00", "2025-01-31T02:00"),
    ("daily", {}, "2025-01-31T02:00", "2025-02-01T02:00"),
    ("weekly", {"weekday": 0}, "2025-01-31T10:00", "2025-02-03T02:00"),  # Friday → Monday
    ("monthly", {"day_of_month": 31}, "2025-02-01T00:00", "2025-02-28T02:00"),  # clipped to February's end
    ("monthly", {"day_of_month": 15}, "2025-01-15T03:00", "2025-02-15T02:00"),
    ("month_end", {}, "2024-02-10T00:00", "2024-02-29T02:00"),  # leap year
    ("month_end", {}, "2025-12-31T02:30", "2026-01-31T02:00"),
    ("once", {"once_on": dt.date(2025, 3, 1)}, "2025-01-01T00:00", "2025-03-01T02:00"),
    ("once", {"once_on": dt.date(2025, 3, 1)}, "2025-03-02T00:00", None),
    ("none", {}, "2025-01-01T00:00", None),
]


@pytest.mark.parametrize(("frequency", "options", "after", "expected"), SCHEDULE_CASES)
def test_next_run_of_each_frequency(frequency, options, after, expected):
    got = next_run(frequency, "02:00", at(after), **options)
    assert got == (at(expected) if expected else None)


def test_a_run_is_logged_and_its_parameters_remembered_with_the_edited_ones_named(db, supervisor_a):
    first = run_batch_now(db, supervisor_a.tenant_id, "archive_removed", {}, started_by="supervisor")
    assert first.status == "succeeded" and "移行 0 件" in first.output and first.changed_parameters == []
    second = run_batch_now(
        db, supervisor_a.tenant_id, "archive_removed", {"batch_size": 50}, started_by="supervisor"
    )
    assert second.parameters["batch_size"] == 50 and second.changed_parameters == ["batch_size"]
    third = run_batch_now(db, supervisor_a.tenant_id, "archive_removed", {}, started_by="supervisor")
    assert third.parameters["batch_size"] == 50 and third.changed_parameters == []  # last parameters reused
    assert third.finished_at is not None and third.terminal


def test_a_failing_batch_is_logged_at_error_and_shown_as_a_failure(db, supervisor_a, monkeypatch, caplog):
    def explode(uow, params, today):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setitem(BATCHES, "archive_removed", registry.BatchDefinition("archive_removed", "x", explode))
    with caplog.at_level(logging.ERROR, logger="jumin.batches"):
        run = run_batch_now(db, supervisor_a.tenant_id, "archive_removed", {}, started_by="supervisor")
    assert run.status == "failed" and "disk full" in (run.error or "")
    assert any(r.levelno == logging.ERROR and "archive_removed" in r.getMessage() for r in caplog.records)
    with unit_of_work(db, supervisor_a) as uow:
        assert [r.id for r in failed_runs(uow)] == [run.id]


def test_due_schedules_run_and_move_to_their_next_time(db, supervisor_a):
    with unit_of_work(db, supervisor_a) as uow:
        save_schedule(
            uow, "statistics_snapshot", frequency="month_end", run_at="02:00", now=at("2025-01-10T00:00")
        )
    assert run_due(db, now=at("2025-01-30T00:00")) == []
    runs = run_due(db, now=at("2025-01-31T02:01"))
    assert [(r.batch_code, r.trigger, r.status) for r in runs] == [
        ("statistics_snapshot", "schedule", "succeeded")
    ]
    assert runs[0].result and runs[0].result_name and runs[0].result_name.endswith(".xlsx")
    with unit_of_work(db, supervisor_a) as uow:
        from sqlalchemy import select

        from models import BatchSchedule

        schedule = uow.session.scalars(select(BatchSchedule)).one()
        assert schedule.next_run_at is not None
        stored = schedule.next_run_at.replace(tzinfo=schedule.next_run_at.tzinfo or dt.UTC)
        assert stored == at("2025-02-28T02:00")
        assert uow.session.query(BatchRun).count() == 1


@pytest.mark.req("j1350")
def test_transitional_stay_gives_an_alert_on_the_record_after_60_days_and_the_batch_only_counts(
    db, supervisor_a
):
    person = SimpleNamespace(foreign_category="transitional_birth", foreign_resident_date=dt.date(2025, 1, 1))
    assert transitional_stay_alert(person, dt.date(2025, 3, 1)) is None  # type: ignore[arg-type]  # 59 days
    alert = transitional_stay_alert(person, dt.date(2025, 3, 3))  # type: ignore[arg-type]
    assert alert is not None and alert.level == "alert"
    run = run_batch_now(db, supervisor_a.tenant_id, "transitional_watch", {}, started_by="supervisor")
    assert run.status == "succeeded" and "0 人" in run.output and "\n" not in run.output
