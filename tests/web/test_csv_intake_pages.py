"""CSV intake pages (j1430) and the bulk address change (j1340): upload → result listing the created cases and
the bad rows by row, column and reason; a re-upload creates nothing twice; all-or-nothing; a wrong header is
refused with nothing written; bulk change upload → provisional list → confirm → final result."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from sqlalchemy import func, select

from handlers.clock import japan_today
from models import Case, Household
from tests import factories
from tests.statistics.test_csv_intake import csv_bytes, notice_row
from tests.web.conftest import login_as

pytestmark = pytest.mark.req("j1430")


def upload(client, data: bytes, kind: str = "change_notice", **extra: str):  # type: ignore[no-untyped-def]
    form = {"file": (io.BytesIO(data), "kiosk.csv"), "kind": kind, **extra}
    return client.post("/csv-intake", data=form, content_type="multipart/form-data")


def cases(setup_session) -> int:  # type: ignore[no-untyped-def]
    return int(setup_session.scalar(select(func.count()).select_from(Case)) or 0)


def test_good_rows_become_cases_linked_from_the_result_and_a_reupload_creates_nothing(
    sign_in, users_a, setup_session
):
    client = sign_in(users_a["clerk"])
    data = csv_bytes([notice_row("K1"), notice_row("K2", given="次郎")], "cp932")
    first = upload(client, data)
    assert first.status_code == 302 and "/csv-intake/imports/" in first.location
    body = client.get(first.location).get_data(as_text=True)
    assert (
        "全件取込" in body
        and "今回作成した件数</dt><dd>2 件" in body
        and "（Shift_JIS）" in body
        and "cp932" not in body
    )
    case_ids = setup_session.scalars(select(Case.id)).all()
    assert len(case_ids) == 2 and all(f'href="/cases/{i}"' in body for i in case_ids)
    again = upload(client, data)
    body = client.get(again.location).get_data(as_text=True)
    assert "取込済みの行 2 行は、二重に作成しませんでした" in body
    assert "今回作成した件数</dt><dd>0 件" in body and "新たに作成したものはありません" in body
    assert cases(setup_session) == 2


def test_bad_rows_are_listed_by_row_column_and_reason(sign_in, users_a, setup_session):
    client = sign_in(users_a["clerk"])
    rows = [notice_row("K1"), notice_row("K2", 生年月日="2023-02-30"), notice_row("K3", 性別="9")]
    body = client.get(upload(client, csv_bytes(rows)).location).get_data(as_text=True)
    assert "一部取込" in body and "誤りのある行</dt><dd>2 件" in body
    assert "<td>3行目</td><td>生年月日</td>" in body and "<td>4行目</td><td>性別</td>" in body
    assert cases(setup_session) == 1


def test_all_or_nothing_creates_nothing_when_one_row_is_bad(sign_in, users_a, setup_session):
    client = sign_in(users_a["clerk"])
    rows = [notice_row("K1"), notice_row("K2", 性別="9")]
    body = client.get(upload(client, csv_bytes(rows), all_or_nothing="y").location).get_data(as_text=True)
    assert "取込なし" in body and "このファイルからは何も作成していません" in body
    assert cases(setup_session) == 0


def test_a_wrong_header_is_refused_on_the_form_with_nothing_written(sign_in, users_a, setup_session):
    client = sign_in(users_a["clerk"])
    page = upload(client, csv_bytes([notice_row("K1")], header=["申請番号", "氏"]))
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "1行目の見出しが様式と一致しません" in body
    assert "このファイルからは何も登録していません" in body and cases(setup_session) == 0


@pytest.mark.req("j1340")
def test_bulk_address_change_goes_from_provisional_list_to_final_run(sign_in, users_a, db, setup_session):
    clerk = factories.actor_for(users_a["clerk"])
    family = factories.make_household(db, clerk)
    before, after = family.address, "神奈川県横浜市中区みなと町1丁目1番地"
    csv = f"世帯番号,変更前住所,変更後住所,変更後郵便番号\r\n{family.household_number},{before},{after},2310017\r\n"
    client = sign_in(users_a["clerk"])
    form = {"file": (io.BytesIO(csv.encode("cp932")), "rename.csv"), "target": "address",
            "minor_category": "area_renamed", "change_date": "令和8年4月1日"}  # fmt: skip
    planned = client.post("/csv-intake/bulk-address", data=form, content_type="multipart/form-data")
    assert planned.status_code == 302
    body = client.get(planned.location).get_data(as_text=True)
    assert "仮処理（確認待ち）" in body and before in body and after in body and "令和8年4月1日" in body
    assert setup_session.get(Household, family.id).address == before  # provisional: nothing changed
    done = client.post(planned.location + "/apply")
    body = client.get(done.location).get_data(as_text=True)
    assert "本処理済み" in body and "本処理を実行しました（修正 3 人、除外 0 件）" in body
    setup_session.expire_all()
    assert setup_session.get(Household, family.id).address == after


@pytest.mark.parametrize("path", ["/csv-intake", "/csv-intake/bulk-address"])
def test_an_analyst_may_not_upload(sign_in, users_a, path):
    assert sign_in(users_a["analyst"]).get(path).status_code == 403


def test_city_b_gets_404_for_city_a_import_and_bulk_change(sign_in, users_a, users_b, db, app: Flask):
    client = sign_in(users_a["clerk"])
    imported = upload(client, csv_bytes([notice_row("K1")])).location
    family = factories.make_household(db, factories.actor_for(users_a["clerk"]))
    csv = f"世帯番号,変更前住所,変更後住所,変更後郵便番号\r\n{family.household_number},{family.address},新住所,\r\n"
    form = {"file": (io.BytesIO(csv.encode()), "r.csv"), "target": "address", "minor_category": "area_renamed",
            "change_date": japan_today().isoformat()}  # fmt: skip
    planned = client.post("/csv-intake/bulk-address", data=form, content_type="multipart/form-data").location
    other = app.test_client()
    login_as(other, users_b["clerk"])
    assert other.get(imported).status_code == 404
    assert other.get(planned).status_code == 404
    assert other.post(planned + "/apply").status_code == 404


def test_uploading_without_the_csrf_token_is_refused(db, setup_session, users_a):
    from webui.app import create_app

    setup_session.flush()
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True, "SECRET_KEY": "test"}, db=db)
    client = app.test_client()
    login_as(client, users_a["clerk"])
    assert upload(client, csv_bytes([notice_row("K1")])).status_code == 400
    assert cases(setup_session) == 0
