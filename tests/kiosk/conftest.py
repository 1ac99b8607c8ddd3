"""Fixtures for コンビニ交付 (j1210): city A with its certifiers and kiosk issuance switched on, a registered family,
the 証明書交付センター's token, and a helper that sends one request as the center does."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

import models
from handlers.api_tokens import issue_token
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from tests import factories
from tests.certificates.conftest import OFFICIALS

_IDS = itertools.count(1)
Send = Callable[..., TestResponse]


@pytest.fixture
def kiosk_city(setup_session: Session, city_a: models.Municipality) -> models.Municipality:
    city_a.settings = {**(city_a.settings or {}), "officials": OFFICIALS, "kiosk_issuance": True}
    setup_session.flush()
    return city_a


@pytest.fixture
def family(db: Database, clerk_a: Actor, kiosk_city: models.Municipality) -> list[models.Resident]:
    """山田 太郎 (世帯主), 花子 (妻), 一郎 (子), in household order."""
    household = factories.make_household(db, clerk_a)
    return sorted(household.members, key=lambda m: m.household_order)


def kiosk_token(db: Database, administrator: models.User, name: str = "証明書交付センター") -> str:
    with unit_of_work(db, factories.actor_for(administrator)) as uow:
        return issue_token(uow, name=name, roles=["kiosk"])


@pytest.fixture
def center_token(db: Database, users_a: dict[str, models.User], kiosk_city: models.Municipality) -> str:
    return kiosk_token(db, users_a["administrator"])


def kiosk_body(holder: models.Resident, **overrides: Any) -> dict[str, Any]:
    """One request as the center sends it: the card holder's copy (本人のみ), nothing optional."""
    body: dict[str, Any] = {
        "request_id": f"KC-{next(_IDS):08d}",
        "person": {"resident_code": holder.resident_code, "card_serial": "0A1B2C3D4E5F"},
        "terminal": {"code": "SEJ-0012345", "name": "セブン-イレブン横浜本町店"},
        "document": "residence_copy",
        "scope": "self",
        "options": {},
        "copies": 1,
    }
    body.update(overrides)
    return body


@pytest.fixture
def send(app: Flask, center_token: str) -> Send:
    """``send(body, token=…)``: POST /api/kiosk/certificates as the center (its own token by default)."""
    client = app.test_client()

    def _send(body: Any, token: str | None = None) -> TestResponse:
        headers = {"Authorization": f"Bearer {token or center_token}"}
        if isinstance(body, dict | list):
            return client.post("/api/kiosk/certificates", json=body, headers=headers)
        return client.post(
            "/api/kiosk/certificates", data=body, headers=headers, content_type="application/json"
        )

    return _send
