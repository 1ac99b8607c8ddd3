"""The コンビニ交付 door (j1210): a body outside the layout is refused with every problem in structured JSON and
nothing recorded; the OpenAPI document describes the door; the administrator switches kiosk issuance on and off
among the municipality's options."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from tests.kiosk.conftest import Send, kiosk_body
from tests.web.conftest import login_as

pytestmark = pytest.mark.req("j1210")


def test_a_body_outside_the_layout_gets_its_problems_and_nothing_is_recorded(
    send: Send, family: list[models.Resident], setup_session: Session
) -> None:
    not_json = send("{not json")
    assert not_json.status_code == 422 and not_json.get_json()["problems"][0]["field"] == "body"
    bad = kiosk_body(family[0], request_id="", scope="everyone", copies=0, options={"head_relation": "yes"})
    bad["person"] = {"resident_code": "123", "card_serial": ""}
    answer = send(bad).get_json()
    assert answer["error"] == "validation_failed"
    fields = {p["field"] for p in answer["problems"]}
    assert fields == {
        "request_id",
        "person.resident_code",
        "person.card_serial",
        "scope",
        "copies",
        "options",
    }
    assert all(p["item"] and p["reason"] and p["remedy"] for p in answer["problems"])
    entry = send(kiosk_body(family[0], document="entry_certificate", scope="household")).get_json()
    assert [p["code"] for p in entry["problems"]] == ["one_person"]
    assert setup_session.scalars(select(models.KioskRequest)).all() == []


def test_a_kiosk_issues_the_card_holders_entry_certificate(send: Send, family: list[models.Resident]) -> None:
    response = send(kiosk_body(family[0], document="entry_certificate"))
    assert response.status_code == 201 and response.get_json()["certificate_type"] == "entry_certificate"


def test_the_openapi_document_lists_the_kiosk_door(client: Any, center_token: str) -> None:
    document = client.get("/api/openapi.json", headers={"Authorization": f"Bearer {center_token}"}).get_json()
    operation = document["paths"]["/api/kiosk/certificates"]["post"]
    assert set(operation["responses"]) >= {"201", "403", "409", "410", "422"}
    schema = document["components"]["schemas"]["KioskCertificateRequest"]
    assert set(schema["required"]) == {"request_id", "person", "terminal", "document", "scope"}


def test_the_administrator_switches_kiosk_issuance_on_and_off(
    app: Flask, users_a: dict[str, models.User], city_a: models.Municipality, setup_session: Session
) -> None:
    client = app.test_client()
    login_as(client, users_a["administrator"])
    page = client.get("/settings/options").get_data(as_text=True)
    assert "コンビニ交付" in page and "j1210" in page
    required = {"variant_kanji_search": "y", "move_in_notice_auto_import": "y", "caution_autofill": "y",
                "resident_code_pool_alert": "100", "temporary_lift_minutes": "30", "bulk_approval_limit": "50",
                "kiosk_answer_retention_hours": "24"}  # fmt: skip
    for posted, expected in (({**required, "kiosk_issuance": "y"}, True), (required, False)):
        assert client.post("/settings/options", data=posted).status_code == 302
        setup_session.expire_all()
        found = setup_session.get(models.Municipality, city_a.id)
        assert found is not None and (found.settings or {}).get("kiosk_issuance") is expected
