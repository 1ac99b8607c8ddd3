"""Running batches (j1280): now or when due, each run logged as a BatchRun (parameters, which of them were
edited since last time, start and end, output, error), the last parameters remembered on the BatchSchedule,
and a failure logged at ERROR level (``jumin.batches`` logger, for external monitoring) and shown on the
dashboard.  Bookkeeping and the batch body are separate short transactions: a failing body leaves its run
row marked failed, never half-done work.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import traceback
from typing import Any

from sqlalchemy import select

from handlers.batches.registry import BATCHES, run_body
from handlers.batches.schedule import FREQUENCIES, next_run
from handlers.clock import JST, japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import DomainError, NotFoundError, Problem, ValidationError
from handlers.permissions import require
from handlers.rules.instants import as_utc
from handlers.staff_names import staff_names
from handlers.uow import UnitOfWork, unit_of_work
from models.reporting import BatchRun, BatchSchedule

log = logging.getLogger("jumin.batches")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _schedule(uow: UnitOfWork, code: str) -> BatchSchedule:
    found = uow.session.scalars(select(BatchSchedule).where(BatchSchedule.batch_code == code)).one_or_none()
    if found is None:
        found = BatchSchedule(batch_code=code, frequency="none", parameters=dict(BATCHES[code].defaults))
        uow.session.add(found)
        uow.session.flush()
    return found


def _start(
    db: Database, tenant_id: int, code: str, params: dict[str, Any], started_by: str, trigger: str
) -> tuple[int, dict[str, Any]]:
    with unit_of_work(db, Actor.system(tenant_id, f"batch:{code}")) as uow:
        schedule = _schedule(uow, code)
        merged = {**BATCHES[code].defaults, **schedule.parameters, **params}
        changed = sorted(
            k
            for k in merged
            if str(merged[k]) != str(schedule.parameters.get(k, BATCHES[code].defaults.get(k)))
        )
        schedule.parameters = merged
        run = BatchRun(batch_code=code, trigger=trigger, parameters=merged, changed_parameters=changed, status="running",
                       started_at=_now(), started_by=started_by, terminal=socket.gethostname())  # fmt: skip
        uow.session.add(run)
        uow.session.flush()
        return run.id, merged


def _close(db: Database, tenant_id: int, run_id: int, **values: Any) -> BatchRun:
    with unit_of_work(db, Actor.system(tenant_id, "batch")) as uow:
        run = uow.session.get(BatchRun, run_id)
        assert run is not None
        for key, value in values.items():
            setattr(run, key, value)
        run.finished_at = _now()
        uow.session.flush()
        return run


def run_batch_now(
    db: Database, tenant_id: int, code: str, params: dict[str, Any], *, started_by: str, trigger: str = "manual",
    today: dt.date | None = None,
) -> BatchRun:  # fmt: skip
    """Run one batch to the end and return its log row (status succeeded or failed; never raises for the body)."""
    if code not in BATCHES:
        raise NotFoundError(f"バッチ「{code}」は登録されていません。")
    run_id, merged = _start(db, tenant_id, code, params, started_by, trigger)
    try:
        outcome = run_body(db, tenant_id, code, merged, today or japan_today())
    except Exception as err:
        log.error("batch %s failed for tenant %s (run %s): %s", code, tenant_id, run_id, err, exc_info=True)
        return _close(
            db, tenant_id, run_id, status="failed", error=traceback.format_exc(), output=failure_output(err)
        )
    return _close(db, tenant_id, run_id, status="succeeded", output=outcome.output, result=outcome.result,
                  result_name=outcome.result_name)  # fmt: skip


def failure_output(err: Exception) -> str:
    """The short line a failed run shows in lists and on the dashboard: our own errors say what is wrong in
    Japanese; any other (a lost connection, a full disk, a defect) may be English, so the line names only its
    kind and points to the run's page, whose error log keeps the whole traceback."""
    if isinstance(err, DomainError):
        return f"異常終了：{err}"
    return f"異常終了：予期しないエラーが発生しました（{type(err).__name__}）。詳細は実行ログのエラー内容を確認してください。"


def _schedule_problems(
    frequency: str, run_at: str, weekday: int | None, day: int | None, once_on: dt.date | None
) -> list[Problem]:
    problems = []
    if frequency not in FREQUENCIES:
        problems.append(
            Problem("frequency", "実行間隔", "選べる値ではありません", "一覧から選んでください", "choice")
        )
    try:
        hour, minute = (int(x) for x in run_at.split(":"))
        assert 0 <= hour < 24 and 0 <= minute < 60
    except (ValueError, AssertionError):
        problems.append(
            Problem("run_at", "実行時刻", "時刻ではありません", "HH:MM で入力してください", "time")
        )
    if frequency == "weekly" and weekday not in range(7):
        problems.append(Problem("weekday", "曜日", "指定されていません", "曜日を選んでください", "required"))
    if frequency == "monthly" and day not in range(1, 32):
        problems.append(
            Problem("day_of_month", "日", "1から31ではありません", "日付を入力してください", "range")
        )
    if frequency == "once" and once_on is None:
        problems.append(
            Problem("once_on", "実行日", "指定されていません", "実行日を入力してください", "required")
        )
    return problems


def save_schedule(
    uow: UnitOfWork, code: str, *, frequency: str, run_at: str = "02:00", weekday: int | None = None,
    day_of_month: int | None = None, once_on: dt.date | None = None, parameters: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> BatchSchedule:  # fmt: skip
    require(uow.actor, "batch.run")
    if code not in BATCHES:
        raise NotFoundError(f"バッチ「{code}」は登録されていません。")
    if problems := _schedule_problems(frequency, run_at, weekday, day_of_month, once_on):
        raise ValidationError(problems)
    upcoming = next_run(
        frequency, run_at, now or _now(), once_on=once_on, weekday=weekday, day_of_month=day_of_month
    )
    if frequency == "once" and upcoming is None:  # it would be saved and never run
        raise ValidationError([Problem("once_on", "実行日", "実行日時が過ぎています", "これからの日時を指定してください", "past")])  # fmt: skip
    schedule = _schedule(uow, code)
    schedule.frequency, schedule.run_at, schedule.weekday = frequency, run_at, weekday
    schedule.day_of_month, schedule.once_on, schedule.updated_by = day_of_month, once_on, uow.actor.login_id
    if parameters is not None:
        schedule.parameters = {**BATCHES[code].defaults, **parameters}
    schedule.next_run_at = _utc(upcoming)
    return schedule


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """Stored in UTC (SQLite keeps no zone)."""
    return moment.astimezone(dt.UTC) if moment is not None else None


def run_due(db: Database, now: dt.datetime | None = None) -> list[BatchRun]:
    """Every municipality's schedules whose time has come: run each, then set its next time (Celery beat calls
    this every minute; ``jumin batch run-due`` does it in the embedded default)."""
    moment = now or _now()
    with unit_of_work(db, Actor.system(0, "batch:scheduler"), cross_tenant=True) as uow:
        due = [(s.tenant_id, s.id, s.batch_code) for s in uow.session.scalars(
            select(BatchSchedule).where(BatchSchedule.next_run_at.is_not(None)).order_by(BatchSchedule.id))
            if as_utc(s.next_run_at) <= moment]  # type: ignore[arg-type]  # fmt: skip
    runs = []
    for tenant_id, schedule_id, code in due:
        runs.append(run_batch_now(db, tenant_id, code, {}, started_by="scheduler", trigger="schedule",
                                  today=moment.astimezone(JST).date()))  # fmt: skip
        with unit_of_work(db, Actor.system(tenant_id, "batch:scheduler")) as uow:
            s = uow.session.get(BatchSchedule, schedule_id)
            assert s is not None
            s.next_run_at = _utc(next_run(s.frequency, s.run_at, moment, once_on=s.once_on, weekday=s.weekday,
                                     day_of_month=s.day_of_month))  # fmt: skip
    return runs


def batch_overview(uow: UnitOfWork, limit: int = 30) -> dict[str, Any]:
    """The registry with each batch's schedule and last parameters, the recent runs and the failures."""
    require(uow.actor, "batch.run")
    schedules = {s.batch_code: s for s in uow.session.scalars(select(BatchSchedule))}
    runs = list(uow.session.scalars(select(BatchRun).order_by(BatchRun.id.desc()).limit(limit)))
    staff = staff_names(uow, (run.started_by for run in runs))
    return {
        "batches": BATCHES,
        "schedules": schedules,
        "runs": runs,
        "failures": failed_runs(uow),
        "staff": staff,
    }


def failed_runs(uow: UnitOfWork, days: int = 7) -> list[BatchRun]:
    """Failures of the last ``days`` days (the dashboard's alert)."""
    since = _now() - dt.timedelta(days=days)
    return list(uow.session.scalars(
        select(BatchRun).where(BatchRun.status == "failed", BatchRun.started_at >= since).order_by(BatchRun.id.desc())))  # fmt: skip


def batch_run(uow: UnitOfWork, run_id: int) -> BatchRun:
    require(uow.actor, "batch.run")
    run = uow.session.get(BatchRun, run_id)
    if run is None:
        raise NotFoundError(f"バッチ実行 {run_id} はありません。")
    return run
