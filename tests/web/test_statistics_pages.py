"""Statistics pages (j1080): the dashboard for a chosen date (和暦 or 西暦) with its SVG charts and tables, the
年報 and 中長期在留者 tables, CSV / XLSX downloads, recent batch failures; supervisors only."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from handlers.batches import registry as batch_registry
from handlers.batches import run_batch_now
from handlers.clock import japan_today
from models import AccessLog
from tests.statistics import conftest as statistics_fixtures

pytestmark = pytest.mark.req("j1080")
small_register = statistics_fixtures.small_register  # the register with known answers for past dates
ON_WAREKI = "令和6年6月30日"  # 2024-06-30: present, leaving (planned 2024-08-01) and foreign are present


def test_dashboard_on_a_wareki_date_shows_the_pyramid_the_changes_and_the_tables(
    sign_in, users_a, small_register, setup_session
):
    client = sign_in(users_a["supervisor"])
    page = client.get(
        "/statistics", query_string={"on": ON_WAREKI, "start": "2024-01-01", "end": "2024-12-31"}
    )
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "統計ダッシュボード" in body and "令和6年6月30日現在、総人口 3人" in body
    assert body.count("<svg") >= 2 and 'aria-label="人口ピラミッド"' in body and "月別異動件数" in body
    assert (
        "<title>令和6年7月 " in body and "<title>令和6年8月 1</title>" in body
    )  # the months with changes, 和暦 (j90)
    assert "<title>2024-" not in body, "no 西暦 month in the chart"
    assert '<th scope="row">転出</th><td>1</td>' in body  # leaving, removed 2024-08-01
    logged = setup_session.scalars(select(AccessLog).where(AccessLog.function == "statistics_computed")).all()
    assert logged, "computing statistics is written to the access log"


def test_a_bad_date_is_reported_in_japanese_and_the_default_date_used(sign_in, users_a):
    client = sign_in(users_a["supervisor"])
    body = client.get("/statistics", query_string={"on": "令和6年2月30日"}).get_data(as_text=True)
    assert "入力内容に誤りがあります" in body and "基準日" in body


def test_report_page_lists_the_annual_tables_and_the_mid_long_term_residents(
    sign_in, users_a, small_register
):
    client = sign_in(users_a["supervisor"])
    page = client.get("/statistics/report", query_string={"on": "2024-06-30", "start": "2022-01-01",
                                                           "end": "2024-12-31"})  # fmt: skip
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    for title in (
        "人口・世帯数 令和6年6月30日",
        "年齢別人口",
        "異動 令和4年1月1日～令和6年12月31日",
        "外国人住民（在留資格・国籍別）",
    ):
        assert title in body
    assert "技能実習" in body and "ベトナム" in body  # the 中長期在留者 row
    assert (
        '<th scope="row">中長期在留者</th>' in body
        and "mid_long_term" not in body
        and "人口・世帯数 2024-06-30" not in body
    )
    assert "外国人住民の転入（在留資格別" in body


def test_csv_and_xlsx_downloads_hold_the_same_population(sign_in, users_a, small_register):
    client = sign_in(users_a["supervisor"])
    query = {"on": "2024-06-30", "start": "2024-01-01", "end": "2024-12-31"}
    got_csv = client.get("/statistics/report.csv", query_string=query)
    assert got_csv.status_code == 200 and got_csv.mimetype == "text/csv"
    assert 'filename="statistics-2024-06-30.csv"' in got_csv.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(got_csv.data.decode("utf-8-sig"))))
    assert ["計", "2", "1", "3"] in rows  # present (男), leaving (男), foreign (女)
    got_xlsx = client.get("/statistics/report.xlsx", query_string=query)
    sheet = load_workbook(io.BytesIO(got_xlsx.data)).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["計", 2, 1, 3] in values


def test_recent_batch_failures_are_shown_on_the_dashboard(sign_in, users_a, db, city_a, monkeypatch):
    def broken(uow, params, today):  # type: ignore[no-untyped-def]
        raise RuntimeError("ディスクが一杯です")

    definition = batch_registry.BATCHES["support_measure_endings"]
    monkeypatch.setitem(batch_registry.BATCHES, "support_measure_endings",
                        batch_registry.BatchDefinition(definition.code, definition.label, broken))  # fmt: skip
    run = run_batch_now(
        db, city_a.id, "support_measure_endings", {}, started_by="scheduler", today=japan_today()
    )
    assert run.status == "failed"
    body = sign_in(users_a["supervisor"]).get("/statistics").get_data(as_text=True)
    assert "異常終了したバッチ" in body and "支援措置の期間終了の警告" in body and "予期しないエラー" in body
    assert "ディスクが一杯です" not in body  # an unexpected error's own text is on the run's page only
    assert f"/batches/runs/{run.id}" in body


@pytest.mark.parametrize("path", ["/statistics", "/statistics/report", "/statistics/report.csv"])
def test_a_clerk_may_not_see_statistics(sign_in, users_a, path):
    assert sign_in(users_a["clerk"]).get(path).status_code == 403


def test_the_menu_offers_statistics_to_supervisors_only(sign_in, users_a):
    assert 'href="/statistics"' in sign_in(users_a["supervisor"]).get("/account").get_data(as_text=True)
    assert 'href="/statistics"' not in sign_in(users_a["clerk"]).get("/account").get_data(as_text=True)
