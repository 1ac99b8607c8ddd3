"""Extraction pages (EUC j1360, sampling j1330): the wizard and the condition builder start a job, the job page
polls its JSON and offers the file; sampling is repeatable with its seed; analysts only; city B cannot see
city A's job; the forms carry a CSRF token."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from sqlalchemy import select

from models import AccessLog
from tests import factories
from tests.statistics import conftest as statistics_fixtures
from tests.web.conftest import login_as

pytestmark = pytest.mark.req("j1360")
small_register = statistics_fixtures.small_register  # present, moved_out, leaving, newborn, foreign


def _job_id(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.location.rsplit("/", 1)[1])


def _csv(client, job_id: int) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    got = client.get(f"/extraction/jobs/{job_id}/download")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(got.data.decode("utf-8-sig"))))


def test_the_wizard_starts_a_job_whose_page_and_json_show_it_done_with_the_file(
    sign_in, users_a, small_register, setup_session
):
    client = sign_in(users_a["analyst"])
    form = {"sex": "2", "include_removed": "y", "output": "csv_utf8", "reference_date": "令和6年12月31日"}
    job_id = _job_id(client.post("/extraction/wizard", data=form))
    page = client.get(f"/extraction/jobs/{job_id}").get_data(as_text=True)
    assert "完了" in page and 'id="job-progress"' in page and "js/job_progress.js" in page
    assert f'href="/extraction/jobs/{job_id}/download"' in page
    status = client.get(f"/extraction/jobs/{job_id}.json").get_json()
    assert status["status"] == "done" and status["percent"] == 100 and status["row_count"] == 3
    assert status["download_url"] == f"/extraction/jobs/{job_id}/download"
    women = {small_register[k].atena_number for k in ("moved_out", "newborn", "foreign")}
    assert {row["宛名番号"] for row in _csv(client, job_id)} == women  # 除票 included as asked
    functions = setup_session.scalars(select(AccessLog.function)).all()
    assert "extraction_run" in functions and "extraction_downloaded" in functions


def test_the_builder_joins_rows_with_or_and_reads_a_wareki_date(sign_in, users_a, small_register):
    client = sign_in(users_a["analyst"])
    form = {
        "mode": "any", "output": "csv_utf8",
        "rows-0-field": "birth_date", "rows-0-op": "lt", "rows-0-value": "昭和60年1月1日",  # present (1980)
        "rows-1-field": "nationality", "rows-1-op": "eq", "rows-1-value": "ベトナム",  # foreign
        "rows-2-field": "", "rows-2-op": "eq", "rows-2-value": "",  # an empty row is ignored
    }  # fmt: skip
    job_id = _job_id(client.post("/extraction/builder", data=form))
    expected = {small_register["present"].atena_number, small_register["foreign"].atena_number}
    assert {row["宛名番号"] for row in _csv(client, job_id)} == expected


def test_a_wrong_condition_is_reported_in_japanese_and_no_job_is_made(sign_in, users_a, small_register):
    client = sign_in(users_a["analyst"])
    form = {
        "mode": "all",
        "output": "count",
        "rows-0-field": "age",
        "rows-0-op": "prefix",
        "rows-0-value": "3",
    }
    page = client.post("/extraction/builder", data=form)
    body = page.get_data(as_text=True)
    assert (
        page.status_code == 200
        and "抽出条件に誤りがあります" in body
        and "年齢に演算子「prefix」は使えません" in body
    )
    assert "まだ抽出はありません" in client.get("/extraction").get_data(as_text=True)


def test_the_builder_page_has_the_rows_the_add_button_and_its_script(sign_in, users_a):
    body = sign_in(users_a["analyst"]).get("/extraction/builder").get_data(as_text=True)
    assert 'name="rows-2-field"' in body and 'id="add-condition-row"' in body
    assert "js/condition_builder.js" in body and "<script>" not in body  # no inline script


@pytest.mark.req("j1330")
def test_sampling_with_the_same_seed_picks_the_same_persons(sign_in, users_a, small_register):
    client = sign_in(users_a["analyst"])
    form = {"sample_count": "2", "seed": "4242", "output": "csv_utf8"}
    first = _csv(client, _job_id(client.post("/extraction/sampling", data=form)))
    second = _csv(client, _job_id(client.post("/extraction/sampling", data=form)))
    assert len(first) == 2 and [r["宛名番号"] for r in first] == [r["宛名番号"] for r in second]
    listing = client.get("/extraction").get_data(as_text=True)
    assert "無作為抽出" in listing and "/inspection-list" not in listing  # analysts have no resident.search


def test_the_extraction_index_links_the_inspection_list_for_who_may_search(
    sign_in, users_a, setup_session, city_a
):
    both = factories.make_user(setup_session, city_a, login_id="both@141003", roles=["analyst", "clerk"])
    body = sign_in(both).get("/extraction").get_data(as_text=True)
    assert 'href="/inspection-list"' in body and "閲覧用リスト" in body


@pytest.mark.parametrize(
    "path", ["/extraction", "/extraction/wizard", "/extraction/builder", "/extraction/sampling"]
)
def test_a_clerk_may_not_extract(sign_in, users_a, path):
    assert sign_in(users_a["clerk"]).get(path).status_code == 403


def test_city_b_gets_404_for_city_a_job(sign_in, users_a, users_b, small_register, app: Flask):
    job_id = _job_id(sign_in(users_a["analyst"]).post("/extraction/wizard", data={"output": "csv_utf8"}))
    other = app.test_client()
    login_as(other, users_b["analyst"])
    for path in (f"/extraction/jobs/{job_id}", f"/extraction/jobs/{job_id}.json",
                 f"/extraction/jobs/{job_id}/download"):  # fmt: skip
        assert other.get(path).status_code == 404, path


def test_starting_a_job_without_the_csrf_token_is_refused(db, setup_session, users_a, small_register):
    from webui.app import create_app

    setup_session.flush()
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True, "SECRET_KEY": "test"}, db=db)
    client = app.test_client()
    login_as(client, users_a["analyst"])
    assert client.post("/extraction/wizard", data={"output": "count"}).status_code == 400
    page = client.get("/extraction/wizard").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/extraction/wizard", data={"output": "count", "csrf_token": token}).status_code == 302
