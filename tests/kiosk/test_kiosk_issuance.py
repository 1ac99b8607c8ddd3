"""コンビニ交付 (j1210): the 証明書交付センター gets a 住民票の写し of the card holder alone or of their household as a
PDF from the registered record (j530), recorded in the issuance history with the kiosk as 交付場所 (j300, j360)
and in the access log, once per request id however often the center retries."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.clock import japan_today
from handlers.context import Actor
from tests.certificates.pdf_tools import flat, has_item, pdf_text
from tests.conftest import Step
from tests.kiosk.conftest import Send, kiosk_body
from tests.web.conftest import login_as
from tests.workflows.ex_officio_steps import enter

pytestmark = pytest.mark.req("j1210")


def pdf_of(answer: dict[str, Any]) -> bytes:
    pdf = base64.b64decode(answer["pdf"])
    assert pdf.startswith(b"%PDF")
    return pdf


def issuances(session: Session) -> list[models.CertificateIssuance]:
    session.expire_all()
    return list(session.scalars(select(models.CertificateIssuance).order_by(models.CertificateIssuance.id)))


def logged(session: Session, function: str) -> list[models.AccessLog]:
    return list(session.scalars(select(models.AccessLog).where(models.AccessLog.function == function)))


@pytest.mark.req("j300", "j1000")
def test_a_kiosk_issues_the_card_holders_own_copy_recorded_as_a_kiosk_issuance(
    send: Send, family: list[models.Resident], setup_session: Session
) -> None:
    taro = family[0]
    response = send(kiosk_body(taro))
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    text = flat(pdf_text(pdf_of(answer)))
    assert "住民票の写し" in text and "山田太郎" in text and "花子" not in text
    assert answer["certificate_type"] == "copy_individual" and answer["pages"] >= 1
    assert "横浜市" in answer["issue_numbers"][0] and "SEJ-0012345" in answer["issue_numbers"][0]
    [row] = issuances(setup_session)
    assert row.issue_number == answer["issue_numbers"][0] and row.subjects == [taro.atena_number]
    assert row.place == "コンビニ交付（セブン-イレブン横浜本町店）" and row.terminal == "SEJ-0012345"
    assert row.user_id is None and row.login_id == "api:証明書交付センター"  # the system, not a clerk
    assert row.options["channel"] == "kiosk" and row.requester_kind == "self"
    assert [r.detail["issue_numbers"] for r in logged(setup_session, "kiosk_certificate_issued")] == [
        answer["issue_numbers"]
    ]
    assert logged(setup_session, "certificate_printed")[0].targets == [taro.atena_number]
    decided = logged(setup_session, "disclosure_decided")[0].detail
    assert decided["channel"] == "kiosk" and decided["outcome"] == "allow"


@pytest.mark.req("j1000", "j1010")
def test_a_kiosk_issues_a_household_copy_with_the_items_the_resident_chose(
    send: Send, family: list[models.Resident], setup_session: Session
) -> None:
    body = kiosk_body(
        family[1], scope="household", options={"head_relation": True, "honseki": True}, copies=2
    )
    response = send(body)
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    text = pdf_text(pdf_of(answer))
    assert all(name in flat(text) for name in ("山田太郎", "花子", "一郎"))
    assert has_item(text, "続柄", "妻") and "東京都千代田区千代田1番" in flat(text)
    assert answer["copies"] == 2 and len(set(answer["issue_numbers"])) == 2
    rows = issuances(setup_session)
    assert [r.issue_number for r in rows] == answer["issue_numbers"]
    assert {r.requester_kind for r in rows} == {"same_household"}
    assert set(rows[0].subjects) == {m.atena_number for m in family}


def test_a_kiosk_issues_a_copy_of_chosen_members_of_the_household(
    send: Send, family: list[models.Resident]
) -> None:
    taro, hanako, ichiro = family
    body = kiosk_body(taro, scope="members", members=[ichiro.resident_code, hanako.resident_code])
    response = send(body)
    assert response.status_code == 201, response.get_json()
    text = flat(pdf_text(pdf_of(response.get_json())))
    assert "花子" in text and "一郎" in text and "山田太郎" not in text.replace("世帯主山田太郎", "")


@pytest.mark.req("j300")
def test_a_retry_with_the_same_request_id_gets_the_same_answer_and_nothing_is_issued_twice(
    send: Send, family: list[models.Resident], setup_session: Session
) -> None:
    body = kiosk_body(family[0])
    first = send(body)
    again = send(body)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert len(issuances(setup_session)) == 1
    assert [r.detail["request_id"] for r in logged(setup_session, "kiosk_answer_resent")] == [
        body["request_id"]
    ]
    other = send({**body, "scope": "household"})
    assert other.status_code == 409 and other.get_json()["error"] == "conflict"
    assert len(issuances(setup_session)) == 1


@pytest.mark.req("j530")
def test_a_provisional_change_is_invisible_the_copy_shows_the_registered_record(
    send: Send, step: Step, clerk_a: Actor, family: list[models.Resident], setup_session: Session
) -> None:
    today = japan_today()
    enter(step, clerk_a, "move_within", {
        "atena_numbers": [m.atena_number for m in family], "change_date": (today - dt.timedelta(days=2)).isoformat(),
        "notified_date": today.isoformat(), "address": {"address": "神奈川県横浜市中区山下町2番地", "postal_code": "231-0023"},
    })  # fmt: skip
    response = send(kiosk_body(family[0]))
    assert response.status_code == 201, response.get_json()
    text = flat(pdf_text(pdf_of(response.get_json())))
    assert "港町1丁目1番地" in text and "山下町" not in text


@pytest.mark.req("j360")
def test_the_issuance_history_shows_a_kiosk_issuance_in_japanese(
    app: Flask, send: Send, family: list[models.Resident], users_a: dict[str, models.User]
) -> None:
    number = send(kiosk_body(family[0])).get_json()["issue_numbers"][0]
    client = app.test_client()
    login_as(client, users_a["clerk"])
    page = client.get(f"/certificates/history/{family[0].atena_number}").get_data(as_text=True)
    assert number in page and "（コンビニ交付）" in page and "セブン-イレブン横浜本町店" in page
