"""Fixtures for the flow-editing tests: the analyst of 横浜市 and the engine-test helpers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from handlers.context import Actor
from models import Municipality, User
from tests.factories import actor_for
from tests.workflows.conftest import RecordingOperators, Step, operators  # noqa: F401 - fixtures (step is tests/conftest.py's)
from workflows.engine.loader import WORKFLOWS_DIR

__all__ = ["RecordingOperators", "Step"]


@pytest.fixture
def analyst_a(users_a: dict[str, User]) -> Actor:
    return actor_for(users_a["analyst"])


def standard(process_id: str) -> str:
    return (Path(WORKFLOWS_DIR) / f"{process_id}.bpmn").read_text(encoding="utf-8")


@pytest.fixture
def certifying_city_a(setup_session: Session, city_a: Municipality) -> Municipality:
    """横浜市 with its mayor registered as the certifier (認証者), as every municipality that issues
    certificates has: a 証明書交付請求 scenario prints its copy for real."""
    mayor = {"title": "横浜市長", "name": "山中 竹春", "from": "2021-08-30", "to": "", "acting": False}
    city_a.settings = {**(city_a.settings or {}), "officials": [mayor]}
    setup_session.flush()
    return city_a
