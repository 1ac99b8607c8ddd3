"""The bulk change's page (j1340): 「事前通知を出力」 after the 仮処理, 「事後通知を出力」 after the 本処理, made in the
background and downloaded as PDF and CSV by whoever may run the bulk change, in their own municipality only;
each download in the access log."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import models
from handlers.audit_labels import FUNCTION_LABELS
from handlers.csv_intake.bulk_address import plan_bulk_change
from handlers.db import Database
from handlers.uow import unit_of_work
from models import AccessLog, BulkAddressNotice
from tests import factories
from tests.certificates.conftest import OFFICIALS
from tests.certificates.pdf_tools import flat, pages_text
from tests.web.conftest import login_as

pytestmark = pytest.mark.req("j1340")
AFTER = "神奈川県横浜市中区みなと町1丁目1番地"


@pytest.fixture
def change_id(db: Database, setup_session: Session, city_a: models.Municipality, users_a) -> int:  # type: ignore[no-untyped-def]
    city_a.settings = {**(city_a.settings or {}), "officials": OFFICIALS}
    setup_session.flush()
    clerk = factories.actor_for(users_a["clerk"])
    family = factories.make_household(db, clerk)
    data = f"世帯番号,変更前住所,変更後住所,変更後郵便番号\r\n{family.household_number},{family.address},{AFTER},\r\n"
    with unit_of_work(db, clerk) as uow:
        return plan_bulk_change(uow, "address", data.encode(), minor_category="residence_indication",
                                change_date=dt.date(2026, 4, 1)).id  # fmt: skip


def jobs(setup_session: Session) -> list[BulkAddressNotice]:
    setup_session.expire_all()
    return list(setup_session.scalars(select(BulkAddressNotice).order_by(BulkAddressNotice.id)))


def test_the_page_offers_advance_then_after_notices_and_hands_out_pdf_and_csv(
    sign_in, users_a, change_id, setup_session
):
    client = sign_in(users_a["clerk"])
    page = f"/csv-intake/bulk-address/{change_id}"
    body = client.get(page).get_data(as_text=True)
    assert "事前通知を出力" in body and "事後通知を出力" not in body
    queued = client.post(f"{page}/notices", data={"timing": "advance"})
    assert queued.status_code == 302 and queued.location.endswith(page)
    [job] = jobs(setup_session)
    body = client.get(page).get_data(as_text=True)
    assert "事前通知の作成を開始しました" in body and "完了" in body and f"notices/{job.id}.pdf" in body
    pdf = client.get(f"/csv-intake/bulk-address/notices/{job.id}.pdf")
    assert pdf.mimetype == "application/pdf" and "attachment" in pdf.headers["Content-Disposition"]
    [notice] = [flat(p) for p in pages_text(pdf.get_data())]
    assert "住所変更のお知らせ（事前通知）" in notice and flat(AFTER) in notice and "山田太郎様" in notice
    listed = client.get(f"/csv-intake/bulk-address/notices/{job.id}.csv").get_data().decode("utf-8-sig")
    assert listed.startswith("番号,通知,世帯番号・宛名番号") and AFTER in listed
    client.post(f"{page}/apply")
    body = client.get(page).get_data(as_text=True)
    assert "事後通知を出力" in body and "事前通知を出力" not in body
    assert client.post(f"{page}/notices", data={"timing": "advance"}).status_code == 409, "事前 only before"
    assert client.post(f"{page}/notices", data={"timing": "after"}).status_code == 302
    assert [j.timing for j in jobs(setup_session)] == ["advance", "after"]


def test_each_download_is_in_the_access_log(sign_in, users_a, change_id, setup_session):
    client = sign_in(users_a["clerk"])
    client.post(f"/csv-intake/bulk-address/{change_id}/notices", data={"timing": "advance"})
    [job] = jobs(setup_session)
    client.get(f"/csv-intake/bulk-address/notices/{job.id}.csv")
    row = setup_session.scalars(
        select(AccessLog).where(AccessLog.function == "bulk_change_notices_downloaded")
    ).one()
    assert row.login_id == users_a["clerk"].login_id and row.action == "export"
    assert row.detail == {
        "change_id": change_id,
        "job_id": job.id,
        "timing": "advance",
        "file": "csv",
        "count": 1,
    }


def test_another_municipality_can_neither_print_nor_download_the_notices(
    sign_in, users_a, users_b, change_id, setup_session, app: Flask
):
    sign_in(users_a["clerk"]).post(
        f"/csv-intake/bulk-address/{change_id}/notices", data={"timing": "advance"}
    )
    [job] = jobs(setup_session)
    other = app.test_client()
    login_as(other, users_b["clerk"])
    assert (
        other.post(f"/csv-intake/bulk-address/{change_id}/notices", data={"timing": "advance"}).status_code
        == 404
    )
    assert other.get(f"/csv-intake/bulk-address/notices/{job.id}.pdf").status_code == 404
    assert len(jobs(setup_session)) == 1


@pytest.mark.parametrize("role", ["analyst", "support_officer", "auditor"])
def test_staff_who_may_not_run_the_bulk_change_are_refused(sign_in, users_a, change_id, setup_session, role):
    sign_in(users_a["clerk"]).post(
        f"/csv-intake/bulk-address/{change_id}/notices", data={"timing": "advance"}
    )
    client = sign_in(users_a[role])
    assert (
        client.post(f"/csv-intake/bulk-address/{change_id}/notices", data={"timing": "advance"}).status_code
        == 403
    )
    assert setup_session.scalar(select(func.count()).select_from(BulkAddressNotice)) == 1
    [job] = jobs(setup_session)
    assert client.get(f"/csv-intake/bulk-address/notices/{job.id}.pdf").status_code == 403


# --- a held-back notice, printed one by one by the support-measure officer ---------------------------------


@pytest.fixture
def held_back(
    sign_in, users_a, change_id, setup_session, city_a
) -> tuple[BulkAddressNotice, models.Household]:  # type: ignore[no-untyped-def]
    """The clerk's advance output, the one household held back (its second member protected)."""
    family = setup_session.scalars(select(models.Household)).one()
    factories.protect(setup_session, city_a, family.members[1].atena_number)
    sign_in(users_a["clerk"]).post(
        f"/csv-intake/bulk-address/{change_id}/notices", data={"timing": "advance"}
    )
    [job] = jobs(setup_session)
    assert job.pdf is None and [w["key"] for w in job.withheld] == [family.household_number]
    return job, family


def test_the_support_officer_prints_a_held_back_notice_and_the_print_is_logged(
    sign_in, users_a, held_back, setup_session
):
    job, family = held_back
    officer = sign_in(users_a["support_officer"])
    menu = officer.get("/csv-intake/bulk-address/withheld").get_data(as_text=True)  # the officer's way in
    assert 'href="/csv-intake/bulk-address/withheld"' in menu and "保留した一括変更通知" in menu
    assert f'href="/csv-intake/bulk-address/notices/{job.id}/withheld"' in menu and "1件" in menu
    listed = officer.get(f"/csv-intake/bulk-address/notices/{job.id}/withheld").get_data(as_text=True)
    url = f"/csv-intake/bulk-address/notices/{job.id}/withheld/{family.household_number}.pdf"
    assert family.household_number in listed and url in listed
    pdf = officer.get(url)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    [notice] = [flat(p) for p in pages_text(pdf.get_data())]
    assert "住所変更のお知らせ（事前通知）" in notice and "山田太郎様" in notice and "山田花子" in notice
    row = setup_session.scalars(
        select(AccessLog).where(AccessLog.function == "bulk_change_withheld_notice_printed")
    ).one()
    assert row.action == "print" and row.login_id == users_a["support_officer"].login_id
    assert sorted(row.targets) == sorted(m.atena_number for m in family.members)
    assert row.detail["key"] == family.household_number and "保留" in row.detail["notice"]
    assert "保留" in FUNCTION_LABELS["bulk_change_withheld_notice_printed"]


def test_a_clerk_cannot_print_a_held_back_notice_and_the_bulk_output_stays_as_it_was(
    sign_in, users_a, held_back, setup_session
):
    job, family = held_back
    clerk = sign_in(users_a["clerk"])
    assert "保留した通知を個別に出力する" not in clerk.get(
        f"/csv-intake/bulk-address/{job.change_id}"
    ).get_data(as_text=True)
    assert clerk.get(f"/csv-intake/bulk-address/notices/{job.id}/withheld").status_code == 403
    assert clerk.get("/csv-intake/bulk-address/withheld").status_code == 403
    url = f"/csv-intake/bulk-address/notices/{job.id}/withheld/{family.household_number}.pdf"
    assert clerk.get(url).status_code == 403
    officer = sign_in(users_a["support_officer"])
    assert officer.get(f"/csv-intake/bulk-address/notices/{job.id}/withheld/000000000.pdf").status_code == 404
    assert not setup_session.scalars(
        select(AccessLog).where(AccessLog.function == "bulk_change_withheld_notice_printed")
    ).all()
    [again] = jobs(setup_session)
    assert again.pdf is None and again.notice_count == 0 and len(again.withheld) == 1


def test_the_officer_prints_a_held_back_advance_notice_after_the_final_run(
    sign_in, users_a, held_back, setup_session
):
    job, family = held_back
    assert (
        sign_in(users_a["clerk"]).post(f"/csv-intake/bulk-address/{job.change_id}/apply").status_code == 302
    )
    officer = sign_in(users_a["support_officer"])
    listed = officer.get(f"/csv-intake/bulk-address/notices/{job.id}/withheld").get_data(as_text=True)
    url = f"/csv-intake/bulk-address/notices/{job.id}/withheld/{family.household_number}.pdf"
    assert url in listed and "出力できません" not in listed
    pdf = officer.get(url)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    [notice] = [flat(p) for p in pages_text(pdf.get_data())]
    assert (
        "住所変更のお知らせ（事前通知）" in notice and "本処理の後に出力" in notice and flat(AFTER) in notice
    )
    row = setup_session.scalars(
        select(AccessLog).where(AccessLog.function == "bulk_change_withheld_notice_printed")
    ).one()
    assert row.login_id == users_a["support_officer"].login_id and row.detail["timing"] == "advance"


def test_a_held_back_notice_the_run_now_leaves_out_is_listed_with_why_and_not_printed(
    sign_in, users_a, held_back, setup_session
):
    job, family = held_back
    family.address = "神奈川県横浜市西区別町1番地"  # moved since the 仮処理: the 本処理 leaves it out
    setup_session.flush()
    officer = sign_in(users_a["support_officer"])
    listed = officer.get(f"/csv-intake/bulk-address/notices/{job.id}/withheld").get_data(as_text=True)
    url = f"/csv-intake/bulk-address/notices/{job.id}/withheld/{family.household_number}.pdf"
    assert "出力できません（仮処理の後に変更されています）" in listed and url not in listed
    refused = officer.get(url)
    assert refused.status_code == 409 and "通知の対象外" in refused.get_data(as_text=True)
    assert not setup_session.scalars(
        select(AccessLog).where(AccessLog.function == "bulk_change_withheld_notice_printed")
    ).all()
