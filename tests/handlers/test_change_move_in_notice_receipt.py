"""転入通知の受理 (move_in_notice_receipt): assess() rules as a table, and the 未着者一覧 (j680, j700, j710)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.changes.move_in_notice_receipt import MOVE_IN_NOTICE_RECEIPT, missing_move_in_notices
from handlers.changes.move_out import MOVE_OUT
from handlers.changes.move_out_register import register_move_out
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.residents.registration import remove_resident
from handlers.uow import unit_of_work
from models import Resident
from tests import factories

TODAY = japan_today()


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def moved_out(db: Database, clerk: Actor, offset: int) -> dict[str, str]:
    """A family whose 一郎 filed a 転出 to 佐久市 for ``offset`` days from today (removed at once if past)."""
    household = factories.make_household(db, clerk)
    people = {m.given_name: m.atena_number for m in household.members}
    intake = {
        "atena_numbers": [people["一郎"]],
        "change_date": day(offset),
        "notified_date": day(min(offset, 0)),
        "destination": {"municipality_code": "202177"},
    }
    with unit_of_work(db, clerk) as uow:
        register_move_out(uow, MOVE_OUT.assess(uow, intake).proposal)
    return people


def notice(atena: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "atena_number": atena,
        "notice_date": TODAY.isoformat(),
        "confirmed_move_out_date": day(-1),
        "confirmed_address": "長野県佐久市中込1番地",
        "confirmed_postal_code": "385-0051",
    }
    data.update(overrides)
    return data


def codes(db: Database, clerk: Actor, intake: dict[str, Any]) -> tuple[list[str], list[str]]:
    with unit_of_work(db, clerk) as uow:
        found = MOVE_IN_NOTICE_RECEIPT.assess(uow, intake)
    return sorted(p.code for p in found.problems), sorted(a.code for a in found.alerts)


CASES: list[tuple[str, dict[str, Any], list[str], list[str]]] = [
    ("complete notice", {}, [], []),
    ("no notice date", {"notice_date": ""}, ["required"], []),
    ("future notice date", {"notice_date": day(1)}, ["future_date"], []),
    ("no confirmed date", {"confirmed_move_out_date": None}, ["required"], []),
    ("unreadable confirmed date", {"confirmed_move_out_date": "いつか"}, ["date_invalid"], []),
    ("no confirmed address", {"confirmed_address": " "}, ["required"], []),
    ("bad postcode", {"confirmed_postal_code": "1"}, ["format"], []),
    ("unknown person", {"atena_number": "0000000000"}, ["not_found"], []),
]


@pytest.mark.req("j680", "j1440")
@pytest.mark.parametrize(("label", "overrides", "problems", "alerts"), CASES, ids=[c[0] for c in CASES])
def test_move_in_notice_assess_rules(
    db: Database,
    clerk_a: Actor,
    label: str,
    overrides: dict[str, Any],
    problems: list[str],
    alerts: list[str],
) -> None:
    people = moved_out(db, clerk_a, 5)
    found = codes(db, clerk_a, notice(people["一郎"], **overrides))
    assert (sorted(set(found[0])), found[1]) == (problems, alerts), label


@pytest.mark.req("j680")
def test_who_a_notice_may_be_for(db: Database, clerk_a: Actor) -> None:
    people = moved_out(db, clerk_a, 5)
    assert codes(db, clerk_a, notice(people["花子"])) == (["not_moved_out"], [])  # still living here
    with unit_of_work(db, clerk_a) as uow:
        remove_resident(uow, people["太郎"], reason_code="ex_officio_removal", removal_date=day(-3))
    assert codes(db, clerk_a, notice(people["太郎"])) == ([], ["no_move_out_here"])  # 職権消除 (j680)


@pytest.mark.req("j700", "j710")
def test_missing_notices_list_removed_persons_past_the_waiting_days(db: Database, clerk_a: Actor) -> None:
    waiting = moved_out(db, clerk_a, -40)["一郎"]
    recent = moved_out(db, clerk_a, -5)["一郎"]
    answered = moved_out(db, clerk_a, -50)["一郎"]
    with unit_of_work(db, clerk_a) as uow:
        MOVE_IN_NOTICE_RECEIPT.register(uow, MOVE_IN_NOTICE_RECEIPT.assess(uow, notice(answered)).proposal)
    with unit_of_work(db, clerk_a) as uow:
        listed = missing_move_in_notices(uow, TODAY)
        assert [(m.atena_number, m.days_waiting, m.destination) for m in listed] == [
            (waiting, 40, "長野県佐久市")
        ]
        assert [m.atena_number for m in missing_move_in_notices(uow, TODAY, after_days=3)] == [
            waiting,
            recent,
        ]


@pytest.mark.req("j170")
def test_the_postcodes_of_the_address_the_previous_and_both_destination_addresses_are_kept(
    db: Database, clerk_a: Actor, setup_session: Session
) -> None:
    family = factories.japanese_family()
    family[2]["previous_postal_code"] = "100-0001"
    household = factories.make_household(db, clerk_a, family)
    ichiro = next(m.atena_number for m in household.members if m.given_name == "一郎")
    intake = {
        "atena_numbers": [ichiro],
        "change_date": day(5),
        "notified_date": day(0),
        "destination": {"municipality_code": "202177", "address": "長野県佐久市", "postal_code": "385-0000"},
    }
    with unit_of_work(db, clerk_a) as uow:
        register_move_out(uow, MOVE_OUT.assess(uow, intake).proposal)
    with unit_of_work(db, clerk_a) as uow:
        MOVE_IN_NOTICE_RECEIPT.register(uow, MOVE_IN_NOTICE_RECEIPT.assess(uow, notice(ichiro)).proposal)
    person = setup_session.scalars(select(Resident).where(Resident.atena_number == ichiro)).one()
    assert person.household.postal_code == "2310017"  # 住所 (household row)
    assert (
        person.previous_postal_code,
        person.destination_planned_postal_code,
        person.destination_confirmed_postal_code,
    ) == ("1000001", "3850000", "3850051")
