"""方書管理 (j260) and 方書入力補助 (j520): staff keep the municipality's 方書 register, each entry linked to its
住所地番; the counter is offered the 方書 registered at the entered 住所地番, retired ones left out."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from handlers.katagaki import (
    katagaki_entry,
    katagaki_for_address,
    list_katagaki,
    reinstate_katagaki,
    retire_katagaki,
    save_katagaki,
)
from handlers.uow import unit_of_work
from models import AccessLog, Katagaki, User
from tests import factories

LOT = "神奈川県横浜市中区港町1丁目1番地"


def admin(users: dict[str, User]) -> Actor:
    return factories.actor_for(users["administrator"])


def logs(db: Database, actor: Actor, prefix: str = "katagaki_") -> list[AccessLog]:
    with unit_of_work(db, actor) as uow:
        rows = uow.session.scalars(select(AccessLog).where(AccessLog.function.startswith(prefix)))
        return sorted(rows, key=lambda r: r.id)


def offered(db: Database, actor: Actor, address: str) -> list[str]:
    with unit_of_work(db, actor) as uow:
        return [candidate.name for candidate in katagaki_for_address(uow, address)]


@pytest.mark.req("j260")
def test_a_supervisor_registers_a_katagaki_at_its_lot_and_the_save_is_logged(
    db: Database, supervisor_a: Actor
) -> None:
    saved = factories.make_katagaki(db, supervisor_a, address="神奈川県横浜市中区港町一丁目１番地")
    with unit_of_work(db, supervisor_a) as uow:
        [row] = list_katagaki(uow).items
        stored = uow.session.get(Katagaki, saved.id)
        assert stored is not None and stored.address_key == "神奈川県横浜市中区港町1丁目1番地"
    assert (row.address, row.name, row.name_kana, row.kind_label, row.retired) == (
        "神奈川県横浜市中区港町一丁目１番地", "港ハイツ", "ミナトハイツ", "アパート", False,
    )  # fmt: skip
    [log] = logs(db, supervisor_a)
    assert (log.function, log.action, log.login_id) == ("katagaki_saved", "setting", supervisor_a.login_id)
    assert log.detail["created"] is True and log.detail["katagaki_id"] == saved.id


@pytest.mark.req("j260")
@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"address": ""}, "address", "required"),
        ({"address": "神奈川県横浜市中区港町1丁目"}, "address", "no_lot_number"),
        ({"address": "長野県上田市中央1番地"}, "address", "other_municipality"),
        ({"name": " "}, "name", "required"),
        ({"name_kana": "みなと"}, "name_kana", "not_katakana"),
        ({"address_code": "1410"}, "address_code", "invalid"),
        ({"kind": "castle"}, "kind", "required"),
    ],
)
def test_an_entry_with_a_bad_item_is_refused_with_a_japanese_reason_and_nothing_is_written(
    db: Database, supervisor_a: Actor, overrides: dict[str, Any], field: str, code: str
) -> None:
    with pytest.raises(ValidationError) as refused, unit_of_work(db, supervisor_a) as uow:
        save_katagaki(uow, None, factories.katagaki_values(**overrides))
    assert [(p.field, p.code) for p in refused.value.problems] == [(field, code)]
    assert all(p.reason and p.remedy for p in refused.value.problems)
    with unit_of_work(db, supervisor_a) as uow:
        assert list_katagaki(uow, include_retired=True).items == []
    assert logs(db, supervisor_a) == []


@pytest.mark.req("j260")
def test_the_same_katagaki_at_the_same_lot_is_refused_in_any_spelling_of_the_lot(
    db: Database, supervisor_a: Actor
) -> None:
    factories.make_katagaki(db, supervisor_a)
    with pytest.raises(ValidationError) as refused, unit_of_work(db, supervisor_a) as uow:
        save_katagaki(uow, None, factories.katagaki_values(address="神奈川県横浜市中区港町一丁目1番地"))
    assert [p.code for p in refused.value.problems] == ["duplicate"]
    factories.make_katagaki(db, supervisor_a, address="神奈川県横浜市中区港町1丁目2番地")  # another lot: fine


@pytest.mark.req("j260")
def test_an_administrator_corrects_an_entry_and_the_changed_items_are_logged(
    db: Database, users_a: dict[str, User]
) -> None:
    actor = admin(users_a)
    saved = factories.make_katagaki(db, actor)
    values = factories.katagaki_values(
        name="港ハイツ東館", name_kana="ミナトハイツヒガシカン", kind="mansion"
    )
    with unit_of_work(db, actor) as uow:
        save_katagaki(uow, saved.id, values)
    with unit_of_work(db, actor) as uow:
        view = katagaki_entry(uow, saved.id)
    assert (view.name, view.kind_label, view.address) == ("港ハイツ東館", "マンション", LOT)
    assert logs(db, actor)[-1].detail == {"katagaki_id": saved.id, "created": False,
                                          "changed": ["kind", "name", "name_kana"]}  # fmt: skip


@pytest.mark.req("j260", "j520")
def test_a_retired_katagaki_stays_in_the_register_but_is_offered_again_only_once_reinstated(
    db: Database, supervisor_a: Actor, clerk_a: Actor
) -> None:
    saved = factories.make_katagaki(db, supervisor_a)
    factories.make_katagaki(db, supervisor_a, name="港寮", name_kana="ミナトリョウ", kind="dormitory")
    with unit_of_work(db, supervisor_a) as uow:
        retire_katagaki(uow, saved.id)
    assert offered(db, clerk_a, LOT) == ["港寮"]
    with unit_of_work(db, supervisor_a) as uow:
        assert [v.name for v in list_katagaki(uow).items] == ["港寮"]
        assert {v.name: v.retired for v in list_katagaki(uow, include_retired=True).items} == {
            "港ハイツ": True,
            "港寮": False,
        }
    with pytest.raises(ConflictError), unit_of_work(db, supervisor_a) as uow:
        retire_katagaki(uow, saved.id)
    with unit_of_work(db, supervisor_a) as uow:
        reinstate_katagaki(uow, saved.id)
    assert offered(db, clerk_a, LOT) == ["港ハイツ", "港寮"]  # in フリガナ order
    assert [log.function for log in logs(db, supervisor_a)][-2:] == [
        "katagaki_retired",
        "katagaki_reinstated",
    ]


@pytest.mark.req("j260")
def test_a_clerk_may_not_manage_the_register(db: Database, supervisor_a: Actor, clerk_a: Actor) -> None:
    saved = factories.make_katagaki(db, supervisor_a)
    for call in (
        lambda uow: list_katagaki(uow),
        lambda uow: save_katagaki(uow, None, factories.katagaki_values(name="別館")),
        lambda uow: retire_katagaki(uow, saved.id),
    ):
        with pytest.raises(PermissionDeniedError), unit_of_work(db, clerk_a) as uow:
            call(uow)


@pytest.mark.req("j260", "j520")
def test_another_municipality_neither_sees_nor_changes_nor_is_offered_the_register(
    db: Database, supervisor_a: Actor, users_b: dict[str, User]
) -> None:
    saved = factories.make_katagaki(db, supervisor_a)
    supervisor_b = factories.actor_for(users_b["supervisor"])
    with unit_of_work(db, supervisor_b) as uow:
        assert list_katagaki(uow, include_retired=True).items == []
        assert katagaki_for_address(uow, LOT) == []
    for call in (lambda uow: katagaki_entry(uow, saved.id), lambda uow: retire_katagaki(uow, saved.id)):
        with pytest.raises(NotFoundError), unit_of_work(db, supervisor_b) as uow:
            call(uow)


@pytest.mark.req("j520")
def test_the_counter_is_offered_the_katagaki_of_the_entered_lot_however_its_numbers_are_written(
    db: Database, supervisor_a: Actor, clerk_a: Actor
) -> None:
    factories.make_katagaki(db, supervisor_a)
    factories.make_katagaki(db, supervisor_a, name="コーポ港", name_kana="コーポミナト")
    factories.make_katagaki(
        db,
        supervisor_a,
        address="神奈川県横浜市中区港町1丁目2番地",
        name="隣のビル",
        name_kana="トナリノビル",
    )
    assert offered(db, clerk_a, "神奈川県横浜市中区港町一丁目１番地") == ["コーポ港", "港ハイツ"]
    assert offered(db, clerk_a, "神奈川県横浜市中区港町 1丁目1番地") == ["コーポ港", "港ハイツ"]
    assert offered(db, clerk_a, "神奈川県横浜市中区港町1丁目2番地") == ["隣のビル"]
    assert offered(db, clerk_a, "神奈川県横浜市中区港町1丁目3番地") == []
    assert offered(db, clerk_a, "") == []
