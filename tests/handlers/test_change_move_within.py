"""転居 (move_within): the assess() rules as a table, and register() on the register (j630, j490, j480)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from handlers.changes.move_within import MOVE_WITHIN
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from models.resident import Household
from tests import factories

TODAY = japan_today()
NEW_ADDRESS = {"address": "神奈川県横浜市中区山下町2番地", "postal_code": "231-0023"}


def family(db: Database, clerk: Actor, **address: Any) -> dict[str, Any]:
    household = factories.make_household(db, clerk, household=factories.default_address(**address))
    members = {m.given_name: m.atena_number for m in household.members}
    return {"household": household.household_number, **members}


def intake_for(people: dict[str, Any], names: list[str], **overrides: Any) -> dict[str, Any]:
    intake: dict[str, Any] = {
        "atena_numbers": [people[n] for n in names],
        "change_date": (TODAY - dt.timedelta(days=3)).isoformat(),
        "notified_date": TODAY.isoformat(),
        "address": dict(NEW_ADDRESS),
    }
    intake.update(overrides)
    return intake


def assess(db: Database, clerk: Actor, intake: dict[str, Any]) -> Any:
    with unit_of_work(db, clerk) as uow:
        return MOVE_WITHIN.assess(uow, intake)


def codes(assessment: Any) -> tuple[list[str], list[str]]:
    return sorted(p.code for p in assessment.problems), sorted(a.code for a in assessment.alerts)


def days_ago(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


CASES: list[tuple[str, list[str], dict[str, Any], list[str], list[str]]] = [
    ("whole household, keeps its number", ["太郎", "花子", "一郎"], {}, [], []),
    (
        "same lot, another building (方書 differs)",
        ["太郎", "花子", "一郎"],
        {"address": {"address": "神奈川県横浜市中区港町1丁目1番地", "address_katagaki": "B棟"}},
        [],
        [],
    ),
    (
        "same address and 方書",
        ["太郎", "花子", "一郎"],
        {"address": {"address": "神奈川県横浜市中区港町1丁目1番地"}},
        ["same_address"],
        [],
    ),
    (
        "future 異動日",
        ["太郎", "花子", "一郎"],
        {"change_date": (TODAY + dt.timedelta(days=1)).isoformat()},
        ["future_date"],
        [],
    ),
    ("no 異動日", ["太郎", "花子", "一郎"], {"change_date": ""}, ["required"], []),
    (
        "future 届出日",
        ["太郎", "花子", "一郎"],
        {"notified_date": (TODAY + dt.timedelta(days=1)).isoformat()},
        ["future_date"],
        [],
    ),
    ("late notification", ["太郎", "花子", "一郎"], {"change_date": days_ago(40)}, [], ["late_notification"]),
    ("no address", ["太郎", "花子", "一郎"], {"address": {}}, ["required"], []),
    ("nobody selected", [], {}, ["required"], []),
    ("part with kind keep", ["一郎"], {"destination": {"kind": "keep"}}, ["part_of_household"], []),
    (
        "child forms a new household",
        ["一郎"],
        {"destination": {"kind": "new", "relations": {}}},
        ["required"],
        [],
    ),
    ("head leaves two behind", ["太郎"], {"destination": {"kind": "new"}}, ["required"], ["head_leaving"]),
    ("unknown mode", ["太郎", "花子", "一郎"], {"destination": {"kind": "elsewhere"}}, ["format"], []),
    (
        "whole household as new",
        ["太郎", "花子", "一郎"],
        {"destination": {"kind": "new"}},
        ["whole_household"],
        [],
    ),
]


@pytest.mark.req("j630", "j480", "j570", "j490")
@pytest.mark.parametrize(
    ("label", "names", "overrides", "problems", "alerts"), CASES, ids=[c[0] for c in CASES]
)
def test_move_within_assess_rules(
    db: Database,
    clerk_a: Actor,
    label: str,
    names: list[str],
    overrides: dict[str, Any],
    problems: list[str],
    alerts: list[str],
) -> None:
    people = family(db, clerk_a)
    result = assess(db, clerk_a, intake_for(people, names, **overrides))
    assert codes(result) == (sorted(problems), sorted(alerts)), label


@pytest.mark.req("j470")
def test_a_part_forming_a_new_household_needs_one_head_and_allowed_relations(
    db: Database, clerk_a: Actor
) -> None:
    people = family(db, clerk_a)
    ok = assess(
        db,
        clerk_a,
        intake_for(
            people,
            ["花子", "一郎"],
            destination={"kind": "new", "relations": {people["花子"]: "世帯主", people["一郎"]: "子"}},
        ),
    )
    assert codes(ok) == ([], [])
    assert ok.proposal["mode"] == "new" and ok.proposal["head_outcome"] == "nothing"
    no_head = assess(
        db,
        clerk_a,
        intake_for(
            people,
            ["花子", "一郎"],
            destination={"kind": "new", "relations": {people["花子"]: "妻", people["一郎"]: "子"}},
        ),
    )
    assert codes(no_head) == (["head_count"], [])
    bad = assess(
        db,
        clerk_a,
        intake_for(
            people,
            ["花子", "一郎"],
            destination={"kind": "new", "relations": {people["花子"]: "世帯主", people["一郎"]: "長男"}},
        ),
    )
    assert codes(bad) == (["relationship_not_allowed"], [])


@pytest.mark.req("j470", "j490")
def test_the_head_leaving_one_member_behind_makes_that_member_head(db: Database, clerk_a: Actor) -> None:
    people = family(db, clerk_a)
    result = assess(
        db,
        clerk_a,
        intake_for(
            people,
            ["太郎", "一郎"],
            destination={"kind": "new", "relations": {people["太郎"]: "世帯主", people["一郎"]: "子"}},
        ),
    )
    assert codes(result) == ([], [])
    assert (result.proposal["head_outcome"], result.proposal["new_head"]) == (
        "ex_officio_head",
        people["花子"],
    )


@pytest.mark.req("j470")
def test_joining_a_household_at_the_new_address(db: Database, clerk_a: Actor) -> None:
    people = family(db, clerk_a)
    other = family(db, clerk_a, address=NEW_ADDRESS["address"])
    join = {
        "kind": "existing",
        "household_number": other["household"],
        "relations": {people["一郎"]: "同居人"},
    }
    result = assess(db, clerk_a, intake_for(people, ["一郎"], address=None, destination=join))
    assert codes(result) == ([], [])
    assert result.proposal["address"]["address"] == NEW_ADDRESS["address"]
    assert f"household:{other['household']}" in result.subjects
    as_head = {**join, "relations": {people["一郎"]: "世帯主"}}
    assert codes(assess(db, clerk_a, intake_for(people, ["一郎"], destination=as_head))) == (
        ["duplicate_head"],
        [],
    )
    same = family(db, clerk_a)  # lives at the old address: a 世帯変更, not a 転居
    same_join = {**join, "household_number": same["household"]}
    assert codes(assess(db, clerk_a, intake_for(people, ["一郎"], destination=same_join))) == (
        ["same_address"],
        [],
    )
    gone = {**join, "household_number": "9999999999"}
    assert codes(assess(db, clerk_a, intake_for(people, ["一郎"], destination=gone))) == (["not_found"], [])


@pytest.mark.req("j460")
def test_movers_must_be_present_residents_of_one_household(db: Database, clerk_a: Actor) -> None:
    first = family(db, clerk_a)
    second = family(db, clerk_a)
    mixed = {"atena_numbers": [first["一郎"], second["一郎"]]}
    assert "several_households" in codes(assess(db, clerk_a, intake_for(first, [], **mixed)))[0]
    unknown = {"atena_numbers": ["0000000000"]}
    assert codes(assess(db, clerk_a, intake_for(first, [], **unknown)))[0] == ["not_found"]


@pytest.mark.req("j130")
def test_an_inter_ward_move_in_a_designated_city_gets_a_new_household_number(
    db: Database, clerk_a: Actor
) -> None:
    people = family(db, clerk_a, ward_code="141011")
    to_naka = intake_for(people, ["太郎", "花子", "一郎"], address={**NEW_ADDRESS, "ward_code": "141046"})
    assert assess(db, clerk_a, to_naka).proposal["mode"] == "renumber"
    same_ward = intake_for(people, ["太郎", "花子", "一郎"], address={**NEW_ADDRESS, "ward_code": "141011"})
    assert assess(db, clerk_a, same_ward).proposal["mode"] == "keep"


def household_of(db: Database, clerk: Actor, number: str) -> Household:
    from sqlalchemy import select

    with unit_of_work(db, clerk) as uow:
        household = uow.session.scalars(select(Household).where(Household.household_number == number)).one()
        household.members  # noqa: B018
        return household
