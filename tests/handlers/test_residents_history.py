"""History is appended, never overwritten, and read as of a date (j200, j210)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from handlers.context import Actor
from handlers.db import Database
from handlers.residents.history import append_history, household_as_of, resident_as_of
from handlers.residents.registration import amend_resident
from handlers.uow import unit_of_work
from models import Household, Resident
from tests.factories import japanese_member, make_household


def _move(db: Database, actor: Actor, atena_number: str, household_number: str, on: dt.date) -> None:
    """A 世帯変更 done directly on the rows (its use case is another issue): the person joins another household."""
    with unit_of_work(db, actor) as uow:
        person = uow.session.scalars(select(Resident).where(Resident.atena_number == atena_number)).one()
        target = uow.session.scalars(
            select(Household).where(Household.household_number == household_number)
        ).one()
        old = person.household
        if old.head_resident_id == person.id:
            old.head = None
        person.household = target
        person.relation_to_head = "妻"
        person.household_order = 2
        append_history(uow.session, person, reason_code="household_change", change_date=on)


@pytest.fixture
def moved_and_renamed(db: Database, clerk_a: Actor) -> dict[str, str]:
    """佐藤 花子 lives alone from 2020-04-01, marries 山田 太郎 and joins his household on 2022-06-01 (name
    unchanged that day), and her name is changed to 山田 on 2022-07-01."""
    hers = make_household(
        db,
        clerk_a,
        [
            japanese_member(
                family_name="佐藤",
                family_name_kana="サトウ",
                given_name="花子",
                given_name_kana="ハナコ",
                sex="2",
            )
        ],
    )
    his = make_household(db, clerk_a, [japanese_member()])
    hanako = hers.members[0].atena_number
    _move(db, clerk_a, hanako, his.household_number, dt.date(2022, 6, 1))
    with unit_of_work(db, clerk_a) as uow:
        amend_resident(
            uow,
            hanako,
            {"family_name": "山田", "family_name_kana": "ヤマダ"},
            reason_code="ex_officio_correction",
            change_date="2022-07-01",
        )
    return {
        "hanako": hanako,
        "hers": hers.household_number,
        "his": his.household_number,
        "taro": his.members[0].atena_number,
    }


@pytest.mark.req("j200")
def test_each_change_is_a_new_numbered_row_and_old_rows_are_unchanged(
    db: Database, clerk_a: Actor, moved_and_renamed: dict[str, str]
) -> None:
    with unit_of_work(db, clerk_a) as uow:
        person = uow.session.scalars(
            select(Resident).where(Resident.atena_number == moved_and_renamed["hanako"])
        ).one()
        rows = person.history
        assert [r.history_no for r in rows] == [1, 2, 3]
        assert [r.snapshot["family_name"] for r in rows] == ["佐藤", "佐藤", "山田"]
        assert [r.household_number for r in rows] == [
            moved_and_renamed["hers"],
            moved_and_renamed["his"],
            moved_and_renamed["his"],
        ]
        assert person.history_no == 3


@pytest.mark.req("j200", "j210")
def test_resident_as_of_reads_the_snapshot_holding_on_that_date(
    db: Database, clerk_a: Actor, moved_and_renamed: dict[str, str]
) -> None:
    hanako = moved_and_renamed["hanako"]
    with unit_of_work(db, clerk_a) as uow:
        assert resident_as_of(uow.session, hanako, dt.date(2020, 3, 31)) is None
        before = resident_as_of(uow.session, hanako, dt.date(2022, 5, 31))
        moved = resident_as_of(uow.session, hanako, dt.date(2022, 6, 1))
        renamed = resident_as_of(uow.session, hanako, dt.date(2030, 1, 1))
    assert before is not None and moved is not None and renamed is not None
    assert (before["family_name"], before["household_number"]) == ("佐藤", moved_and_renamed["hers"])
    assert (moved["family_name"], moved["household_number"]) == ("佐藤", moved_and_renamed["his"])
    assert moved["head_name"] == "山田 太郎"
    assert renamed["family_name"] == "山田"
    assert renamed["birth_date"] == "1980-04-01"  # JSON-safe


@pytest.mark.req("j200")
def test_household_as_of_lists_the_members_of_that_day(
    db: Database, clerk_a: Actor, moved_and_renamed: dict[str, str]
) -> None:
    with unit_of_work(db, clerk_a) as uow:
        his_before = household_as_of(uow.session, moved_and_renamed["his"], dt.date(2022, 5, 31))
        his_after = household_as_of(uow.session, moved_and_renamed["his"], dt.date(2022, 6, 1))
        hers_after = household_as_of(uow.session, moved_and_renamed["hers"], dt.date(2022, 6, 1))
        hers_before = household_as_of(uow.session, moved_and_renamed["hers"], dt.date(2021, 1, 1))
    assert [m["atena_number"] for m in his_before] == [moved_and_renamed["taro"]]
    assert [m["atena_number"] for m in his_after] == [moved_and_renamed["taro"], moved_and_renamed["hanako"]]
    assert hers_after == []
    assert [m["family_name"] for m in hers_before] == ["佐藤"]


@pytest.mark.req("j200")
def test_a_back_dated_change_entered_later_wins_for_its_date_by_history_number(
    db: Database, clerk_a: Actor
) -> None:
    household = make_household(db, clerk_a, [japanese_member()])
    atena = household.members[0].atena_number
    for name in ("太朗", "多朗"):
        with unit_of_work(db, clerk_a) as uow:
            amend_resident(
                uow, atena, {"given_name": name}, reason_code="clerical_correction", change_date="2021-01-01"
            )
    with unit_of_work(db, clerk_a) as uow:
        snapshot = resident_as_of(uow.session, atena, dt.date(2021, 1, 1))
    assert snapshot is not None and (snapshot["given_name"], snapshot["history_no"]) == ("多朗", 3)
