"""``jumin cases tick`` fires due timers through the same handler Celery beat will call."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from handlers.context import Actor
from tests.workflows.conftest import RecordingOperators, Step
from tests.workflows.test_move_in_paths import open_task, start, work

pytestmark = pytest.mark.req("j530")


def test_tick_command_fires_the_review_deadline(
    app: Flask, step: Step, clerk_a: Actor, supervisor_a: Actor, operators: RecordingOperators
) -> None:
    case = start(step, clerk_a)
    work(step, clerk_a, case.id, "intake_move_in", {})
    runner = app.test_cli_runner()

    result = runner.invoke(args=["cases", "tick"])
    assert result.exit_code == 0, result.output
    assert "タイマー 0 件" in result.output

    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=4)).strftime("%Y-%m-%dT%H:%M:%S")
    result = runner.invoke(args=["cases", "tick", "--now", later])
    assert result.exit_code == 0, result.output
    assert "タイマー 1 件" in result.output
    open_task(step, supervisor_a, case.id, "escalate_review")
