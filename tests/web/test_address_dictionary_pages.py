"""住所辞書管理 (j250) on its page: an administrator searches, adds, corrects, retires and reinstates entries
with validated forms (errors in Japanese, nothing half-written); a clerk may not; another municipality's entries
are not there."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from handlers.db import Database
from handlers.uow import unit_of_work
from models import AccessLog, AddressEntry, Municipality, User
from tests import factories


def entries(db: Database, users: dict[str, User]) -> dict[str, AddressEntry]:
    with unit_of_work(db, factories.actor_for(users["administrator"])) as uow:
        return {row.address_code: row for row in uow.session.scalars(select(AddressEntry))}


@pytest.fixture
def loaded(db: Database, users_a: dict[str, User]) -> None:
    factories.load_address_dictionary(db, factories.actor_for(users_a["administrator"]))


@pytest.mark.req("j250")
@pytest.mark.usefixtures("loaded")
def test_an_administrator_adds_corrects_retires_and_reinstates_an_entry_on_the_page(
    sign_in: Any, users_a: dict[str, User], db: Database
) -> None:
    client = sign_in(users_a["administrator"])
    assert "住所辞書" in client.get("/account").get_data(as_text=True)
    listing = client.get("/settings/addresses", query_string={"q": "ヤマ"}).get_data(as_text=True)
    assert "14104003000" in listing and "神奈川県横浜市中区山下町" in listing and "港町" not in listing
    new = client.get("/settings/addresses/new").get_data(as_text=True)
    assert (
        '<option value="14104">横浜市中区</option>' in new
        and '<option value="14103">横浜市西区</option>' in new
    )
    created = client.post(
        "/settings/addresses/new", data=factories.address_entry_values(koaza_kana="いっちょうめ")
    )
    assert created.status_code == 302
    row = entries(db, users_a)["14104003001"]
    assert (row.koaza, row.koaza_kana, row.postal_code, row.source) == (
        "一丁目",
        "イッチョウメ",
        "2310023",
        "staff",
    )
    corrected = client.post(
        f"/settings/addresses/{row.id}",
        data=factories.address_entry_values(postal_code="2310024"),
        follow_redirects=True,
    )
    assert "（住所コード 14104003001）を保存しました" in corrected.get_data(as_text=True)
    assert entries(db, users_a)["14104003001"].postal_code == "2310024"
    retired = client.post(f"/settings/addresses/{row.id}/retire", follow_redirects=True).get_data(
        as_text=True
    )
    assert "住所コード 14104003001 は残り" in retired
    assert entries(db, users_a)["14104003001"].retired_date is not None
    assert client.post(f"/settings/addresses/{row.id}/reinstate").status_code == 302
    assert entries(db, users_a)["14104003001"].retired_date is None
    with unit_of_work(db, factories.actor_for(users_a["administrator"])) as uow:
        functions = [log.function for log in uow.session.scalars(select(AccessLog).order_by(AccessLog.id))]
    assert [f for f in functions if f.startswith("address_entry_")] == [
        "address_entry_saved", "address_entry_saved", "address_entry_retired", "address_entry_reinstated"]  # fmt: skip


@pytest.mark.req("j250")
@pytest.mark.usefixtures("loaded")
def test_a_bad_entry_comes_back_with_the_japanese_reason_and_nothing_is_written(
    sign_in: Any, users_a: dict[str, User], db: Database
) -> None:
    client = sign_in(users_a["administrator"])
    page = client.post(
        "/settings/addresses/new", data=factories.address_entry_values(oaza="元町", oaza_kana="モトマチ")
    )
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "大字（町域）：住所辞書にない大字です。小字・丁目を追加する大字を先に登録してください" in text
    assert 'href="#oaza"' in text and len(entries(db, users_a)) == 4
    blank = client.post("/settings/addresses/new", data=factories.address_entry_values(oaza_kana=""))
    assert blank.status_code == 422 and "大字のフリガナを入力してください。" in blank.get_data(as_text=True)


@pytest.mark.req("j250")
@pytest.mark.usefixtures("loaded")
def test_a_clerk_is_refused_the_dictionary_pages(
    sign_in: Any, users_a: dict[str, User], db: Database
) -> None:
    client = sign_in(users_a["clerk"])
    assert client.get("/settings/addresses").status_code == 403
    assert client.post("/settings/addresses/new", data=factories.address_entry_values()).status_code == 403
    some = next(iter(entries(db, users_a).values()))
    assert client.post(f"/settings/addresses/{some.id}/retire").status_code == 403
    assert "/settings/addresses" not in client.get("/account").get_data(as_text=True)


@pytest.mark.req("j250")
@pytest.mark.usefixtures("loaded")
def test_another_municipalitys_administrator_sees_none_of_the_entries(
    sign_in: Any, users_a: dict[str, User], users_b: dict[str, User], city_b: Municipality, db: Database
) -> None:
    some = entries(db, users_a)["14104003000"]
    client = sign_in(users_b["administrator"])
    assert "山下町" not in client.get("/settings/addresses", query_string={"q": "ヤマ"}).get_data(
        as_text=True
    )
    assert client.get(f"/settings/addresses/{some.id}").status_code == 404
    assert client.post(f"/settings/addresses/{some.id}/retire").status_code == 404
    assert entries(db, users_a)["14104003000"].retired_date is None
