"""assess() rules of 法第30条の46転入 and 法第30条の47届出 (j910, j920): each row one entered variation."""

from __future__ import annotations

from typing import Any

import pytest

import handlers.changes.catalog  # noqa: F401
from handlers.changes.base import change_type
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from tests.factories import make_household
from tests.workflows.foreign_steps import arrival_intake, days_ago, fresh_card_number

pytestmark = pytest.mark.req("j910", "j920", "j60")


def assess(db: Database, actor: Actor, code: str, intake: dict[str, Any]) -> Any:
    with unit_of_work(db, actor) as uow:
        return change_type(code).assess(uow, intake)


def codes(problems: list[Any]) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in problems]


@pytest.mark.parametrize("code", ["foreign_move_in_30_46", "foreign_status_acquired_30_47"])
@pytest.mark.parametrize(
    ("member", "change_date", "expected"),
    [
        ({}, days_ago(3), []),
        ({"previous_address": ""}, days_ago(3), []),
        ({}, days_ago(-2), [("change_date", "future_date")]),
        ({"residence_card_number": ""}, days_ago(3), [("members[0].residence_card_number", "required")]),
        ({"residence_card_number": "12345"}, days_ago(3), [("members[0].residence_card_number", "format")]),
        (
            {"foreign_category": "transitional_birth", "residence_status": "", "period_of_stay": "",
             "stay_expiry_date": "", "residence_card_number": ""},
            days_ago(3),
            [("members[0].foreign_category", "category_not_covered")],
        ),
        ({"foreign_category": ""}, days_ago(3), [("members[0].foreign_category", "required")]),
        ({"birth_date": ""}, days_ago(3), [("members[0].birth_date", "required")]),
    ],
)  # fmt: skip
def test_arrival_errors(
    db: Database, clerk_a: Actor, code: str, member: dict[str, Any], change_date: str, expected: list[Any]
) -> None:
    intake = arrival_intake(**member)
    intake["change_date"] = change_date
    assessment = assess(db, clerk_a, code, intake)
    assert codes(assessment.problems) == expected


def test_arrival_defaults_the_resident_dates_to_the_change_date_and_keeps_western_dates_for_display(
    db: Database, clerk_a: Actor
) -> None:
    intake = arrival_intake(resident_kind="japanese", birth_date="1990-07-15")
    assessment = assess(db, clerk_a, "foreign_move_in_30_46", intake)
    member = assessment.proposal["members"][0]
    assert member["resident_kind"] == "foreign"
    assert member["became_resident_date"] == member["foreign_resident_date"] == intake["change_date"]
    assert assessment.proposal["confirmation"][0]["birth_date"] == "1990年7月15日"  # 西暦 (j20)
    assert assessment.event_date.isoformat() == intake["change_date"]


@pytest.mark.parametrize(
    ("member", "alerts"),
    [
        ({}, []),
        ({"period_of_stay": ""}, [("members[0].period_of_stay", "blank_item")]),
        ({"residence_status": "", "stay_expiry_date": ""},
         [("members[0].residence_status", "blank_item"), ("members[0].stay_expiry_date", "blank_item")]),
    ],
)  # fmt: skip
def test_arrival_alerts_for_blank_status_items(
    db: Database, clerk_a: Actor, member: dict[str, Any], alerts: list[Any]
) -> None:
    assessment = assess(db, clerk_a, "foreign_move_in_30_46", arrival_intake(**member))
    assert assessment.problems == [] and codes(assessment.alerts) == alerts


def test_a_card_number_already_recorded_for_a_resident_is_refused(db: Database, clerk_a: Actor) -> None:
    household = make_household(db, clerk_a, foreign=True)
    card = household.members[0].residence_card_number
    assessment = assess(db, clerk_a, "foreign_move_in_30_46", arrival_intake(residence_card_number=card))
    assert codes(assessment.problems) == [("members[0].residence_card_number", "duplicate_card")]


def test_a_household_without_members_or_address_is_refused(db: Database, clerk_a: Actor) -> None:
    intake = arrival_intake()
    intake["members"] = []
    intake["household"] = {}
    assessment = assess(db, clerk_a, "foreign_move_in_30_46", intake)
    assert sorted(codes(assessment.problems)) == [("address", "required"), ("members", "required")]


def _transitional(db: Database, clerk_a: Actor, category: str = "transitional_birth") -> str:
    member = {
        "foreign_category": category, "residence_status": None, "period_of_stay": None,
        "stay_expiry_date": None, "residence_card_number": None,
    }  # fmt: skip
    from tests.factories import foreign_member

    household = make_household(db, clerk_a, [foreign_member(**member)], reason_code="birth")
    return household.members[0].atena_number


STATUS = {
    "foreign_category": "mid_long_term",
    "residence_status": "永住者の配偶者等",
    "period_of_stay": "1年",
    "stay_expiry_date": "2027-03-31",
}


@pytest.mark.parametrize(
    ("entered", "expected"),
    [
        ({"residence_card_number": "card"}, []),
        ({"residence_card_number": ""}, [("residence_card_number", "required")]),
        ({"residence_card_number": "card", "foreign_category": "transitional_nationality_loss",
          "residence_status": "", "period_of_stay": "", "stay_expiry_date": ""},
         [("residence_card_number", "not_for_category"), ("foreign_category", "category_not_covered")]),
        ({"residence_card_number": "card", "landing_period": "30日"}, [("landing_period", "not_for_category")]),
    ],
)  # fmt: skip
def test_status_acquired_by_a_transitional_resident_amends_the_category_items(
    db: Database, clerk_a: Actor, entered: dict[str, Any], expected: list[Any]
) -> None:
    atena = _transitional(db, clerk_a)
    intake = {**STATUS, **entered, "atena_number": atena, "change_date": days_ago(2)}
    if intake["residence_card_number"] == "card":
        intake["residence_card_number"] = fresh_card_number()
    assessment = assess(db, clerk_a, "foreign_status_acquired_30_47", intake)
    assert codes(assessment.problems) == expected
    assert assessment.subjects == [f"resident:{atena}"]
    assert assessment.proposal["mode"] == "amend"


def test_status_acquired_is_refused_for_a_resident_who_already_holds_a_status(
    db: Database, clerk_a: Actor
) -> None:
    household = make_household(db, clerk_a, foreign=True)
    intake = {**STATUS, "atena_number": household.members[0].atena_number, "change_date": days_ago(2),
              "residence_card_number": fresh_card_number()}  # fmt: skip
    assessment = assess(db, clerk_a, "foreign_status_acquired_30_47", intake)
    assert codes(assessment.problems) == [("foreign_category", "not_transitional")]


def test_status_acquired_is_refused_for_an_unknown_or_japanese_person(db: Database, clerk_a: Actor) -> None:
    household = make_household(db, clerk_a)
    for atena, code in (
        (household.members[0].atena_number, "not_foreign_resident"),
        ("9999999990", "not_found"),
    ):
        intake = {**STATUS, "atena_number": atena, "change_date": days_ago(2)}
        assessment = assess(db, clerk_a, "foreign_status_acquired_30_47", intake)
        assert codes(assessment.problems) == [("atena_number", code)]
