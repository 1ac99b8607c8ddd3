"""世帯変更等 (household_change): the assess() rules as a table (j720, j730, j740, j490)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from handlers.changes.household_change import HOUSEHOLD_CHANGE
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from tests import factories

TODAY = japan_today()


def family(db: Database, clerk: Actor, **address: Any) -> dict[str, str]:
    household = factories.make_household(db, clerk, household=factories.default_address(**address))
    return {
        "household": household.household_number,
        **{m.given_name: m.atena_number for m in household.members},
    }


def codes(db: Database, clerk: Actor, intake: dict[str, Any]) -> tuple[list[str], list[str]]:
    with unit_of_work(db, clerk) as uow:
        found = HOUSEHOLD_CHANGE.assess(uow, intake)
    return sorted(set(p.code for p in found.problems)), sorted(a.code for a in found.alerts)


def base(**extra: Any) -> dict[str, Any]:
    return {
        "change_date": (TODAY - dt.timedelta(days=2)).isoformat(),
        "notified_date": TODAY.isoformat(),
        **extra,
    }


def split(p: dict[str, str], names: list[str], relations: dict[str, str], **extra: Any) -> dict[str, Any]:
    return base(
        kind="household_split",
        atena_numbers=[p[n] for n in names],
        relations={p[n]: r for n, r in relations.items()},
        **extra,
    )


def head_change(p: dict[str, str], new: str, relations: dict[str, str], **extra: Any) -> dict[str, Any]:
    return base(
        kind="head_change",
        household_number=p["household"],
        new_head=p[new],
        relations={p[n]: r for n, r in relations.items()},
        **extra,
    )


CASES: list[tuple[str, Any, list[str], list[str]]] = [
    ("split a child", lambda p: split(p, ["一郎"], {"一郎": "世帯主"}), [], []),
    ("split without a head", lambda p: split(p, ["一郎"], {"一郎": "子"}), ["head_count"], []),
    (
        "split everybody",
        lambda p: split(p, ["太郎", "花子", "一郎"], {"太郎": "世帯主", "花子": "妻", "一郎": "子"}),
        ["whole_household"],
        [],
    ),
    ("split the head off two", lambda p: split(p, ["太郎"], {"太郎": "世帯主"}), [], ["head_leaving"]),
    (
        "split with a new address",
        lambda p: split(p, ["一郎"], {"一郎": "世帯主"}, address="横浜市中区山下町2番地"),
        ["address_change_forbidden"],
        [],
    ),
    (
        "split late",
        lambda p: split(
            p, ["一郎"], {"一郎": "世帯主"}, change_date=(TODAY - dt.timedelta(days=40)).isoformat()
        ),
        [],
        ["late_notification"],
    ),
    (
        "future 異動日",
        lambda p: split(
            p, ["一郎"], {"一郎": "世帯主"}, change_date=(TODAY + dt.timedelta(days=1)).isoformat()
        ),
        ["future_date"],
        [],
    ),
    ("head change with relations", lambda p: head_change(p, "一郎", {"太郎": "父", "花子": "母"}), [], []),
    ("head change missing a relation", lambda p: head_change(p, "一郎", {"太郎": "父"}), ["required"], []),
    (
        "head change to the head",
        lambda p: head_change(p, "太郎", {"花子": "妻", "一郎": "子"}),
        ["already_head"],
        [],
    ),
    (
        "head change, two heads",
        lambda p: head_change(p, "一郎", {"太郎": "世帯主", "花子": "母"}),
        ["duplicate_head"],
        [],
    ),
    (
        "head change, forbidden relation",
        lambda p: head_change(p, "一郎", {"太郎": "父", "花子": "義母"}),
        ["relationship_not_allowed"],
        [],
    ),
    ("unknown kind", lambda p: base(kind="household_move", atena_numbers=[p["一郎"]]), ["format"], []),
]


@pytest.mark.req("j720", "j730", "j490", "j480")
@pytest.mark.parametrize(("label", "build", "problems", "alerts"), CASES, ids=[c[0] for c in CASES])
def test_household_change_assess_rules(
    db: Database, clerk_a: Actor, label: str, build: Any, problems: list[str], alerts: list[str]
) -> None:
    people = family(db, clerk_a)
    assert codes(db, clerk_a, build(people)) == (problems, alerts), label


@pytest.mark.req("j720")
def test_merge_and_change_need_another_household_at_the_same_address(db: Database, clerk_a: Actor) -> None:
    ours = family(db, clerk_a)
    neighbours = family(db, clerk_a, address_katagaki="2階")  # same lot, other 方書: allowed
    elsewhere = family(db, clerk_a, address="神奈川県横浜市中区山下町2番地")
    merge = base(
        kind="household_merge",
        household_number=neighbours["household"],
        target_household_number=ours["household"],
        relations={neighbours["太郎"]: "縁故者", neighbours["花子"]: "縁故者", neighbours["一郎"]: "縁故者"},
    )
    assert codes(db, clerk_a, merge) == ([], [])
    far = {**merge, "target_household_number": elsewhere["household"]}
    assert codes(db, clerk_a, far) == (["different_address"], [])
    itself = {**merge, "target_household_number": neighbours["household"]}
    assert codes(db, clerk_a, itself) == (["same_household"], [])
    change = base(
        kind="household_change",
        atena_numbers=[ours["一郎"]],
        target_household_number=neighbours["household"],
        relations={ours["一郎"]: "世帯主"},
    )
    assert codes(db, clerk_a, change) == (["duplicate_head"], [])
