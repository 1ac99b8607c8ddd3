"""assess() rules of 帰化, 国籍取得 and 国籍喪失 (j930, j940, j950), and the later-of date rule (j950)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import handlers.changes.catalog  # noqa: F401
from handlers.changes.base import change_type
from handlers.changes.nationality_loss import foreign_resident_date
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from tests.factories import make_household
from tests.workflows.foreign_steps import days_ago


def assess(db: Database, actor: Actor, code: str, intake: dict[str, Any]) -> Any:
    with unit_of_work(db, actor) as uow:
        return change_type(code).assess(uow, intake)


def codes(problems: list[Any]) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in problems]


@pytest.mark.req("j950")
@pytest.mark.parametrize(
    ("lost_on", "became_resident", "expected"),
    [
        (dt.date(2025, 5, 1), dt.date(2020, 4, 1), dt.date(2025, 5, 1)),
        (dt.date(2019, 5, 1), dt.date(2020, 4, 1), dt.date(2020, 4, 1)),
        (dt.date(2020, 4, 1), dt.date(2020, 4, 1), dt.date(2020, 4, 1)),
        (dt.date(2025, 5, 1), None, dt.date(2025, 5, 1)),
    ],
)
def test_foreign_resident_date_is_the_later_of_loss_and_becoming_resident(
    lost_on: dt.date, became_resident: dt.date | None, expected: dt.date
) -> None:
    assert foreign_resident_date(lost_on, became_resident) == expected


NATURALIZED = {
    "family_name": "須美須",
    "given_name": "譲",
    "honseki": "横浜市中区山下町10番地",
    "hittosha": "須美須 譲",
}


@pytest.mark.req("j930", "j940", "j60")
@pytest.mark.parametrize("code", ["naturalization", "nationality_acquisition"])
@pytest.mark.parametrize(
    ("entered", "expected"),
    [
        ({}, []),
        ({"honseki": "不明", "hittosha": ""}, []),
        ({"family_name": ""}, [("family_name", "required")]),
        ({"honseki": ""}, [("honseki", "required")]),
        ({"hittosha": ""}, [("hittosha", "required")]),
        ({"given_name_kana": "Jon"}, [("given_name_kana", "not_katakana")]),
        ({"change_date": days_ago(-1)}, [("change_date", "future_date")]),
    ],
)
def test_naturalization_rules(
    db: Database, clerk_a: Actor, code: str, entered: dict[str, Any], expected: list[Any]
) -> None:
    atena = make_household(db, clerk_a, foreign=True).members[0].atena_number
    intake = {"atena_number": atena, "change_date": days_ago(3), **NATURALIZED, **entered}
    assessment = assess(db, clerk_a, code, intake)
    assert codes(assessment.problems) == expected
    assert assessment.subjects == [f"resident:{atena}"]


@pytest.mark.req("j930")
def test_naturalization_of_a_japanese_resident_is_refused(db: Database, clerk_a: Actor) -> None:
    atena = make_household(db, clerk_a).members[0].atena_number
    assessment = assess(
        db, clerk_a, "naturalization", {"atena_number": atena, "change_date": days_ago(3), **NATURALIZED}
    )
    assert codes(assessment.problems) == [("atena_number", "not_foreign_resident")]


@pytest.mark.req("j950", "j20")
@pytest.mark.parametrize(
    ("entered", "expected_problems", "expected_alerts"),
    [
        ({}, [], []),
        ({"nationality": ""}, [("nationality", "required")], []),
        ({"foreign_category": "special_permanent"}, [("special_permanent_certificate_number", "required")], []),
        ({"foreign_category": "mid_long_term", "residence_card_number": "AB12345678CD", "residence_status": "永住者",
          "period_of_stay": "無期限"}, [], [("stay_expiry_date", "blank_item")]),
        ({"residence_card_number": "AB12345678CD"}, [("residence_card_number", "not_for_category")], []),
    ],
)  # fmt: skip
def test_nationality_loss_rules(
    db: Database,
    clerk_a: Actor,
    entered: dict[str, Any],
    expected_problems: list[Any],
    expected_alerts: list[Any],
) -> None:
    atena = make_household(db, clerk_a).members[0].atena_number
    intake = {"atena_number": atena, "change_date": days_ago(3), "nationality": "ブラジル", **entered}
    assessment = assess(db, clerk_a, "nationality_loss", intake)
    assert codes(assessment.problems) == expected_problems
    assert codes(assessment.alerts) == expected_alerts


@pytest.mark.req("j950")
def test_nationality_loss_of_a_foreign_resident_is_refused(db: Database, clerk_a: Actor) -> None:
    atena = make_household(db, clerk_a, foreign=True).members[0].atena_number
    intake = {"atena_number": atena, "change_date": days_ago(3), "nationality": "ブラジル"}
    assert codes(assess(db, clerk_a, "nationality_loss", intake).problems) == [
        ("atena_number", "not_japanese_resident")
    ]
