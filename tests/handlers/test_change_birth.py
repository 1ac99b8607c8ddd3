"""出生 assess rules (j810, j770, j800, j750, j780, j870) as a table, against a real session."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import handlers.changes.catalog  # noqa: F401 - registers the change types
from handlers.changes.base import change_type
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.residents.resident_code_pool import load_pool
from handlers.uow import unit_of_work
from tests.factories import make_household, valid_resident_code

pytestmark = pytest.mark.req("j810", "j770", "j800", "j750", "j780", "j870")

TOMORROW = (japan_today() + dt.timedelta(days=1)).isoformat()


def _intake(household_number: str, source: str) -> dict[str, Any]:
    return {
        "household_number": household_number,
        "copy_koseki_from": source,
        "ex_officio_record": "出生届に基づく職権記載",
        "member": {
            "family_name": "山田",
            "given_name": "次郎",
            "birth_date": "2024-01-05",
            "sex": "1",
            "relation_to_head": "子",
        },
    }


CASES = [
    ("complete", {}, {}, []),
    ("no ex-officio record", {"ex_officio_record": ""}, {}, ["required"]),
    ("future birth date", {}, {"birth_date": TOMORROW}, ["future_date"]),
    ("unreadable birth date", {}, {"birth_date": "そのうち"}, ["date_invalid"]),
    ("previous address entered", {}, {"previous_address": "東京都港区1-1"}, ["previous_address_not_blank"]),
    (
        "koseki quoted from a stranger",
        {"copy_koseki_from": "9999999999"},
        {},
        ["not_household_member"],
    ),
    ("second head", {}, {"relation_to_head": "世帯主"}, ["duplicate_head"]),
    ("unknown household", {"household_number": "9999999999"}, {}, ["not_found", "not_household_member"]),
    ("future 戸籍届出日", {"koseki_date": TOMORROW}, {}, ["future_date"]),
    ("future 申出日", {"on_request": True, "requested_date": TOMORROW}, {}, ["future_date"]),
]


@pytest.mark.parametrize(
    ("name", "intake_changes", "member_changes", "codes"), CASES, ids=[c[0] for c in CASES]
)
def test_birth_assessment(
    db: Database,
    clerk_a: Actor,
    supervisor_a: Actor,
    name: str,
    intake_changes: dict[str, Any],
    member_changes: dict[str, Any],
    codes: list[str],
) -> None:
    household = make_household(db, clerk_a)
    with unit_of_work(db, supervisor_a) as uow:
        load_pool(uow, [valid_resident_code() for _ in range(3)])
    intake = _intake(household.household_number, household.members[0].atena_number)
    intake.update(intake_changes)
    intake["member"].update(member_changes)
    with unit_of_work(db, clerk_a) as uow:
        assessment = change_type("birth").assess(uow, intake)
    assert sorted(p.code for p in assessment.problems) == sorted(codes)


def test_birth_without_any_free_resident_code_is_an_error(db: Database, clerk_a: Actor) -> None:
    household = make_household(db, clerk_a)
    with unit_of_work(db, clerk_a) as uow:
        assessment = change_type("birth").assess(
            uow, _intake(household.household_number, household.members[0].atena_number)
        )
    assert [p.code for p in assessment.problems] == ["resident_code_pool_empty"]


def test_birth_proposal_keeps_the_event_date_and_defaults_the_koseki_date_to_today(
    db: Database, clerk_a: Actor, supervisor_a: Actor
) -> None:
    household = make_household(db, clerk_a)
    with unit_of_work(db, supervisor_a) as uow:
        load_pool(uow, [valid_resident_code()])
    intake = _intake(household.household_number, household.members[0].atena_number)
    intake["member"]["birth_date"] = "令和6年1月上旬"
    with unit_of_work(db, clerk_a) as uow:
        assessment = change_type("birth").assess(uow, intake)
    assert assessment.ok
    assert assessment.proposal["event_text"] == "令和6年1月上旬"
    assert assessment.proposal["koseki_date"] == japan_today().isoformat()
    assert assessment.subjects == [f"household:{household.household_number}"]
    assert [a.code for a in assessment.alerts] == ["resident_code_pool_low"]
