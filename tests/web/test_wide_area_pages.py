"""広域交付 pages (j1210): 上田市's clerk sends the request for a 横浜市 resident from the counter form, sees the
answer (or the home municipality's refusal and its reason) and prints the copy; bad input is refused in Japanese
with nothing sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.outbox_dispatch import install_dispatcher
from handlers.uow import unit_of_work
from tests.certificates.pdf_tools import flat, pdf_text
from tests.factories import make_household, make_support_measure, wide_area_fields
from tests.integration.test_relay import relay_everywhere
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
