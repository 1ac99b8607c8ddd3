"""住所辞書の引用 at the counter (j250): the intake page reads the municipality's dictionary from the database
(postcode → address and 住所コード), asks the 住所カナ入力 and the 都道府県 → 市区町村 → 大字 → 小字 lists, and the
住所コード of the chosen entry reaches the new household; a code that does not fit the address is refused."""

from __future__ import annotations

import pytest
from flask import Flask

import models
from handlers.address_entries import list_address_entries, retire_address_entry, save_address_entry
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from tests import factories
from tests.statements import recorded_statements
from tests.web.test_counter_forms import approve, pending_proposal
from tests.web.test_counter_pages import (  # noqa: F401 - resident_code_pool is a fixture
    case_id_of,
    move_in_form,
    resident_code_pool,
    rows,
    signed_in,
)

YAMASHITA = {"code": "14104003000", "postal": "231-0023", "address": "神奈川県横浜市中区山下町", "town": "山下町",
             "kana": "ナカク ヤマシタチョウ"}  # fmt: skip


@pytest.fixture
def admin_a(users_a: dict[str, models.User]) -> Actor:
    return factories.actor_for(users_a["administrator"])


@pytest.fixture
def loaded(db: Database, admin_a: Actor) -> None:
    factories.load_address_dictionary(db, admin_a)
    with unit_of_work(db, admin_a) as uow:
        save_address_entry(uow, None, factories.address_entry_values())  # 山下町一丁目 14104003001


@pytest.mark.req("j250")
@pytest.mark.usefixtures("loaded")
def test_the_counter_reads_the_dictionary_in_one_statement_and_an_unchanged_one_costs_a_304(
    app: Flask, users_a: dict[str, models.User], db: Database, admin_a: Actor
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    with recorded_statements(db.bind) as statements:
        answer = clerk.get("/counter/address-dictionary")
    data = answer.get_json()
    assert data["municipality"] == "神奈川県横浜市" and YAMASHITA in data["entries"]
    assert [e["code"] for e in data["entries"]][:2] == ["14103001000", "14104001000"]
    assert sum("address_entry" in s for s in statements) == 1
    again = clerk.get("/counter/address-dictionary", headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304
    with unit_of_work(db, admin_a) as uow:
        [port] = [v for v in list_address_entries(uow).items if v.oaza == "港町"]
        retire_address_entry(uow, port.id)
    changed = clerk.get("/counter/address-dictionary", headers={"If-None-Match": answer.headers["ETag"]})
    assert changed.status_code == 200 and "港町" not in {e["town"] for e in changed.get_json()["entries"]}


@pytest.mark.req("j250")
@pytest.mark.usefixtures("loaded")
@pytest.mark.parametrize("typed", ["カ ヨ ナ ヤ", "か　よ　な　や", "ナ ヤ", "ﾔﾏ", "ヤマシ"])
def test_the_kana_of_each_level_finds_the_oaza_with_its_postcode_and_code(
    app: Flask, users_a: dict[str, models.User], typed: str
) -> None:
    found = (
        signed_in(app, users_a["clerk"]).get("/counter/address-kana", query_string={"q": typed}).get_json()
    )
    assert found["candidates"] == [YAMASHITA]


@pytest.mark.req("j250")
@pytest.mark.usefixtures("loaded")
def test_a_second_kana_after_the_oaza_finds_its_koaza_and_other_text_is_refused_in_japanese(
    app: Flask, users_a: dict[str, models.User]
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    [koaza] = clerk.get("/counter/address-kana", query_string={"q": "カ ヨ ナ ヤ イ"}).get_json()[
        "candidates"
    ]
    assert (koaza["code"], koaza["address"]) == ("14104003001", "神奈川県横浜市中区山下町一丁目")
    assert (
        clerk.get("/counter/address-kana", query_string={"q": "タ"}).get_json()["candidates"][0]["code"]
        == "14103001000"
    )
    refused = clerk.get("/counter/address-kana", query_string={"q": "yama"})
    assert refused.status_code == 422
    assert refused.get_json()["problems"][0]["message"].startswith("住所カナ：カナ以外の文字があります。")


@pytest.mark.req("j250", "j510")
@pytest.mark.usefixtures("loaded")
def test_the_lists_go_from_prefecture_to_this_citys_wards_oaza_and_koaza_and_stop_at_another_municipality(
    app: Flask, users_a: dict[str, models.User]
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    prefectures = clerk.get("/counter/address-levels").get_json()
    assert len(prefectures["options"]) == 47 and prefectures["options"][13]["label"] == "神奈川県"
    cities = {o["label"]: o for o in clerk.get("/counter/address-levels?prefecture=14").get_json()["options"]}
    assert cities["横浜市中区"] == {
        "value": "14104",
        "label": "横浜市中区",
        "address": "神奈川県横浜市中区",
        "more": True,
    }
    assert cities["川崎市"]["more"] is False and cities["川崎市"]["address"] == "神奈川県川崎市"
    assert "横浜市" not in cities  # offered by its wards
    oaza = clerk.get("/counter/address-levels?area=14104").get_json()["options"]
    assert [o["label"] for o in oaza] == ["本町", "港町", "山下町"]  # kana order
    assert oaza[2]["code"] == "14104003000" and oaza[2]["postal"] == "231-0023" and oaza[2]["more"] is True
    [koaza] = clerk.get("/counter/address-levels?oaza=14104003000").get_json()["options"]
    assert (koaza["label"], koaza["code"], koaza["more"]) == ("一丁目", "14104003001", False)
    assert clerk.get("/counter/address-levels?oaza=14104").status_code == 422


@pytest.mark.req("j250")
@pytest.mark.usefixtures("loaded")
def test_the_dictionary_lookups_are_refused_to_an_analyst_and_empty_for_another_municipality(
    app: Flask, users_a: dict[str, models.User], users_b: dict[str, models.User], city_b: models.Municipality
) -> None:
    assert signed_in(app, users_a["analyst"]).get("/counter/address-kana?q=ヤ").status_code == 403
    other = signed_in(app, users_b["clerk"])
    assert other.get("/counter/address-dictionary").get_json()["entries"] == []
    assert other.get("/counter/address-kana", query_string={"q": "ヤ"}).get_json()["candidates"] == []
    assert other.get("/counter/address-levels?area=14104").get_json()["options"] == []


@pytest.mark.req("j250")
@pytest.mark.usefixtures("loaded", "resident_code_pool")
def test_the_code_of_the_chosen_entry_reaches_the_new_household(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    page = clerk.get("/cases/new/move_in").get_data(as_text=True)
    assert (
        'data-address-code-for="address"' in page
        and 'data-address-kana-lookup="/counter/address-kana"' in page
    )
    address = "神奈川県横浜市中区山下町一丁目5番地"
    case_id = case_id_of(
        clerk.post("/cases/new/move_in", data=move_in_form(address=address, address_code="14104003001"))
    )
    assert pending_proposal(db, clerk_a, case_id)["household"]["address_code"] == "14104003001"
    approve(app, db, users_a, clerk_a, case_id)
    [household] = rows(db, clerk_a, models.Household, models.Household.address == address)
    assert household.address_code == "14104003001"


@pytest.mark.req("j250")
@pytest.mark.usefixtures("loaded")
@pytest.mark.parametrize(
    ("code", "reason"), [("14104002000", "住所と一致しません"), ("14104099000", "住所辞書にありません")]
)
def test_a_code_that_does_not_fit_the_address_is_refused_at_its_field(
    app: Flask, users_a: dict[str, models.User], code: str, reason: str
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    refused = clerk.post(
        "/cases/new/move_in", data=move_in_form(address="神奈川県横浜市中区山下町1番地", address_code=code)
    )
    assert refused.status_code == 422
    assert f"住所コード：{reason}。" in refused.get_data(as_text=True)
    assert 'href="#address_code"' in refused.get_data(as_text=True)


@pytest.mark.usefixtures("resident_code_pool")
def test_without_a_dictionary_a_well_formed_code_is_taken_as_typed(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk = signed_in(app, users_a["clerk"])
    case_id = case_id_of(clerk.post("/cases/new/move_in", data=move_in_form(address_code="14104777000")))
    assert pending_proposal(db, clerk_a, case_id)["household"]["address_code"] == "14104777000"
