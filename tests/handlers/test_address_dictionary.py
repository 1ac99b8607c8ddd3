"""住所辞書管理 (j250): the municipality's dictionary in the database, loaded from Japan Post's towns with 11-digit
住所コード that stay through every refresh, and kept by administrators (add, correct, retire, reinstate), each save
in the access log and invisible to another municipality."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from handlers.address_dictionary import japan_post_towns
from handlers.address_entries import (
    address_entry,
    list_address_entries,
    reinstate_address_entry,
    retire_address_entry,
    save_address_entry,
)
from handlers.batches.runner import run_batch_now
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import NotFoundError, PermissionDeniedError, ValidationError
from handlers.uow import unit_of_work
from models import AccessLog, AddressEntry, Municipality, User
from tests import factories


@pytest.fixture
def admin_a(users_a: dict[str, User]) -> Actor:
    return factories.actor_for(users_a["administrator"])


def codes(db: Database, actor: Actor, *, retired: bool = False) -> dict[str, str]:
    """住所 → 住所コード of the dictionary (in use, or retired ones too)."""
    with unit_of_work(db, actor) as uow:
        return {
            view.address: view.address_code
            for view in list_address_entries(uow, include_retired=retired).items
        }


def logs(db: Database, actor: Actor, prefix: str) -> list[AccessLog]:
    with unit_of_work(db, actor) as uow:
        rows = uow.session.scalars(select(AccessLog).where(AccessLog.function.startswith(prefix)))
        return sorted(rows, key=lambda r: r.id)


@pytest.mark.req("j250")
def test_loaded_towns_get_eleven_digit_codes_of_their_ward_with_the_oaza_numbered_in_kana_order(
    db: Database, admin_a: Actor
) -> None:
    report = factories.load_address_dictionary(db, admin_a)
    assert (report.added, report.retired) == (4, 0)
    assert codes(db, admin_a) == {
        "神奈川県横浜市中区本町": "14104001000",
        "神奈川県横浜市中区港町": "14104002000",
        "神奈川県横浜市中区山下町": "14104003000",
        "神奈川県横浜市西区高島": "14103001000",
    }
    [log] = logs(db, admin_a, "address_dictionary_")
    assert log.detail == {"added": 4, "updated": 0, "retired": 0, "reinstated": 0, "kept_by_staff": 0}


@pytest.mark.req("j250")
def test_a_refresh_keeps_every_code_numbers_new_towns_after_the_last_and_retires_a_vanished_town(
    db: Database, admin_a: Actor
) -> None:
    factories.load_address_dictionary(db, admin_a)
    before = codes(db, admin_a)
    release = [t for t in factories.japan_post_release() if t.town != "港町"]
    release.append(factories.japan_post_town("相生町", "アイオイチョウ", "2310012"))  # first in kana order
    release[0] = factories.japan_post_town("山下町", "ヤマシタチョウ", "2310099")  # a new postcode
    report = factories.load_address_dictionary(db, admin_a, release)
    assert (report.added, report.updated, report.retired) == (1, 1, 1)
    after = codes(db, admin_a, retired=True)
    assert all(after[address] == code for address, code in before.items())
    assert after["神奈川県横浜市中区相生町"] == "14104004000"
    assert "神奈川県横浜市中区港町" not in codes(db, admin_a)  # retired, kept with its code
    back = factories.load_address_dictionary(db, admin_a, factories.japan_post_release())
    assert back.reinstated == 1 and codes(db, admin_a)["神奈川県横浜市中区港町"] == "14104002000"


@pytest.mark.req("j250")
def test_a_refresh_leaves_an_entry_staff_have_corrected(db: Database, admin_a: Actor) -> None:
    factories.load_address_dictionary(db, admin_a)
    with unit_of_work(db, admin_a) as uow:
        [entry] = [v for v in list_address_entries(uow).items if v.oaza == "本町"]
        save_address_entry(uow, entry.id, factories.address_entry_values(oaza="本町通", oaza_kana="ホンチョウドオリ",
                                                                          koaza="", koaza_kana="", postal_code=""))  # fmt: skip
    report = factories.load_address_dictionary(db, admin_a)
    assert (report.kept_by_staff, report.updated, report.added) == (1, 0, 0)
    assert codes(db, admin_a)["神奈川県横浜市中区本町通"] == "14104001000"


@pytest.mark.req("j250")
def test_japan_posts_saku_loads_with_the_jis_code_of_saku_and_a_second_load_changes_nothing(
    db: Database, setup_session: Any
) -> None:
    saku = factories.make_municipality(setup_session, code="202177", name="佐久市", prefecture="長野県")
    admin = factories.actor_for(factories.make_role_users(setup_session, saku)["administrator"])
    towns = japan_post_towns("202177")
    assert factories.load_address_dictionary(db, admin, towns).added == len(towns) == 70
    found = codes(db, admin)
    assert all(
        code.startswith("20217") and len(code) == 11 and code.endswith("000") for code in found.values()
    )
    assert len(set(found.values())) == 70 and found["長野県佐久市中込"].isdigit()
    again = factories.load_address_dictionary(db, admin, towns)
    assert (again.added, again.updated, again.retired) == (0, 0, 0) and codes(db, admin) == found


@pytest.mark.req("j250")
def test_an_administrator_adds_a_koaza_under_its_oaza_and_a_new_oaza_after_the_last(
    db: Database, admin_a: Actor
) -> None:
    factories.load_address_dictionary(db, admin_a)
    with unit_of_work(db, admin_a) as uow:
        first = save_address_entry(uow, None, factories.address_entry_values())
        second = save_address_entry(
            uow, None, factories.address_entry_values(koaza="二丁目", koaza_kana="ニチョウメ")
        )
        oaza = save_address_entry(uow, None, factories.address_entry_values(
            oaza="新港", oaza_kana="シンコウ", koaza="", koaza_kana="", postal_code="2310001"))  # fmt: skip
    assert (first.address_code, second.address_code, oaza.address_code) == (
        "14104003001", "14104003002", "14104004000")  # fmt: skip
    assert first.address == "神奈川県横浜市中区山下町一丁目" and oaza.postal_code == "231-0001"
    log = logs(db, admin_a, "address_entry_")[0]
    assert (log.function, log.action, log.login_id) == ("address_entry_saved", "setting", admin_a.login_id)
    assert log.detail["address_code"] == "14104003001" and log.detail["created"] is True


@pytest.mark.req("j250")
def test_a_correction_keeps_the_code_renames_the_oaza_in_its_koaza_and_logs_the_changed_items(
    db: Database, admin_a: Actor
) -> None:
    factories.load_address_dictionary(db, admin_a)
    with unit_of_work(db, admin_a) as uow:
        koaza = save_address_entry(uow, None, factories.address_entry_values())
        [oaza] = [v for v in list_address_entries(uow).items if v.address_code == "14104003000"]
        save_address_entry(uow, oaza.id, factories.address_entry_values(
            oaza="山下町通", oaza_kana="ヤマシタチョウドオリ", koaza="", koaza_kana="", postal_code="231-0023"))  # fmt: skip
    with unit_of_work(db, admin_a) as uow:
        assert address_entry(uow, koaza.id).address == "神奈川県横浜市中区山下町通一丁目"
        assert address_entry(uow, oaza.id).address_code == "14104003000"
    assert logs(db, admin_a, "address_entry_saved")[-1].detail["changed"] == ["oaza", "oaza_kana"]


@pytest.mark.req("j250")
@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"oaza": ""}, "oaza", "required"),
        ({"oaza_kana": "ヤマシタ町"}, "oaza_kana", "not_katakana"),
        ({"oaza_kana": "Yamashita"}, "oaza_kana", "not_katakana"),
        ({"koaza_kana": ""}, "koaza_kana", "required"),
        ({"postal_code": "23100"}, "postal_code", "format"),
        ({"oaza": "元町", "oaza_kana": "モトマチ"}, "oaza", "not_found"),
        ({"area": "13101", "koaza": "", "koaza_kana": ""}, "area", "required"),
        ({"koaza": "", "koaza_kana": ""}, "oaza", "duplicate"),
    ],
)
def test_a_bad_entry_is_refused_with_a_japanese_reason_and_nothing_is_written(
    db: Database, admin_a: Actor, overrides: dict[str, Any], field: str, code: str
) -> None:
    factories.load_address_dictionary(db, admin_a)
    with pytest.raises(ValidationError) as refused, unit_of_work(db, admin_a) as uow:
        save_address_entry(uow, None, factories.address_entry_values(**overrides))
    assert [(p.field, p.code) for p in refused.value.problems] == [(field, code)]
    assert all(p.reason and p.remedy for p in refused.value.problems)
    assert len(codes(db, admin_a, retired=True)) == 4 and logs(db, admin_a, "address_entry_") == []


@pytest.mark.req("j250")
def test_retiring_an_oaza_keeps_it_and_its_koaza_with_their_codes_and_reinstating_offers_it_again(
    db: Database, admin_a: Actor
) -> None:
    factories.load_address_dictionary(db, admin_a)
    with unit_of_work(db, admin_a) as uow:
        koaza = save_address_entry(uow, None, factories.address_entry_values())
        [oaza] = [v for v in list_address_entries(uow).items if v.address_code == "14104003000"]
        retire_address_entry(uow, oaza.id)
    assert "神奈川県横浜市中区山下町一丁目" not in codes(db, admin_a)
    assert codes(db, admin_a, retired=True)["神奈川県横浜市中区山下町一丁目"] == koaza.address_code
    with unit_of_work(db, admin_a) as uow:
        reinstate_address_entry(uow, oaza.id)
    assert codes(db, admin_a)["神奈川県横浜市中区山下町"] == "14104003000"
    retired = logs(db, admin_a, "address_entry_retired")[0]
    assert retired.detail["address_codes"] == ["14104003000", "14104003001"]
    assert [log.function for log in logs(db, admin_a, "address_entry_r")] == [
        "address_entry_retired", "address_entry_reinstated"]  # fmt: skip


@pytest.mark.req("j250")
def test_a_clerk_may_not_keep_the_dictionary(db: Database, admin_a: Actor, clerk_a: Actor) -> None:
    factories.load_address_dictionary(db, admin_a)
    with pytest.raises(PermissionDeniedError), unit_of_work(db, clerk_a) as uow:
        save_address_entry(uow, None, factories.address_entry_values())
    with pytest.raises(PermissionDeniedError), unit_of_work(db, clerk_a) as uow:
        list_address_entries(uow)


@pytest.mark.req("j250")
def test_another_municipalitys_entries_are_neither_listed_nor_found(
    db: Database, admin_a: Actor, users_b: dict[str, User], city_b: Municipality
) -> None:
    factories.load_address_dictionary(db, admin_a)
    admin_b = factories.actor_for(users_b["administrator"])
    with unit_of_work(db, admin_a) as uow:
        entry_id = list_address_entries(uow).items[0].id
    with unit_of_work(db, admin_b) as uow:
        assert list_address_entries(uow, include_retired=True).items == []
        with pytest.raises(NotFoundError):
            address_entry(uow, entry_id)
        with pytest.raises(NotFoundError):
            retire_address_entry(uow, entry_id)
        assert uow.session.scalars(select(AddressEntry)).all() == []


@pytest.mark.req("j250", "j1280")
def test_the_monthly_batch_refreshes_the_dictionary_from_japan_posts_data(
    db: Database, setup_session: Any
) -> None:
    saku = factories.make_municipality(setup_session, code="202177", name="佐久市", prefecture="長野県")
    admin = factories.actor_for(factories.make_role_users(setup_session, saku)["administrator"])
    run = run_batch_now(db, saku.id, "address_dictionary_refresh", {}, started_by="test")
    assert run.status == "succeeded" and run.output == (
        "住所辞書の更新：追加 70 件、更新 0 件、廃止 0 件、再使用 0 件、職員の修正を保持 0 件"
    )
    found = codes(db, admin)
    again = run_batch_now(db, saku.id, "address_dictionary_refresh", {}, started_by="test")
    assert again.status == "succeeded" and "追加 0 件" in (again.output or "") and codes(db, admin) == found
