"""住民異動届受理通知 (j580) from the case page and the case API: the form appears on a registered 転入・転居 case
of a municipality that offers the notice, gives the PDF, shows a Japanese error for a missing notifier, and the
API answers the PDF or structured JSON."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.suppression_controls import grant_release
from tests import factories
from tests.certificates.pdf_tools import flat, pdf_text
from tests.certificates.test_disclosure_and_verification import protect
from tests.certificates.test_receipt_notice import NEW_ADDRESS, Step, day, registered
from tests.web.conftest import login_as
from tests.web.test_residents_api import token_for

pytestmark = pytest.mark.req("j580")


def moved_within(db: Database, step: Step, clerk: Actor, supervisor: Actor) -> tuple[models.Case, str]:
    home = factories.make_household(db, clerk)
    intake = {"atena_numbers": [m.atena_number for m in home.members], "change_date": day(-3),
              "notified_date": day(0), "address": NEW_ADDRESS}  # fmt: skip
    return registered(step, clerk, supervisor, "move_within", intake), home.address


def offer(setup_session: Session, city: models.Municipality) -> None:
    city.settings = {**(city.settings or {}), "notice_of_receipt": True}
    setup_session.flush()


def test_the_case_page_outputs_the_notice_as_a_pdf_to_the_previous_address(
    client: FlaskClient, db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor,
    users_a: dict[str, models.User], city_a: models.Municipality, setup_session: Session,
) -> None:  # fmt: skip
    case, old_address = moved_within(db, step, clerk_a, supervisor_a)
    login_as(client, users_a["clerk"])
    assert "受理通知を出力する" not in client.get(f"/cases/{case.id}").get_data(as_text=True)  # not offered
    offer(setup_session, city_a)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "住民異動届受理通知" in page and "受理通知を出力する" in page and "山田 太郎" in page
    form = {"notifier_name": "山田 花子", "notifier_kind": "same_household", "addressee": "auto"}
    response = client.post(f"/cases/{case.id}/receipt-notice", data=form)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = flat(pdf_text(response.data))
    assert flat(old_address) + "山田花子様" in text and "異動事由転居" in text and "山下町" not in text


def test_a_missing_notifier_or_a_bad_birth_date_shows_the_case_page_with_a_japanese_error(
    client: FlaskClient, db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor,
    users_a: dict[str, models.User], city_a: models.Municipality, setup_session: Session,
) -> None:  # fmt: skip
    case, _ = moved_within(db, step, clerk_a, supervisor_a)
    offer(setup_session, city_a)
    login_as(client, users_a["clerk"])
    response = client.post(
        f"/cases/{case.id}/receipt-notice", data={"notifier_name": "", "addressee": "auto"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "届出人氏名：入力されていません" in body
    assert 'href="#f-notifier-name"' in body
    bad = {"notifier_name": "山田 花子", "notifier_birth_date": "平成99年13月1日", "addressee": "auto"}
    response = client.post(f"/cases/{case.id}/receipt-notice", data=bad)
    assert response.status_code == 422 and "届出人の生年月日" in response.get_data(as_text=True)


def test_the_case_api_answers_the_pdf_or_structured_errors(
    client: FlaskClient, db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor,
    users_a: dict[str, models.User], city_a: models.Municipality, setup_session: Session,
) -> None:  # fmt: skip
    case, old_address = moved_within(db, step, clerk_a, supervisor_a)
    offer(setup_session, city_a)
    headers = token_for(db, users_a, "clerk")
    path = f"/api/cases/{case.id}/receipt-notice"
    response = client.post(path, json={"notifier_name": "山田 太郎", "addressee": "new"}, headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["X-Addressed-To"] == "new"
    assert "〒231-0023" + flat(NEW_ADDRESS["address"]) + "山田太郎様" in flat(pdf_text(response.data))
    blank = client.post(path, json={"notifier_name": " "}, headers=headers)
    assert blank.status_code == 422 and blank.get_json()["problems"][0]["field"] == "notifier_name"
    other = client.post(
        "/api/cases/999999/receipt-notice", json={"notifier_name": "山田 太郎"}, headers=headers
    )
    assert other.status_code == 404 and other.get_json()["error"] == "not_found"


@pytest.mark.req("j440")
def test_a_notice_stopped_for_a_protected_mover_is_released_by_the_officer_for_that_notice_only(
    client: FlaskClient, db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor,
    users_a: dict[str, models.User], city_a: models.Municipality, setup_session: Session,
) -> None:  # fmt: skip
    case, old_address = moved_within(db, step, clerk_a, supervisor_a)
    offer(setup_session, city_a)
    protected = setup_session.scalars(
        select(models.ResidentHistory.atena_number).where(models.ResidentHistory.case_id == case.id)
    ).first()
    protect(setup_session, city_a, str(protected))
    login_as(client, users_a["clerk"])
    form = {"notifier_name": "山田 花子", "notifier_kind": "same_household", "addressee": "auto"}
    stopped = client.post(f"/cases/{case.id}/receipt-notice", data=form)
    body = stopped.get_data(as_text=True)
    assert stopped.status_code == 409 and stopped.mimetype == "text/html" and "支援措置" in body
    assert "解除を申請する" in body and "山下町" not in body
    asked = client.post(f"/cases/{case.id}/receipt-notice/release", data=form, follow_redirects=True)
    assert "解除を申請しました" in asked.get_data(as_text=True)
    release = setup_session.scalars(select(models.DisclosureRelease)).one()
    officer = factories.actor_for(users_a["support_officer"])
    step(officer, grant_release, release.id, "届出人本人への送付を確認")
    printed = client.post(f"/cases/{case.id}/receipt-notice", data=form)
    assert printed.status_code == 200 and flat(old_address) + "山田花子様" in flat(pdf_text(printed.data))
    again = client.post(f"/cases/{case.id}/receipt-notice", data=form)
    assert again.status_code == 409, "the release is used up by the one notice"
