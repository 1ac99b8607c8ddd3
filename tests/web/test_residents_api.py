"""Resident API: search, view and household registration with tokens; 422 with Japanese problems and nothing
written; another city's person is 404 (j1380, j1370, j1440)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.api_tokens import issue_token
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from models import AccessLog, Household, Resident, User
from tests.factories import actor_for, default_address, japanese_family, make_household


def token_for(db: Database, users: dict[str, User], role_user: str = "clerk") -> dict[str, str]:
    with unit_of_work(db, actor_for(users["administrator"])) as uow:
        secret = issue_token(uow, name=f"test-{role_user}", user_id=users[role_user].id)
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def family(db: Database, clerk_a: Actor) -> Household:
    return make_household(db, clerk_a)


@pytest.mark.req("j330", "j1370")
def test_search_returns_hits_and_is_logged(
    client: FlaskClient, db: Database, users_a: dict[str, User], family: Household, setup_session: Session
) -> None:
    response = client.get("/api/residents", query_string={"kana": "ヤマダ"}, headers=token_for(db, users_a))
    assert response.status_code == 200
    body = response.get_json()
    assert body["truncated"] is False
    assert {h["name"] for h in body["results"]} == {"山田 太郎", "山田 花子", "山田 一郎"}
    assert all(h["protected"] is False for h in body["results"])
    assert setup_session.scalars(select(AccessLog).where(AccessLog.function == "resident_searched")).one()


@pytest.mark.req("j1390")
def test_view_masks_the_users_hidden_items(
    client: FlaskClient, db: Database, users_a: dict[str, User], family: Household, setup_session: Session
) -> None:
    users_a["clerk"].hide_resident_code = True
    setup_session.flush()
    head = family.members[0]
    body = client.get(f"/api/residents/{head.atena_number}", headers=token_for(db, users_a)).get_json()
    items = {i["field"]: i for s in body["sections"] for i in s["items"]}
    assert items["resident_code"]["value"] == items["resident_code"]["raw"] == "（非表示）"
    assert items["my_number"]["value"] == head.my_number
    assert items["birth_date"]["label"] == "生年月日" and items["birth_date"]["value"] == "昭和55年4月1日"
    assert [m["relation_to_head"] for m in body["household_members"]] == ["世帯主", "妻", "子"]
    assert head.resident_code not in str(body)


def _registration(**overrides: Any) -> dict[str, Any]:
    body = {
        "household": default_address(),
        "members": japanese_family(),
        "reason_code": "domestic_move_in",
        "change_date": "2024-04-01",
    }
    body.update(overrides)
    return body


def test_registering_a_household_returns_201_with_the_numbers(
    client: FlaskClient, db: Database, users_a: dict[str, User], setup_session: Session
) -> None:
    response = client.post("/api/households", json=_registration(), headers=token_for(db, users_a))
    assert response.status_code == 201
    body = response.get_json()
    assert len(body["household_number"]) == 10 and len(body["members"]) == 3
    assert setup_session.scalar(select(func.count()).select_from(Resident)) == 3


@pytest.mark.req("j1440", "j60")
def test_a_bad_registration_is_422_with_japanese_problems_and_writes_nothing(
    client: FlaskClient, db: Database, users_a: dict[str, User], setup_session: Session
) -> None:
    members = japanese_family()
    members[0]["honseki"] = ""
    response = client.post(
        "/api/households", json=_registration(members=members), headers=token_for(db, users_a)
    )
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "validation_failed"
    assert [(p["field"], p["item"], p["code"]) for p in body["problems"]] == [
        ("members[0].honseki", "本籍（1人目）", "required")
    ]
    assert setup_session.scalar(select(func.count()).select_from(Household)) == 0


@pytest.mark.req("j1380")
def test_another_city_gets_404_for_the_person_and_cannot_find_them(
    client: FlaskClient, db: Database, users_a: dict[str, User], users_b: dict[str, User], family: Household
) -> None:
    headers = token_for(db, users_b)
    response = client.get(f"/api/residents/{family.members[0].atena_number}", headers=headers)
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    assert (
        client.get("/api/residents", query_string={"kana": "ヤマダ"}, headers=headers).get_json()["results"]
        == []
    )


def test_without_a_token_the_api_refuses(client: FlaskClient, family: Household) -> None:
    assert client.get("/api/residents", query_string={"kana": "ヤマダ"}).status_code == 401
