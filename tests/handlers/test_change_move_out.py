"""転出 (move_out): the assess() rules as a table, the 除票 on the planned date and the daily batch
(j640, j650, j660, j670, j490, j50)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from handlers.changes.move_out import MOVE_OUT
from handlers.changes.move_out_register import apply_due_move_outs, register_move_out
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.residents.history import household_as_of
from handlers.uow import unit_of_work
from tests import factories

TODAY = japan_today()
SAKU = {"municipality_code": "202177"}


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def family(db: Database, clerk: Actor) -> dict[str, str]:
    household = factories.make_household(db, clerk)
    return {
        "household": household.household_number,
        **{m.given_name: m.atena_number for m in household.members},
    }


def intake_for(people: dict[str, str], names: list[str], **overrides: Any) -> dict[str, Any]:
    intake: dict[str, Any] = {
        "atena_numbers": [people[n] for n in names],
        "change_date": day(10),
        "notified_date": TODAY.isoformat(),
        "destination": dict(SAKU),
    }
    intake.update(overrides)
    return intake


def assess(db: Database, clerk: Actor, intake: dict[str, Any]) -> Any:
    with unit_of_work(db, clerk) as uow:
        return MOVE_OUT.assess(uow, intake)


def codes(assessment: Any) -> tuple[list[str], list[str]]:
    return sorted(p.code for p in assessment.problems), sorted(a.code for a in assessment.alerts)


WHOLE = ["太郎", "花子", "一郎"]
CASES: list[tuple[str, list[str], dict[str, Any], list[str], list[str]]] = [
    ("planned move, municipality only", WHOLE, {}, [], []),
    ("full address typed in", WHOLE, {"destination": {"address": "長野県佐久市中込1番地"}}, [], []),
    (
        "code and street",
        WHOLE,
        {"destination": {**SAKU, "address": "中込1番地", "postal_code": "385-0051"}},
        [],
        [],
    ),
    ("no destination", WHOLE, {"destination": {}}, ["required"], []),
    (
        "unknown municipality",
        WHOLE,
        {"destination": {"municipality_code": "999999"}},
        ["unknown_municipality"],
        [],
    ),
    ("own municipality", WHOLE, {"destination": {"municipality_code": "141003"}}, ["same_municipality"], []),
    ("bad postcode", WHOLE, {"destination": {**SAKU, "postal_code": "12"}}, ["format"], []),
    (
        "abroad with an address",
        WHOLE,
        {"destination": {"abroad": True, "country": "アメリカ合衆国", "address": "1 Main St, Boston"}},
        [],
        [],
    ),
    ("abroad without address", WHOLE, {"destination": {"abroad": True}}, ["required"], []),
    ("moved 10 days ago", WHOLE, {"change_date": day(-10)}, [], []),
    ("moved 20 days ago: ex officio", WHOLE, {"change_date": day(-20)}, [], ["ex_officio_move_out"]),
    ("special move-out", WHOLE, {"special_move_out": True}, [], []),
    (
        "special abroad",
        WHOLE,
        {"special_move_out": True, "destination": {"abroad": True, "country": "韓国"}},
        ["special_not_allowed"],
        [],
    ),
    (
        "special ex officio",
        WHOLE,
        {"special_move_out": True, "change_date": day(-20)},
        ["special_not_allowed"],
        ["ex_officio_move_out"],
    ),
    ("future 届出日", WHOLE, {"notified_date": day(1)}, ["future_date"], []),
    ("no 異動日", WHOLE, {"change_date": ""}, ["required"], []),
    ("child alone", ["一郎"], {}, [], []),
    ("head leaves two behind", ["太郎"], {}, [], ["head_leaving"]),
    ("head and child leave one behind", ["太郎", "一郎"], {}, [], []),
]


@pytest.mark.req("j640", "j650", "j670", "j490", "j480", "j570")
@pytest.mark.parametrize(
    ("label", "names", "overrides", "problems", "alerts"), CASES, ids=[c[0] for c in CASES]
)
def test_move_out_assess_rules(
    db: Database,
    clerk_a: Actor,
    label: str,
    names: list[str],
    overrides: dict[str, Any],
    problems: list[str],
    alerts: list[str],
) -> None:
    people = family(db, clerk_a)
    assert codes(assess(db, clerk_a, intake_for(people, names, **overrides))) == (problems, alerts), label


@pytest.mark.req("j650")
def test_the_destination_and_reason_are_normalised(db: Database, clerk_a: Actor) -> None:
    people = family(db, clerk_a)
    only_city = assess(db, clerk_a, intake_for(people, WHOLE)).proposal
    assert only_city["destination"] == {
        "address": "長野県佐久市",
        "code": "202177",
        "postal_code": None,
        "country": None,
    }
    assert only_city["reason"] == "domestic_move_out"
    street = assess(
        db, clerk_a, intake_for(people, WHOLE, destination={**SAKU, "address": "中込1番地"})
    ).proposal
    assert street["destination"]["address"] == "長野県佐久市中込1番地"
    abroad = assess(db, clerk_a, intake_for(people, WHOLE, destination={"abroad": True, "country": "韓国"}))
    assert (abroad.proposal["reason"], abroad.proposal["destination"]["address"]) == (
        "move_out_abroad",
        "韓国",
    )
    late = assess(db, clerk_a, intake_for(people, ["太郎", "一郎"], change_date=day(-20))).proposal
    assert late["ex_officio"] is True and late["new_head"] == people["花子"]


@pytest.mark.req("j50", "j640", "j1080")
def test_a_planned_move_out_counts_as_present_until_the_batch_makes_it_a_removed_record(
    db: Database, clerk_a: Actor
) -> None:
    people = family(db, clerk_a)
    with unit_of_work(db, clerk_a) as uow:
        proposal = MOVE_OUT.assess(uow, intake_for(people, ["一郎"])).proposal
        register_move_out(uow, proposal)
    with unit_of_work(db, clerk_a) as uow:
        present = household_as_of(uow.session, people["household"], TODAY)
        assert [m["given_name"] for m in present] == ["太郎", "花子", "一郎"]
        assert present[2]["status"] == "moving_out" and present[2]["move_out_planned_date"] == day(10)
        assert apply_due_move_outs(uow, TODAY + dt.timedelta(days=9)) == []
    with unit_of_work(db, clerk_a) as uow:
        assert apply_due_move_outs(uow, TODAY + dt.timedelta(days=10)) == [people["一郎"]]
    with unit_of_work(db, clerk_a) as uow:
        after = household_as_of(uow.session, people["household"], TODAY + dt.timedelta(days=10))
        assert [m["given_name"] for m in after] == ["太郎", "花子"]
        assert apply_due_move_outs(uow, TODAY + dt.timedelta(days=30)) == []  # once only
