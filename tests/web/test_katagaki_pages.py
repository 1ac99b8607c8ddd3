"""方書管理 (j260) on its page and 方書入力補助 (j520) at the counter: a supervisor keeps the register with
validated forms (errors in Japanese, nothing half-written), a clerk may not; the intake page's address field
asks the counter's look-up for the 方書 of the entered 住所地番."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from models import Katagaki, Municipality, User
from tests import factories

LOT = "神奈川県横浜市中区港町1丁目1番地"


def register(db: Database, city: Municipality) -> list[Katagaki]:
    with unit_of_work(db, Actor.system(city.id)) as uow:
        return list(uow.session.scalars(select(Katagaki).order_by(Katagaki.id)))


@pytest.mark.req("j260")
def test_a_supervisor_adds_edits_retires_and_reinstates_a_katagaki_on_the_page(
    sign_in: Any, users_a: dict[str, User], db: Database, city_a: Municipality
) -> None:
    client = sign_in(users_a["supervisor"])
    assert "方書管理" in client.get("/account").get_data(as_text=True)
    assert client.get("/settings/katagaki/new").status_code == 200
    created = client.post("/settings/katagaki/new", data=factories.katagaki_values())
    assert created.status_code == 302
    [row] = register(db, city_a)
    listing = client.get("/settings/katagaki", query_string={"address": "神奈川県横浜市中区港町一丁目"})
    assert "港ハイツ" in listing.get_data(as_text=True) and LOT in listing.get_data(as_text=True)
    edited = client.post(f"/settings/katagaki/{row.id}", data=factories.katagaki_values(name="港ハイツ本館"))
    assert edited.status_code == 302
    retiring = client.post(f"/settings/katagaki/{row.id}/retire", follow_redirects=True).get_data(
        as_text=True
    )
    assert "方書「港ハイツ本館」を廃止しました。" in retiring and "<td>港ハイツ本館</td>" not in retiring
    assert "<td>港ハイツ本館</td>" not in client.get("/settings/katagaki").get_data(as_text=True)
    retired = client.get("/settings/katagaki", query_string={"retired": "1"}).get_data(as_text=True)
    assert "<td>港ハイツ本館</td>" in retired and re.search(r"廃止（(令和|平成)\d+年\d+月\d+日）", retired)
    assert client.post(f"/settings/katagaki/{row.id}/reinstate").status_code == 302
    [row] = register(db, city_a)
    assert (row.name, row.retired_date) == ("港ハイツ本館", None)


@pytest.mark.req("j260")
def test_a_full_width_address_code_is_kept_in_ascii_digits(
    sign_in: Any, users_a: dict[str, User], db: Database, city_a: Municipality
) -> None:
    client = sign_in(users_a["supervisor"])
    created = client.post(
        "/settings/katagaki/new", data=factories.katagaki_values(address_code="１４１０４００１００１")
    )
    assert created.status_code == 302
    [row] = register(db, city_a)
    assert row.address_code == "14104001001"


@pytest.mark.req("j260")
def test_a_bad_entry_comes_back_with_the_japanese_reason_and_nothing_is_written(
    sign_in: Any, users_a: dict[str, User], db: Database, city_a: Municipality
) -> None:
    client = sign_in(users_a["administrator"])
    page = client.post(
        "/settings/katagaki/new", data=factories.katagaki_values(address="神奈川県横浜市中区港町1丁目")
    )
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "住所地番：地番（番地・番・号）がありません。方書のある地番まで入力してください" in text
    assert 'href="#address"' in text and register(db, city_a) == []


@pytest.mark.req("j260")
def test_a_clerk_is_refused_the_register_pages(sign_in: Any, users_a: dict[str, User]) -> None:
    client = sign_in(users_a["clerk"])
    assert client.get("/settings/katagaki").status_code == 403
    assert client.post("/settings/katagaki/new", data=factories.katagaki_values()).status_code == 403
    assert "方書管理" not in client.get("/account").get_data(as_text=True)


@pytest.mark.req("j520")
def test_the_counter_look_up_answers_the_katagaki_registered_at_the_entered_lot(
    sign_in: Any, users_a: dict[str, User], db: Database
) -> None:
    factories.make_katagaki(db, factories.actor_for(users_a["supervisor"]))
    client = sign_in(users_a["clerk"])
    found = client.get("/counter/katagaki", query_string={"address": "神奈川県横浜市中区港町一丁目1番地"})
    assert found.status_code == 200
    assert found.get_json() == {
        "candidates": [{"name": "港ハイツ", "name_kana": "ミナトハイツ", "kind_label": "アパート"}]
    }
    other = client.get("/counter/katagaki", query_string={"address": "神奈川県横浜市中区港町1丁目9番地"})
    assert other.get_json() == {"candidates": []}


@pytest.mark.req("j520")
@pytest.mark.parametrize("code", ["move_in", "move_within"])
def test_the_intake_page_wires_the_address_field_to_the_katagaki_look_up(
    sign_in: Any, users_a: dict[str, User], code: str
) -> None:
    page = sign_in(users_a["clerk"]).get(f"/cases/new/{code}").get_data(as_text=True)
    assert 'data-katagaki-lookup="/counter/katagaki"' in page
    assert 'data-katagaki-for="address_katagaki"' in page and 'id="address_katagaki"' in page
