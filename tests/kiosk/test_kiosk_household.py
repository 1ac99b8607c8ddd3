"""コンビニ交付 (j1210): the 証明書交付センター asks for the card holder's household members, for a 世帯の一部
choice, and gets them in 世帯 order with an opaque reference, the name and the relation only — refused as the
certificates door refuses (switched off, not a current resident here, another card, anyone of the household
protected), each answer in the access log; the certificates door takes the references back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

import models
from handlers.db import Database
from tests import factories
from tests.kiosk.conftest import Send, kiosk_body, kiosk_token

pytestmark = pytest.mark.req("j1210")


def household_body(holder: models.Resident, **overrides: Any) -> dict[str, Any]:
    """The household-list request: the certificates door's request id, person and terminal, nothing else."""
    body = kiosk_body(holder)
    return {key: body[key] for key in ("request_id", "person", "terminal")} | overrides


@pytest.fixture
def ask(app: Flask, center_token: str) -> Any:
    client = app.test_client()

    def _ask(body: dict[str, Any], token: str | None = None) -> TestResponse:
        headers = {"Authorization": f"Bearer {token or center_token}"}
        return client.post("/api/kiosk/household", json=body, headers=headers)

    return _ask


def logged(session: Session, function: str) -> list[models.AccessLog]:
    session.expire_all()
    statement = select(models.AccessLog).where(models.AccessLog.function == function)
    return list(session.scalars(statement.order_by(models.AccessLog.seq)))


def assert_refused(response: TestResponse, reason: str, session: Session) -> dict[str, Any]:
    body = response.get_json()
    assert response.status_code == 403 and body["error"] == "kiosk_refused", body
    assert body["reason"] == reason and body["message"] and "members" not in body
    row = logged(session, "kiosk_household_refused")[-1]
    assert row.detail["request_id"] == body["request_id"] and row.detail["reason"] == reason
    return dict(row.detail)


def test_the_center_gets_the_family_in_order_with_names_and_relations_only(
    ask: Any, family: list[models.Resident], setup_session: Session
) -> None:
    taro = family[0]
    response = ask(household_body(family[1]))
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["outcome"] == "listed"
    assert [(m["name"], m["relation"]) for m in answer["members"]] == [
        ("山田\u3000太郎", "世帯主"),
        ("山田\u3000花子", "妻"),
        ("山田\u3000一郎", "子"),
    ]
    assert all(set(m) == {"member_ref", "name", "alias", "names", "relation"} for m in answer["members"])
    assert all(m["alias"] == "" and m["names"] == [m["name"]] for m in answer["members"]), "no 通称: the 氏名"
    text = response.get_data(as_text=True)
    for person in family:
        assert person.resident_code not in text and person.atena_number not in text
    assert "1980" not in text and "港町" not in text and str(taro.my_number) not in text
    [row] = logged(setup_session, "kiosk_household_listed")
    assert row.action == "view" and row.targets == [p.atena_number for p in family]
    assert row.detail["request_id"] == answer["request_id"] and row.detail["terminal"] == "SEJ-0012345"


def test_the_certificates_door_takes_the_references_for_this_card_only(
    ask: Any, send: Send, family: list[models.Resident], setup_session: Session
) -> None:
    taro, hanako, ichiro = family
    refs = [m["member_ref"] for m in ask(household_body(taro)).get_json()["members"]]
    issued = send(kiosk_body(taro, scope="members", members=[refs[2], refs[0]]))
    assert issued.status_code == 201, issued.get_json()
    [first, *_] = setup_session.scalars(select(models.CertificateIssuance)).all()
    assert sorted(first.subjects) == sorted([ichiro.atena_number, taro.atena_number])  # printed in 世帯 order
    # the same household's other card holder: the references were not given for her card
    other = send(kiosk_body(hanako, scope="members", members=[refs[2]]))
    assert other.status_code == 403 and other.get_json()["reason"] == "member_not_in_household"
    assert ask(household_body(hanako)).get_json()["members"][2]["member_ref"] != refs[2]


@pytest.mark.req("j440", "j410")
def test_a_protected_member_refuses_the_whole_list(
    ask: Any, family: list[models.Resident], setup_session: Session, city_a: models.Municipality
) -> None:
    taro, _hanako, ichiro = family
    factories.make_support_measure(setup_session, city_a, ichiro.atena_number)
    response = ask(household_body(taro))
    detail = assert_refused(response, "not_issuable", setup_session)
    assert detail["reason_code"] == "protected_unattended"
    text = response.get_data(as_text=True)
    assert "一郎" not in text and "花子" not in text and "支援措置" not in text
    assert logged(setup_session, "kiosk_household_listed") == []


def test_a_card_whose_serial_is_not_the_recorded_one_is_refused(
    ask: Any, family: list[models.Resident], setup_session: Session
) -> None:
    taro = family[0]
    holder = setup_session.scalars(select(models.Resident).where(models.Resident.id == taro.id)).one()
    holder.user_certificate_serial = "0A1B2C3D4E5F"
    setup_session.flush()
    stale = household_body(taro, person={"resident_code": taro.resident_code, "card_serial": "99FF"})
    assert_refused(ask(stale), "card_mismatch", setup_session)
    assert ask(household_body(taro)).status_code == 200, "the recorded serial is accepted"


@pytest.mark.req("j160", "j1380")
def test_another_municipalitys_token_finds_nobody_here(
    ask: Any, db: Database, family: list[models.Resident], setup_session: Session,
    city_b: models.Municipality, users_b: dict[str, models.User],
) -> None:  # fmt: skip
    city_b.settings = {**(city_b.settings or {}), "kiosk_issuance": True}
    setup_session.flush()
    other = ask(household_body(family[0]), token=kiosk_token(db, users_b["administrator"]))
    assert other.status_code == 403 and other.get_json()["reason"] == "person_not_found"
    assert "山田" not in other.get_data(as_text=True)


def test_a_municipality_that_does_not_offer_kiosk_issuance_refuses(
    ask: Any, family: list[models.Resident], setup_session: Session, city_a: models.Municipality
) -> None:
    city_a.settings = {**(city_a.settings or {}), "kiosk_issuance": False}
    setup_session.flush()
    assert_refused(ask(household_body(family[0])), "not_offered", setup_session)


def test_a_removed_person_is_not_found_and_a_removed_member_is_not_listed(
    ask: Any, family: list[models.Resident], setup_session: Session
) -> None:
    ichiro = setup_session.get(models.Resident, family[2].id)
    assert ichiro is not None
    factories.remove_resident_row(setup_session, ichiro, removal_date=dt.date(2024, 4, 1))
    setup_session.flush()
    assert_refused(ask(household_body(ichiro)), "person_not_found", setup_session)
    listed = ask(household_body(family[0])).get_json()["members"]
    assert [m["relation"] for m in listed] == ["世帯主", "妻"]


def test_a_body_outside_the_layout_gets_its_problems(ask: Any, family: list[models.Resident]) -> None:
    bad = household_body(family[0], request_id="", person={"resident_code": "123", "card_serial": ""})
    answer = ask(bad).get_json()
    assert answer["error"] == "validation_failed"
    assert {p["field"] for p in answer["problems"]} == {
        "request_id",
        "person.resident_code",
        "person.card_serial",
    }


def test_the_openapi_document_lists_the_household_door(client: Any, center_token: str) -> None:
    document = client.get("/api/openapi.json", headers={"Authorization": f"Bearer {center_token}"}).get_json()
    operation = document["paths"]["/api/kiosk/household"]["post"]
    assert set(operation["responses"]) >= {"200", "403", "422"}
    member = document["components"]["schemas"]["KioskHousehold"]["properties"]["members"]["items"]
    assert set(member["properties"]) == {"member_ref", "name", "alias", "names", "relation"}


@pytest.fixture
def kim_family(db: Database, clerk_a: Any, kiosk_city: models.Municipality) -> list[models.Resident]:
    """金 一郎 (世帯主: 通称 金田 一郎, 氏名優先区分 通称), 金 花子 (妻: 通称 金田 花子, 氏名優先区分 氏名), 金 次郎 (子: no 通称)."""

    def member(given: str, kana: str, relation: str, **items: Any) -> dict[str, Any]:
        romaji = {"イチロウ": "ICHIRO", "ハナコ": "HANAKO", "ジロウ": "JIRO"}[kana]
        return factories.foreign_member(
            name_alphabet=f"KIM {romaji}", family_name="金", given_name=given, family_name_kana="キム",
            given_name_kana=kana, relation_to_head=relation, nationality="韓国", **items,
        )  # fmt: skip

    members = [
        member("一郎", "イチロウ", "世帯主", alias="金田\u3000一郎", alias_kana="カネダ イチロウ", name_priority="alias"),
        member("花子", "ハナコ", "妻", alias="金田\u3000花子", alias_kana="カネダ ハナコ", name_priority="name"),
        member("次郎", "ジロウ", "子"),
    ]  # fmt: skip
    household = factories.make_household(db, clerk_a, members)
    return sorted(household.members, key=lambda m: m.household_order)


@pytest.mark.req("j190", "j20")
@pytest.mark.parametrize("kept", [True, False], ids=["priority-kept", "priority-not-kept"])
def test_the_list_shows_the_alias_in_the_order_of_the_name_priority(
    ask: Any,
    kim_family: list[models.Resident],
    kiosk_city: models.Municipality,
    setup_session: Session,
    kept: bool,
) -> None:
    kiosk_city.settings = {**(kiosk_city.settings or {}), "name_priority_for_mail": kept}
    setup_session.flush()
    response = ask(household_body(kim_family[0]))
    assert response.status_code == 200, response.get_json()
    ichiro, hanako, jiro = response.get_json()["members"]
    assert (ichiro["name"], ichiro["alias"]) == ("KIM ICHIRO\u3000金\u3000一郎", "金田\u3000一郎"), (
        "as certificates print"
    )
    alias_first = [ichiro["alias"], ichiro["name"]]
    assert ichiro["names"] == (alias_first if kept else [ichiro["name"], ichiro["alias"]])
    assert hanako["names"] == [hanako["name"], "金田\u3000花子"], "氏名優先区分 氏名: the 氏名 first"
    assert jiro["alias"] == "" and jiro["names"] == [jiro["name"]]
