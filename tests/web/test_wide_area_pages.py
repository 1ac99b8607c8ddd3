"""広域交付 pages (j1210): 上田市's clerk sends the request for a 横浜市 resident from the counter form, sees the
answer (or the home municipality's refusal and its reason) and prints the copy; bad input is refused in Japanese
with nothing sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.outbox_delivery import deliver_destination
from handlers.outbox_dispatch import install_dispatcher
from handlers.uow import unit_of_work
from handlers.wide_area import LATE_ANSWER
from handlers.wide_area_sweep import expire_overdue_everywhere
from tests.certificates.pdf_tools import flat, pdf_text
from tests.factories import make_household, make_support_measure, wide_area_fields
from tests.integration.test_relay import relay_everywhere
from tests.web.test_residents_api import token_for
from worker.tasks import enable_delivery

pytestmark = pytest.mark.req("j1210")


@pytest.fixture
def relayed(
    db: Database, setup_session: Session, city_a: models.Municipality, city_b: models.Municipality
) -> Iterator[Database]:
    relay_everywhere(setup_session, city_a, city_b)
    officials = [{"title": "上田市長", "name": "土屋 陽一", "from": "2022-04-27", "to": "", "acting": False}]
    city_b.settings = {**(city_b.settings or {}), "officials": officials}
    setup_session.flush()
    enable_delivery(db)
    yield db
    install_dispatcher(db, None)


@pytest.fixture
def yamada(relayed: Database, clerk_a: Actor) -> models.Household:
    return make_household(relayed, clerk_a)


def requests_of(db: Database, city: models.Municipality) -> list[models.WideAreaRequest]:
    with unit_of_work(db, Actor.system(city.id)) as uow:
        return list(uow.session.scalars(select(models.WideAreaRequest)))


def test_the_counter_sends_the_request_and_prints_the_answered_copy(
    sign_in: Any, users_b: dict[str, Any], relayed: Database, yamada: models.Household
) -> None:
    client = sign_in(users_b["clerk"])
    assert "広域交付を請求" in client.get("/wide-area").get_data(as_text=True)
    sent = client.post("/wide-area/new", data=wide_area_fields(include_head_relation="y"))
    assert sent.status_code == 302
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "交付可" in page and "山田" in page and "運転免許証" in page
    printed = client.post(sent.headers["Location"] + "/print")
    assert printed.mimetype == "application/pdf"
    text = flat(pdf_text(printed.data))
    assert "山田太郎" in text and "上田市長" in text and "本籍" not in text
    again = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "交付済" in again and "上田市" in again
    assert "交付済" in client.get("/wide-area").get_data(as_text=True)


def test_the_refusal_of_the_home_municipality_is_shown_with_its_reason(
    sign_in: Any,
    users_b: dict[str, Any],
    relayed: Database,
    yamada: models.Household,
    setup_session: Session,
    city_a: models.Municipality,
) -> None:
    make_support_measure(setup_session, city_a, yamada.members[0].atena_number)
    client = sign_in(users_b["clerk"])
    sent = client.post("/wide-area/new", data=wide_area_fields())
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "交付不可" in page and "支援措置の対象者が含まれるため、広域交付はできません" in page
    assert "港町" not in page.replace(wide_area_fields()["address"], "")  # the home's address is not shown
    refused = client.post(sent.headers["Location"] + "/print", follow_redirects=True)
    assert refused.mimetype != "application/pdf" and "交付できないと回答しました" in refused.get_data(
        as_text=True
    )


def test_a_home_code_typed_in_full_width_digits_reaches_the_home_municipality(
    sign_in: Any,
    users_b: dict[str, Any],
    relayed: Database,
    yamada: models.Household,
    city_b: models.Municipality,
) -> None:
    client = sign_in(users_b["clerk"])
    sent = client.post("/wide-area/new", data=wide_area_fields(home_code="１４１００３"))
    assert sent.status_code == 302
    [request] = requests_of(relayed, city_b)
    assert request.home_code == "141003"
    assert "交付可" in client.get(sent.headers["Location"]).get_data(as_text=True)


def test_a_home_code_whose_check_digit_disagrees_is_refused_and_nothing_is_sent(
    sign_in: Any, users_b: dict[str, Any], relayed: Database, city_b: models.Municipality
) -> None:
    response = sign_in(users_b["clerk"]).post("/wide-area/new", data=wide_area_fields(home_code="999999"))
    assert response.status_code == 422 and "検査数字が一致しません" in response.get_data(as_text=True)
    assert requests_of(relayed, city_b) == []


def test_a_request_without_the_identity_check_is_refused_in_japanese_and_nothing_is_sent(
    sign_in: Any, users_b: dict[str, Any], relayed: Database, city_b: models.Municipality
) -> None:
    client = sign_in(users_b["clerk"])
    response = client.post("/wide-area/new", data=wide_area_fields(id_document="", name="", resident_code=""))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "本人確認書類" in body and "写真付きの本人確認書類を確認" in body and "氏名" in body
    assert requests_of(relayed, city_b) == []


def test_a_role_without_certificate_issuance_cannot_open_the_counter(
    sign_in: Any, users_b: dict[str, Any], relayed: Database
) -> None:
    client = sign_in(users_b["analyst"])
    assert client.get("/wide-area/new").status_code == 403


def test_the_api_sends_the_request_reads_the_answer_and_prints_once_with_structured_errors(
    client: FlaskClient, users_b: dict[str, Any], relayed: Database, yamada: models.Household,
    city_b: models.Municipality,
) -> None:  # fmt: skip
    headers = token_for(relayed, users_b)
    body = {**wide_area_fields(), "include_head_relation": True}
    sent = client.post("/api/wide-area-requests", json=body, headers=headers)
    assert sent.status_code == 201, sent.get_json()
    shown = client.get(f"/api/wide-area-requests/{sent.get_json()['id']}", headers=headers).get_json()
    assert (shown["status"], shown["status_label"], shown["persons"]) == ("answered", "交付可", 1)
    assert shown["answer_due_at"] > shown["requested_at"]
    assert "山田" not in str(shown), "the answered items are printed, never listed"
    printed = client.post(f"/api/wide-area-requests/{shown['id']}/print", headers=headers)
    assert printed.status_code == 201 and printed.get_json()["fee"] == 300
    [row] = requests_of(relayed, city_b)
    assert row.status == "issued" and row.issue_numbers == printed.get_json()["issue_numbers"]
    again = client.post(f"/api/wide-area-requests/{shown['id']}/print", headers=headers)
    assert again.status_code == 409 and "既に交付しました" in again.get_json()["message"]
    listed = client.get("/api/wide-area-requests", headers=headers).get_json()["requests"]
    assert [(r["request_number"], r["status"]) for r in listed] == [(row.request_number, "issued")]

    refused = client.post("/api/wide-area-requests", json={**body, "id_document": ""}, headers=headers)
    assert refused.status_code == 422 and refused.get_json()["error"] == "validation_failed"
    assert "id_document" in {p["field"] for p in refused.get_json()["problems"]}
    wrong = client.post("/api/wide-area-requests", json={**body, "name": ["山田"]}, headers=headers)
    assert wrong.status_code == 422 and wrong.get_json()["problems"][0]["field"] == "name"
    assert client.post("/api/wide-area-requests", json=body).status_code == 401
    assert len(requests_of(relayed, city_b)) == 1, "nothing half-written"
    other = client.get(f"/api/wide-area-requests/{row.id}", headers=token_for(relayed, users_b, "auditor"))
    assert other.status_code == 403 and other.get_json()["error"] == "permission_denied"


def test_a_request_unanswered_in_time_fails_with_the_reason_and_a_late_answer_prints_nothing(
    sign_in: Any, users_b: dict[str, Any], db: Database, setup_session: Session, city_a: models.Municipality,
    city_b: models.Municipality, clerk_a: Actor,
) -> None:  # fmt: skip
    relay_everywhere(setup_session, city_a, city_b)
    city_b.settings = {**(city_b.settings or {}), "wide_area_answer_minutes": 5}
    setup_session.flush()
    make_household(db, clerk_a)
    client = sign_in(users_b["clerk"])
    install_dispatcher(db, None)  # nothing delivered: 横浜市 does not answer
    sent = client.post("/wide-area/new", data=wide_area_fields())
    [row] = requests_of(db, city_b)
    assert row.status == "sent" and row.answer_due_at is not None
    assert dt.timedelta(minutes=4) < row.answer_due_at.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC) <= (
        dt.timedelta(minutes=5))  # fmt: skip
    waiting = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "回答待ち" in waiting and "回答期限" in waiting

    stored = setup_session.get(models.WideAreaRequest, row.id)
    assert stored is not None
    stored.answer_due_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)  # five minutes have passed
    setup_session.flush()
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "交付不能（回答なし）" in page and "回答期限" in page and "新しく請求してください" in page
    printed = client.post(sent.headers["Location"] + "/print", follow_redirects=True)
    assert printed.mimetype != "application/pdf" and "回答がなかったため" in printed.get_data(as_text=True)

    enable_delivery(db)  # 横浜市 answers late
    try:
        deliver_destination(db, city_b.id, "municipality:141003")
    finally:
        install_dispatcher(db, None)
    [late] = requests_of(db, city_b)
    assert late.status == "expired" and late.answer["outcome"] == "expired" and late.answer["persons"] == []
    with unit_of_work(db, Actor.system(city_b.id)) as uow:
        inbox = uow.session.scalars(select(models.RelayInbox)).all()
        assert [(r.status, r.payload["error"]) for r in inbox] == [("refused", LATE_ANSWER)]
        assert uow.session.scalars(select(models.CertificateIssuance)).all() == []
        expired_logs = uow.session.scalars(
            select(models.AccessLog).where(models.AccessLog.function == "wide_area_request_expired")
        ).all()
    assert len(expired_logs) == 1
    assert "交付不能（回答なし）" in client.get("/wide-area").get_data(as_text=True)


def test_the_scheduled_sweep_closes_a_request_nobody_opens_after_its_answer_time(
    sign_in: Any, users_b: dict[str, Any], db: Database, setup_session: Session, city_a: models.Municipality,
    city_b: models.Municipality, clerk_a: Actor,
) -> None:  # fmt: skip
    relay_everywhere(setup_session, city_a, city_b)
    make_household(db, clerk_a)
    client = sign_in(users_b["clerk"])
    install_dispatcher(db, None)  # nothing delivered: 横浜市 does not answer
    client.post("/wide-area/new", data=wide_area_fields())
    [row] = requests_of(db, city_b)
    due = row.answer_due_at.replace(tzinfo=dt.UTC)
    assert expire_overdue_everywhere(db, now=due - dt.timedelta(seconds=1)) == 0
    assert requests_of(db, city_b)[0].status == "sent"
    assert expire_overdue_everywhere(db, now=due) == 1
    [closed] = requests_of(db, city_b)
    assert closed.status == "expired" and "令和" in closed.answer["reason"]  # the time in 和暦 (j90)
    assert expire_overdue_everywhere(db, now=due + dt.timedelta(hours=1)) == 0, "closed once"
