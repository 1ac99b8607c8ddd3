"""Fixtures for the certificate tests: city A with its certifiers and a registered family."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

import models
from handlers.certificates import CertificateOptions, CertificateRequest, issue_certificate
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from tests import factories

OFFICIALS = [
    {"title": "横浜市長", "name": "山中 竹春", "from": "2021-08-30", "to": "", "acting": False},
    {
        "title": "横浜市長職務代理者 副市長",
        "name": "平原 敏英",
        "from": "2026-12-01",
        "to": "2026-12-10",
        "acting": True,
    },
]


@pytest.fixture
def certifying_city(setup_session: Session, city_a: models.Municipality) -> models.Municipality:
    city_a.settings = {**(city_a.settings or {}), "officials": OFFICIALS}
    setup_session.flush()
    return city_a


@pytest.fixture
def family(db: Database, clerk_a: Actor, certifying_city: models.Municipality) -> models.Household:
    household = factories.make_household(
        db, clerk_a, household=factories.default_address(address_katagaki="港ハイツ101号室")
    )
    return household


def atena_numbers(household: models.Household) -> list[str]:
    return [m.atena_number for m in sorted(household.members, key=lambda m: m.household_order)]


def issue(db: Database, actor: Actor, certificate_type: str, subjects: list[str], **kwargs: Any) -> Any:
    options = kwargs.pop("options", CertificateOptions())
    now = kwargs.pop("now", None)
    request = CertificateRequest(certificate_type, tuple(subjects), options=options, **kwargs)
    with unit_of_work(db, actor) as uow:
        return issue_certificate(uow, request, now=now)


FIXED_NOW = dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.UTC)
