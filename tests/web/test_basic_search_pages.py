"""基本検索 (j340) on the search page and the JSON API: the new conditions, the ward select starting at the
operator's ward in a designated city only, 「未入力」 items, former names marked 「旧氏名で一致」."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from handlers.api_tokens import issue_token
from handlers.context import Actor
from handlers.db import Database
from handlers.residents.registration import amend_resident
from handlers.uow import unit_of_work
from models import Household, Municipality, User, Ward
from tests.factories import actor_for, japanese_member, make_household
from tests.web.conftest import login_as

pytestmark = pytest.mark.req("j340")


@pytest.fixture
def renamed(db: Database, clerk_a: Actor, setup_session: Session, city_a: Municipality) -> Household:
    """A household in 鶴見区 whose head was 山田 and is now 佐藤."""
    setup_session.add_all([Ward(municipality_id=city_a.id, code="141011", name="鶴見区"),
                           Ward(municipality_id=city_a.id, code="141020", name="神奈川区")])  # fmt: skip
    setup_session.flush()
    household = make_household(
        db,
        clerk_a,
        [japanese_member()],
        household={
            "address": "神奈川県横浜市鶴見区豊岡町1番1号",
            "postal_code": "2300062",
            "ward_code": "141011",
        },
    )
    with unit_of_work(db, clerk_a) as uow:
        amend_resident(uow, household.members[0].atena_number, {"family_name": "佐藤", "family_name_kana": "サトウ"},
                       reason_code="ex_officio_correction", change_date="2024-05-01")  # fmt: skip
    return household


def test_the_form_offers_every_condition_in_japanese(client: FlaskClient, users_a: dict[str, User]) -> None:
    login_as(client, users_a["clerk"])
    page = client.get("/residents/search").get_data(as_text=True)
    for label in ("旧氏", "旧氏カナ", "通称カナ", "続柄（一部でも可）", "住所コード（先頭から）", "消除事由（除票を検索）",
                  "データ未入力の項目で検索", "方書が未入力", "個人番号が未入力", "過去の氏名・住所も検索する", "死亡"):  # fmt: skip
        assert label in page, label
    assert 'id="f-include_past" name="include_past" type="checkbox" value="y"' in page and "checked" in page


def test_the_ward_starts_at_the_operators_ward_in_a_designated_city(
    client: FlaskClient, users_a: dict[str, User], renamed: Household, setup_session: Session
) -> None:
    clerk = users_a["clerk"]
    clerk.ward_code = "141020"
    setup_session.flush()
    login_as(client, clerk)
    page = client.get("/residents/search").get_data(as_text=True)
    assert '<option selected value="141020">神奈川区</option>' in page
    assert '<option value="">全区</option>' in page and "操作者の所属区を最初に選んでいます" in page
    own_ward = client.get("/residents/search", query_string={"kana": "サトウ"}).get_data(as_text=True)
    assert "該当する住民はいません" in own_ward  # 佐藤 lives in 鶴見区; the default ward is kept
    every_ward = client.get("/residents/search", query_string={"kana": "サトウ", "ward_code": ""})
    assert "佐藤 太郎" in every_ward.get_data(as_text=True)


def test_an_operator_without_a_ward_starts_at_every_ward_and_is_not_told_otherwise(
    client: FlaskClient, users_a: dict[str, User], renamed: Household
) -> None:
    login_as(client, users_a["clerk"])
    page = client.get("/residents/search").get_data(as_text=True)
    assert '<option selected value="">全区</option>' in page
    assert "区を選ぶと、その区の住民だけを探します" in page and "操作者の所属区を最初に" not in page


def test_an_ordinary_city_shows_no_ward(client: FlaskClient, users_b: dict[str, User]) -> None:
    login_as(client, users_b["clerk"])
    page = client.get("/residents/search").get_data(as_text=True)
    assert 'name="ward_code"' not in page


def test_a_former_name_is_found_and_marked_on_the_page(
    client: FlaskClient, users_a: dict[str, User], renamed: Household
) -> None:
    login_as(client, users_a["clerk"])
    page = client.get(
        "/residents/search", query_string={"name": "山田", "include_past": "y", "ward_code": ""}
    ).get_data(as_text=True)
    assert "佐藤 太郎" in page and "（旧氏名で一致）" in page
    page = client.get("/residents/search", query_string={"name": "山田", "ward_code": ""}).get_data(
        as_text=True
    )
    assert "該当する住民はいません" in page


def test_blank_items_are_asked_with_checkboxes(
    client: FlaskClient, users_a: dict[str, User], renamed: Household
) -> None:
    login_as(client, users_a["clerk"])
    page = client.get(
        "/residents/search", query_string=[("blank", "address_katagaki"), ("blank", "former_surname")]
    ).get_data(as_text=True)
    assert "佐藤 太郎" in page
    assert '<input checked id="blank-4" name="blank" type="checkbox" value="address_katagaki">' in page
    assert '<input id="blank-2" name="blank" type="checkbox" value="alias">' in page  # kept as chosen


def test_the_api_takes_the_same_conditions(
    client: FlaskClient, db: Database, users_a: dict[str, User], users_b: dict[str, User], renamed: Household
) -> None:
    with unit_of_work(db, actor_for(users_a["administrator"])) as uow:
        token = issue_token(uow, name="tax", roles=["clerk"])
    headers = {"Authorization": f"Bearer {token}"}
    body = client.get(
        "/api/residents", query_string={"kana": "ヤマダ", "include_past": "true"}, headers=headers
    ).get_json()
    assert [(r["name"], r["matched_past"], r["past_match_label"]) for r in body["results"]] == [
        ("佐藤 太郎", ["name"], "旧氏名で一致")
    ]
    body = client.get("/api/residents", query_string={"blank": "address_katagaki,alias", "ward_code": "141011"},
                      headers=headers).get_json()  # fmt: skip
    assert [r["name"] for r in body["results"]] == ["佐藤 太郎"]
    refused = client.get("/api/residents", query_string={"removal_reason": "birth"}, headers=headers)
    assert refused.status_code == 422
    document = client.get("/api/openapi.json", headers=headers).get_json()
    names = {p["name"] for p in document["paths"]["/api/residents"]["get"]["parameters"]}
    assert {"former_surname", "alias_kana", "relation_to_head", "address_code", "ward_code", "removal_reason",
            "blank", "include_past"} <= names  # fmt: skip
