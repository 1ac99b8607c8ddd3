"""Household primitives: joining, moving, a new address, a new head, the order — each appending history."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ValidationError
from handlers.residents import households as hh
from handlers.uow import unit_of_work
from models.audit import AccessLog
from models.resident import Household, Resident, ResidentHistory
from tests import factories
from tests.statements import recorded_statements

DATE = "2024-04-01"


@pytest.fixture
def family(db: Database, clerk_a: Actor) -> Household:
    return factories.make_household(db, clerk_a)  # 太郎 (世帯主), 花子 (妻), 一郎 (子)


def state(db: Database, actor: Actor, household_number: str) -> tuple[Household, list[Resident]]:
    with unit_of_work(db, actor) as uow:
        household = uow.session.scalars(
            select(Household).where(Household.household_number == household_number)
        ).one()
        members = sorted(
            (m for m in household.members if m.status != "removed"), key=lambda m: m.household_order
        )
        household.head  # noqa: B018 - load before the session closes
    return household, members


def history(db: Database, actor: Actor, atena: str) -> list[ResidentHistory]:
    with unit_of_work(db, actor) as uow:
        return list(
            uow.session.scalars(
                select(ResidentHistory)
                .where(ResidentHistory.atena_number == atena)
                .order_by(ResidentHistory.history_no)
            )
        )


def run(db: Database, actor: Actor, fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
    with unit_of_work(db, actor) as uow:
        result = fn(uow, *args, **kwargs)
        uow.session.flush()
        return result


@pytest.mark.req("j470")
def test_new_persons_join_an_existing_household_in_the_standard_order(
    db: Database, clerk_a: Actor, family: Household
) -> None:
    baby = factories.japanese_member(given_name="二郎", given_name_kana="ジロウ", birth_date="2023-05-01",
                                     relation_to_head="子")  # fmt: skip
    mother = factories.japanese_member(given_name="梅", given_name_kana="ウメ", birth_date="1950-01-01",
                                       relation_to_head="母", sex="2")  # fmt: skip
    run(db, clerk_a, hh.add_members_to_household, family.household_number, [baby, mother],
        reason_code="domestic_move_in", change_date=DATE)  # fmt: skip
    _, members = state(db, clerk_a, family.household_number)
    assert [m.given_name for m in members] == ["太郎", "花子", "一郎", "二郎", "梅"]
    added = [m for m in members if m.given_name in ("二郎", "梅")]
    assert [history(db, clerk_a, m.atena_number)[-1].change_reason for m in added] == ["domestic_move_in"] * 2
    assert len(history(db, clerk_a, members[0].atena_number)) == 1  # existing members untouched


@pytest.mark.req("j470")
def test_a_second_head_cannot_join_and_nothing_is_written(
    db: Database, clerk_a: Actor, family: Household
) -> None:
    with pytest.raises(ValidationError) as refused:
        run(db, clerk_a, hh.add_members_to_household, family.household_number, [factories.japanese_member()],
            reason_code="domestic_move_in", change_date=DATE)  # fmt: skip
    assert "duplicate_head" in [p.code for p in refused.value.problems]
    assert len(state(db, clerk_a, family.household_number)[1]) == 3


@pytest.mark.req("j460", "j490", "j720")
def test_the_head_moving_to_a_new_household_leaves_the_old_head_unset(
    db: Database, clerk_a: Actor, family: Household
) -> None:
    _, members = state(db, clerk_a, family.household_number)
    taro = members[0].atena_number
    new = run(db, clerk_a, hh.move_members, [taro], new_household={}, relations={taro: "世帯主"},
              reason_code="household_split", change_date=DATE)  # fmt: skip
    moved, [head] = state(db, clerk_a, new.household_number)
    assert moved.head.atena_number == taro and head.relation_to_head == "世帯主"
    assert moved.address == family.address  # a split keeps the address unless another is given
    old, rest = state(db, clerk_a, family.household_number)
    assert old.head is None and [m.given_name for m in rest] == ["花子", "一郎"]
    rows = history(db, clerk_a, taro)
    assert (rows[-1].change_reason, rows[-1].household_number) == ("household_split", new.household_number)


@pytest.mark.req("j470", "j720")
def test_a_whole_household_merging_into_another_dissolves_the_empty_one(
    db: Database, clerk_a: Actor, family: Household
) -> None:
    other = factories.make_household(
        db, clerk_a, [factories.japanese_member(family_name="佐藤", family_name_kana="サトウ")]
    )
    _, members = state(db, clerk_a, other.household_number)
    sato = members[0].atena_number
    run(db, clerk_a, hh.move_members, [sato], to_household_number=family.household_number,
        relations={sato: "同居人"}, reason_code="household_merge", change_date=DATE)  # fmt: skip
    gone, _ = state(db, clerk_a, other.household_number)
    assert gone.status == "dissolved"
    _, joined = state(db, clerk_a, family.household_number)
    assert [m.relation_to_head for m in joined][-1] == "同居人"
    with pytest.raises(ValidationError):
        run(db, clerk_a, hh.move_members, [sato], new_household={}, relations={sato: "世帯主の兄の子の子の子"},
            reason_code="household_split", change_date=DATE)  # fmt: skip


@pytest.mark.req("j630")
def test_a_new_household_address_gives_every_member_a_history_row(
    db: Database, clerk_a: Actor, family: Household
) -> None:
    run(db, clerk_a, hh.change_household_address, family.household_number, address="神奈川県横浜市中区本町2丁目2番地",
        postal_code="231-0005", address_set_date=DATE, reason_code="move_within", change_date=DATE)  # fmt: skip
    household, members = state(db, clerk_a, family.household_number)
    assert household.address == "神奈川県横浜市中区本町2丁目2番地" and household.postal_code == "2310005"
    for member in members:
        assert member.address_set_date.isoformat() == DATE
        last = history(db, clerk_a, member.atena_number)[-1]
        assert (last.change_reason, last.snapshot["household_address"]) == ("move_within", household.address)
    with unit_of_work(db, clerk_a) as uow:
        logged = uow.session.scalars(select(AccessLog.function)).all()
    assert "household_address_changed" in logged


@pytest.mark.req("j720", "j730")
def test_a_new_head_takes_the_head_relation_and_the_former_head_needs_one(
    db: Database, clerk_a: Actor, family: Household
) -> None:
    _, members = state(db, clerk_a, family.household_number)
    taro, hanako, ichiro = (m.atena_number for m in members)
    with pytest.raises(ValidationError):
        run(db, clerk_a, hh.change_head, family.household_number, hanako, relations={}, change_date=DATE)
    run(
        db, clerk_a, hh.change_head, family.household_number, hanako, relations={taro: "夫"}, change_date=DATE
    )
    household, members = state(db, clerk_a, family.household_number)
    assert household.head.atena_number == hanako
    assert {m.atena_number: m.relation_to_head for m in members} == {
        hanako: "世帯主",
        taro: "夫",
        ichiro: "子",
    }
    assert history(db, clerk_a, ichiro)[-1].change_reason == "head_change"
    assert history(db, clerk_a, ichiro)[-1].snapshot["head_name"] == "山田 花子"


@pytest.mark.req("j1010")
def test_reorder_places_a_childs_family_after_the_child(
    db: Database, clerk_a: Actor, family: Household
) -> None:
    wife = factories.japanese_member(given_name="幸", given_name_kana="サチ", birth_date="2011-01-01", sex="2",
                                     relation_to_head="子の妻")  # fmt: skip
    run(db, clerk_a, hh.add_members_to_household, family.household_number, [wife],
        reason_code="domestic_move_in", change_date=DATE)  # fmt: skip
    _, members = state(db, clerk_a, family.household_number)
    by_name = {m.given_name: m.atena_number for m in members}
    run(db, clerk_a, hh.reorder_household, family.household_number, {by_name["幸"]: by_name["一郎"]})
    _, members = state(db, clerk_a, family.household_number)
    assert [m.given_name for m in members] == ["太郎", "花子", "一郎", "幸"]


def test_a_family_joining_a_new_household_is_written_by_one_statement_per_table_with_its_head(
    db: Database, clerk_a: Actor
) -> None:
    """The persons, the head they bring and their history rows: one INSERT, one UPDATE, one INSERT (SQLite
    sends an INSERT … RETURNING per row), nothing left for the flush, and the head and history stored."""
    family = factories.japanese_family()
    with unit_of_work(db, clerk_a) as uow:
        household = hh.create_household(uow, factories.default_address())
        with recorded_statements(uow.session.connection()) as sent:
            added = hh.add_members_to_household(
                uow, household.household_number, family, reason_code="domestic_move_in", change_date=DATE
            )
            uow.session.flush()
        assert not uow.session.dirty and not uow.session.new
    writes = [" ".join(s.split()[:3]).upper() for s in sent if not s.lstrip().upper().startswith("SELECT")]
    per_row = 1 if db.bind.dialect.name == "postgresql" else len(family)
    assert writes.count("INSERT INTO RESIDENT") == per_row
    assert writes.count("INSERT INTO RESIDENT_HISTORY") == per_row
    assert [w for w in writes if w.startswith("UPDATE HOUSEHOLD")] == ["UPDATE HOUSEHOLD SET"]
    stored, members = state(db, clerk_a, household.household_number)
    assert stored.head is not None and stored.head.atena_number == added[0].atena_number
    assert stored.version == 2 and [m.atena_number for m in members] == [a.atena_number for a in added]
    assert [h.history_no for h in history(db, clerk_a, added[1].atena_number)] == [1]
