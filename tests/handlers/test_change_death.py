"""死亡・失踪 assess rules (j820, j830, j490) as a table."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import handlers.changes.catalog  # noqa: F401 - registers the change types
from handlers.changes.base import change_type
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from tests.factories import make_household, make_removed_resident

pytestmark = pytest.mark.req("j820", "j830", "j490", "j80")

TOMORROW = (japan_today() + dt.timedelta(days=1)).isoformat()

CASES = [
    ("ordinary date", {}, [], []),
    ("estimated date is a date form, allowed", {"event_date": "推定令和6年1月10日"}, [], []),
    ("unknown date allowed", {"event_date": "年月日不詳"}, [], []),
    ("presumed death is not selectable", {"death_kind": "推定死亡"}, ["death_kind_not_selectable"], []),
    ("death kind 死亡 is fine", {"death_kind": "死亡"}, [], []),
    ("no cause of death is recorded", {"death_cause": "病死"}, ["death_cause_not_recorded"], []),
    ("future date", {"event_date": TOMORROW}, ["future_date"], []),
    ("no date", {"event_date": ""}, ["required"], []),
    ("no ex-officio record", {"ex_officio_record": " "}, ["required"], []),
    ("unknown person", {"atena_number": "9999999999"}, ["not_found"], []),
    ("head with two members staying", {"who": 0}, [], ["head_leaving"]),
]


@pytest.mark.parametrize(("name", "changes", "errors", "alerts"), CASES, ids=[c[0] for c in CASES])
def test_death_assessment(
    db: Database, clerk_a: Actor, name: str, changes: dict[str, Any], errors: list[str], alerts: list[str]
) -> None:
    household = make_household(db, clerk_a)
    changes = dict(changes)
    who = changes.pop("who", 2)
    intake = {
        "atena_number": household.members[who].atena_number,
        "event_date": "2024-05-01",
        "ex_officio_record": "死亡届に基づく職権消除",
        **changes,
    }
    with unit_of_work(db, clerk_a) as uow:
        assessment = change_type("death").assess(uow, intake)
    assert sorted(p.code for p in assessment.problems) == sorted(errors)
    assert [a.code for a in assessment.alerts] == alerts


def test_removing_a_removed_record_again_is_refused(
    db: Database, clerk_a: Actor, setup_session: Any, city_a: Any
) -> None:
    removed = make_removed_resident(setup_session, city_a, number=900, removal_date=dt.date(2023, 1, 1))
    setup_session.flush()
    for code in ("death", "disappearance"):
        with unit_of_work(db, clerk_a) as uow:
            assessment = change_type(code).assess(
                uow,
                {"atena_number": removed.atena_number, "event_date": "2024-01-01", "ex_officio_record": "x"},
            )
        assert [p.code for p in assessment.problems] == ["already_removed"]
