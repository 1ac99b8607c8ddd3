"""The suite's guard against running across midnight in Japan (tests/conftest.py ``pytest_sessionstart``)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine

from tests import conftest


def start(monkeypatch: pytest.MonkeyPatch, utc: dt.datetime, args: tuple[str, ...] = ()) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr(conftest.time, "sleep", waits.append)
    monkeypatch.delenv("CI", raising=False)
    session: Any = SimpleNamespace(config=SimpleNamespace(invocation_params=SimpleNamespace(args=args)))
    with time_machine.travel(utc, tick=False):
        conftest.pytest_sessionstart(session)
    return waits


def test_the_whole_suite_started_just_before_midnight_in_japan_waits_for_the_date_to_turn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert start(monkeypatch, dt.datetime(2026, 11, 27, 14, 50, tzinfo=dt.UTC)) == [605.0]  # 23:50 JST


def test_a_suite_started_at_any_other_time_or_a_chosen_test_does_not_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert start(monkeypatch, dt.datetime(2026, 11, 27, 14, 30, tzinfo=dt.UTC)) == []  # 23:30 JST
    assert (
        start(monkeypatch, dt.datetime(2026, 11, 27, 23, 50, tzinfo=dt.UTC)) == []
    )  # 08:50 JST, UTC's midnight near
    assert start(monkeypatch, dt.datetime(2026, 11, 27, 14, 50, tzinfo=dt.UTC), ("tests/unit",)) == []
