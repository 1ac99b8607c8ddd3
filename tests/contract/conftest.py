"""Fixtures of the contract suite: the world of tests/contract/world.py and signed-in clients."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

import models
from handlers.db import Database
from tests.contract.world import World, build_world
from tests.web.conftest import login_as


@pytest.fixture
def world(
    db: Database,
    setup_session: Session,
    city_a: models.Municipality,
    city_b: models.Municipality,
    users_a: dict[str, models.User],
) -> World:
    return build_world(db, setup_session, city_a, city_b, users_a)


@pytest.fixture
def client_as(app: Flask):  # type: ignore[no-untyped-def]
    """A new test client signed in as the given user (one client per user, so sessions never mix)."""

    def _client(user: models.User) -> FlaskClient:
        client = app.test_client()
        login_as(client, user)
        return client

    return _client
