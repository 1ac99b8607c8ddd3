"""Batch pages (j1280): the registry with schedules and last parameters, a schedule saved (month-end), run now
with edited parameters highlighted, the run log with output and error; batch.run only; city B cannot see
city A's run."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from handlers.batches import registry as batch_registry
from handlers.errors import ConflictError
from models import BatchRun, BatchSchedule
from tests.web.conftest import login_as

pytestmark = pytest.mark.req("j1280")


def test_the_list_shows_every_batch_with_its_schedule(sign_in, users_a):
    body = sign_in(users_a["supervisor"]).get("/batches").get_data(as_text=True)
    for definition in batch_registry.BATCHES.values():
        assert definition.label in body
    assert "スケジュールなし（直接起動のみ）" in body and "一度に移行する件数：1000" in body


def test_a_month_end_schedule_is_saved_and_shown(sign_in, users_a, setup_session):
    client = sign_in(users_a["supervisor"])
    saved = client.post(
        "/batches/statistics_snapshot/schedule", data={"frequency": "month_end", "run_at": "23:30"}
    )
    assert saved.status_code == 302
    schedule = setup_session.scalars(
        select(BatchSchedule).where(BatchSchedule.batch_code == "statistics_snapshot")
    ).one()
    assert (schedule.frequency, schedule.run_at) == (
        "month_end",
        "23:30",
    ) and schedule.next_run_at is not None
    body = client.get("/batches").get_data(as_text=True)
    assert "毎月末 23:30" in body


def test_a_wrong_time_is_refused_in_japanese(sign_in, users_a):
    page = sign_in(users_a["supervisor"]).post("/batches/archive_removed/schedule",
                                               data={"frequency": "daily", "run_at": "25:99"})  # fmt: skip
    assert (
        page.status_code == 200
        and "実行時刻" in page.get_data(as_text=True)
        and "HH:MM" in page.get_data(as_text=True)
    )


def test_a_one_time_schedule_in_the_past_is_refused_instead_of_saved_to_never_run(
    sign_in, users_a, setup_session
):
    page = sign_in(users_a["supervisor"]).post("/batches/archive_removed/schedule",
                                               data={"frequency": "once", "run_at": "02:00", "once_on": "令和2年1月1日"})  # fmt: skip
    body = page.get_data(as_text=True)
    assert "スケジュールを保存できませんでした" in body and "実行日時が過ぎています" in body
    assert setup_session.scalars(select(BatchSchedule)).all() == []


def test_run_now_logs_the_run_and_highlights_the_edited_parameter(sign_in, users_a, setup_session):
    client = sign_in(users_a["supervisor"])
    started = client.post("/batches/archive_removed/run", data={"parameters-batch_size": "50"})
    assert started.status_code == 302 and started.location.endswith("/batches/archive_removed")
    run = setup_session.scalars(select(BatchRun).where(BatchRun.batch_code == "archive_removed")).one()
    assert (
        run.status == "succeeded"
        and run.parameters["batch_size"] == 50
        and run.changed_parameters == ["batch_size"]
    )
    body = client.get(started.location).get_data(as_text=True)
    assert 'value="50"' in body and '<span class="change-mark">変更</span>' in body  # remembered, highlighted
    log = client.get(f"/batches/runs/{run.id}").get_data(as_text=True)
    assert "正常終了" in log and "移行 0 件" in log and "手動（" in log and "supervisor@141003" in log


def test_the_runs_name_who_started_them_and_the_scheduler_in_japanese(sign_in, users_a, setup_session, db):
    from handlers.batches import run_batch_now

    users_a["supervisor"].display_name = "審査 花子"
    setup_session.flush()
    client = sign_in(users_a["supervisor"])
    client.post("/batches/archive_removed/run", data={"parameters-batch_size": "50"})
    run_batch_now(db, users_a["supervisor"].tenant_id, "archive_removed", {}, started_by="scheduler",
                  trigger="schedule")  # fmt: skip
    for page in ("/batches", "/batches/archive_removed"):
        body = client.get(page).get_data(as_text=True)
        assert (
            '<span title="ログインID：supervisor@141003">審査 花子</span>' in body
            and "スケジューラ（自動実行）" in body
        )
        assert "（scheduler）" not in body


@pytest.mark.parametrize("typed", ["", "-5", "２⁰", "abc", "0", "100001", "𠮷"])
def test_a_batch_size_that_is_not_a_whole_number_in_range_is_refused_and_neither_run_nor_remembered(
    sign_in, users_a, setup_session, typed
):
    client = sign_in(users_a["supervisor"])
    refused = client.post("/batches/archive_removed/run", data={"parameters-batch_size": typed})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert (
        "実行できませんでした" in page
        and "一度に移行する件数" in page
        and "1から100000までの整数ではありません" in page
    )
    assert setup_session.scalars(select(BatchRun)).all() == []
    assert setup_session.scalars(select(BatchSchedule)).all() == []  # the remembered 1000 stays


def test_full_width_digits_and_a_blank_optional_number_start_the_batch(sign_in, users_a, setup_session):
    client = sign_in(users_a["supervisor"])
    assert (
        client.post("/batches/archive_removed/run", data={"parameters-batch_size": "５００"}).status_code
        == 302
    )
    assert (
        client.post("/batches/missing_move_in_notices/run", data={"parameters-after_days": ""}).status_code
        == 302
    )
    runs = {r.batch_code: r for r in setup_session.scalars(select(BatchRun))}
    assert runs["archive_removed"].parameters["batch_size"] == 500
    assert runs["missing_move_in_notices"].parameters["after_days"] == ""
    assert {r.status for r in runs.values()} == {"succeeded"}


def _run_failing(sign_in, users_a, setup_session, monkeypatch, error: Exception):  # type: ignore[no-untyped-def]
    """A supervisor runs 転出予定日到来者の除票 (move_outs_due) from its page, its body raising ``error``: the client and the run's row."""

    def broken(uow, params, today):  # type: ignore[no-untyped-def]
        raise error

    original = batch_registry.BATCHES["move_outs_due"]
    monkeypatch.setitem(batch_registry.BATCHES, "move_outs_due",
                        batch_registry.BatchDefinition(original.code, original.label, broken))  # fmt: skip
    client = sign_in(users_a["supervisor"])
    client.post("/batches/move_outs_due/run", data={})
    return client, setup_session.scalars(select(BatchRun).where(BatchRun.batch_code == "move_outs_due")).one()


def test_a_failed_run_shows_its_error_on_the_log_page(sign_in, users_a, setup_session, monkeypatch):
    client, run = _run_failing(sign_in, users_a, setup_session, monkeypatch, RuntimeError("接続できません"))
    log = client.get(f"/batches/runs/{run.id}").get_data(as_text=True)
    assert "異常終了" in log and "RuntimeError: 接続できません" in log  # the traceback, on the run's page
    assert "予期しないエラーが発生しました（RuntimeError）" in log
    assert "異常終了したバッチが 1 件" in client.get("/batches").get_data(as_text=True)


def test_the_statistics_batch_offers_its_xlsx(sign_in, users_a, setup_session):
    client = sign_in(users_a["supervisor"])
    client.post("/batches/statistics_snapshot/run", data={"parameters-period": "current_month"})
    run = setup_session.scalars(select(BatchRun).where(BatchRun.batch_code == "statistics_snapshot")).one()
    assert f'href="/batches/runs/{run.id}/result"' in client.get(f"/batches/runs/{run.id}").get_data(
        as_text=True
    )
    got = client.get(f"/batches/runs/{run.id}/result")
    assert got.status_code == 200 and got.data[:2] == b"PK"  # an XLSX (zip) file


@pytest.mark.parametrize("path", ["/batches", "/batches/archive_removed"])
def test_a_clerk_may_not_run_batches(sign_in, users_a, path):
    assert sign_in(users_a["clerk"]).get(path).status_code == 403


def test_an_unknown_batch_is_404(sign_in, users_a):
    assert sign_in(users_a["supervisor"]).get("/batches/no_such_batch").status_code == 404


def test_city_b_gets_404_for_city_a_run(sign_in, users_a, users_b, setup_session, app: Flask):
    sign_in(users_a["supervisor"]).post("/batches/archive_removed/run", data={})
    run = setup_session.scalars(select(BatchRun)).one()
    other = app.test_client()
    login_as(other, users_b["supervisor"])
    assert other.get(f"/batches/runs/{run.id}").status_code == 404
    assert other.get(f"/batches/runs/{run.id}/result").status_code == 404
    assert "移行 0 件" not in other.get("/batches").get_data(as_text=True)


def test_running_without_the_csrf_token_is_refused(db, setup_session, users_a):
    from webui.app import create_app

    setup_session.flush()
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True, "SECRET_KEY": "test"}, db=db)
    client = app.test_client()
    login_as(client, users_a["supervisor"])
    assert client.post("/batches/archive_removed/run", data={}).status_code == 400
    assert setup_session.scalars(select(BatchRun)).all() == []


def test_the_statistics_period_is_offered_and_shown_as_previous_or_current_month(
    sign_in, users_a, setup_session
):
    client = sign_in(users_a["supervisor"])
    listing = client.get("/batches").get_data(as_text=True)
    assert "対象期間：前月" in listing and "previous_month" not in listing and "current_month" not in listing
    form = client.get("/batches/statistics_snapshot").get_data(as_text=True)
    options = dict(re.findall(r'<option (?:selected )?value="(\w+)"(?: selected)?>([^<]+)</option>', form))
    assert (options["previous_month"], options["current_month"]) == ("前月", "当月（今日まで）")
    client.post("/batches/statistics_snapshot/run", data={"parameters-period": "current_month"})
    run = setup_session.scalars(select(BatchRun).where(BatchRun.batch_code == "statistics_snapshot")).one()
    log = client.get(f"/batches/runs/{run.id}").get_data(as_text=True)
    assert "対象期間：当月（今日まで）" in log and "current_month" not in log
    assert "基準日 令和" in log and not re.search(r"\b20\d\d-\d\d-\d\d\b", log.split("<h2>出力</h2>", 1)[1])


def test_a_period_that_is_no_choice_is_refused_in_japanese_and_nothing_runs(sign_in, users_a, setup_session):
    client = sign_in(users_a["supervisor"])
    refused = client.post("/batches/statistics_snapshot/run", data={"parameters-period": "last_year"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert (
        "実行できませんでした" in body
        and "対象期間" in body
        and "選択肢にない値です" in body
        and "前月・当月" in body
    )
    assert setup_session.scalars(select(BatchRun)).all() == []


def test_a_run_refused_by_our_own_rule_shows_the_rules_japanese_message(
    sign_in, users_a, setup_session, monkeypatch
):
    refusal = ConflictError("対象の世帯は別の処理中です。")
    _client, run = _run_failing(sign_in, users_a, setup_session, monkeypatch, refusal)
    assert run.status == "failed" and run.output == "異常終了：対象の世帯は別の処理中です。"
