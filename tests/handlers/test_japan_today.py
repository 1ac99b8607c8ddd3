""" "Today" is Japan's date, whatever the server's time zone (j480, j570): a server on UTC is still on yesterday
from 00:00 to 09:00 in Japan, when the counters open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from handlers.changes.move_within import MOVE_WITHIN
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from tests import factories

OPENING = dt.datetime(2026, 11, 26, 23, 30, tzinfo=dt.UTC)  # 2026-11-27 08:30 in Japan
JAPAN_DAY = dt.date(2026, 11, 27)


@pytest.fixture
def counter_opening() -> Iterator[None]:
    with time_machine.travel(OPENING, tick=False):
        yield


@pytest.mark.req("j480")
@pytest.mark.parametrize(
    ("utc", "day"),
    [
        (dt.datetime(2026, 11, 26, 14, 59, 59, tzinfo=dt.UTC), dt.date(2026, 11, 26)),
        (dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC), dt.date(2026, 11, 27)),
        (OPENING, JAPAN_DAY),
    ],
)
def test_japan_today_turns_at_midnight_in_japan_not_at_midnight_utc(utc: dt.datetime, day: dt.date) -> None:
    with time_machine.travel(utc, tick=False):
        assert japan_today() == day


@pytest.mark.req("j480", "j570", "j630")
def test_a_move_dated_today_in_japan_is_accepted_when_the_counter_opens_before_9_utc(
    db: Database, clerk_a: Actor, counter_opening: None
) -> None:
    household = factories.make_household(db, clerk_a)
    numbers = [m.atena_number for m in household.members]
    intake = {"atena_numbers": numbers, "change_date": JAPAN_DAY.isoformat(), "notified_date": JAPAN_DAY.isoformat(),
              "address": {"address": "神奈川県横浜市中区山下町2番地", "postal_code": "231-0023"}}  # fmt: skip
    with unit_of_work(db, clerk_a) as uow:
        today = MOVE_WITHIN.assess(uow, intake)
        tomorrow = MOVE_WITHIN.assess(
            uow, {**intake, "change_date": (JAPAN_DAY + dt.timedelta(days=1)).isoformat()}
        )
    assert "future_date" not in [p.code for p in today.problems]
    assert "future_date" in [p.code for p in tomorrow.problems]
