"""Assessment rules of 戸籍通知 (j770, j780, j790)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import handlers.changes.catalog  # noqa: F401
from handlers.changes.base import change_type
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.uow import unit_of_work
from tests.factories import make_household

TOMORROW = (japan_today() + dt.timedelta(days=1)).isoformat()


@pytest.mark.req("j770", "j780", "j790")
@pytest.mark.parametrize(
    ("intake", "codes"),
    [
        ({"changes": {"honseki": "京都府京都市北区1番地"}}, []),
        ({"changes": {"honseki": "不明"}}, []),
        ({"changes": {}}, ["required"]),
        ({"changes": {"previous_address": "東京都港区1番"}}, ["not_from_koseki"]),
        ({"changes": {"my_number": "123"}}, ["not_from_koseki", "format"]),
        ({"changes": {"honseki": "京都府"}, "household_changes": {"address": "京都府"}}, ["not_from_koseki"]),
        ({"changes": {"honseki": "京都府"}, "koseki_date": TOMORROW}, ["future_date"]),
        ({"changes": {"honseki": "京都府"}, "koseki_date": "2024-02-30"}, ["date_invalid"]),
        ({"changes": {"honseki": "京都府"}, "on_request": True, "requested_date": TOMORROW}, ["future_date"]),
        ({"changes": {"honseki": "京都府"}, "ex_officio_record": " "}, ["required"]),
    ],
)
def test_koseki_notice_assessment(db: Any, clerk_a: Actor, intake: dict[str, Any], codes: list[str]) -> None:
    household = make_household(db, clerk_a)
    full = {"atena_number": household.members[0].atena_number, "ex_officio_record": "戸籍通知", **intake}
    with unit_of_work(db, clerk_a) as uow:
        assessment = change_type("koseki_notice").assess(uow, full)
    assert sorted(p.code for p in assessment.problems) == sorted(codes)


@pytest.mark.req("j780", "j790")
def test_koseki_and_request_dates_default_to_today(db: Any, clerk_a: Actor) -> None:
    household = make_household(db, clerk_a)
    intake = {
        "atena_number": household.members[0].atena_number,
        "changes": {"hittosha": "山田 花子"},
        "ex_officio_record": "戸籍通知",
        "on_request": "はい",
    }
    with unit_of_work(db, clerk_a) as uow:
        proposal = change_type("koseki_notice").assess(uow, intake).proposal
    today = japan_today().isoformat()
    assert (proposal["koseki_date"], proposal["requested_date"], proposal["on_request"]) == (
        today,
        today,
        True,
    )
