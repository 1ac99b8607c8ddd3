"""Fixtures for the flow-editing tests: the analyst of 横浜市 and the engine-test helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.context import Actor
from models import User
from tests.factories import actor_for
from tests.workflows.conftest import RecordingOperators, Step, operators, step  # noqa: F401 - fixtures
from workflows.engine.loader import WORKFLOWS_DIR

__all__ = ["RecordingOperators", "Step"]


@pytest.fixture
def analyst_a(users_a: dict[str, User]) -> Actor:
    return actor_for(users_a["analyst"])


def standard(process_id: str) -> str:
    return (Path(WORKFLOWS_DIR) / f"{process_id}.bpmn").read_text(encoding="utf-8")
