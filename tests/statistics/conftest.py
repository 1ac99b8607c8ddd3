"""A small register with known answers for past dates (statistics, extraction and sampling tests)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.residents.search_keys import refresh_household_keys
from tests import factories

D = dt.date(2024, 6, 30)


def _person(session: Session, city: models.Municipality, number: int, **items: Any) -> models.Resident:
    household = factories.make_household_row(session, city, number=number)
    moved_in = items.pop("moved_in", dt.date(2000, 4, 1))
    resident = factories.make_resident_row(session, household, number=number, moved_in=moved_in)
    if items:
        for key, value in items.items():
            setattr(resident, key, value)
        factories.add_history_row(session, resident, reason_code="domestic_move_in", change_date=moved_in)
    return resident


@pytest.fixture
def small_register(setup_session: Session, city_a: models.Municipality) -> dict[str, models.Resident]:
    """present (男 1980), moved_out (女, removed 2023-03-01), leaving (planned 2024-08-01), newborn (2024-07-15),
    foreign (中長期在留者, 技能実習, ベトナム, 女)."""
    s = setup_session
    present = _person(s, city_a, 101, birth_date=dt.date(1980, 1, 1))
    present.household.address = "神奈川県横浜市中区港町1丁目1番地"
    refresh_household_keys(present.household)
    present.household.postal_code = "2310017"
    moved_out = _person(s, city_a, 102, sex="2", birth_date=dt.date(1990, 5, 5))
    factories.remove_resident_row(s, moved_out, removal_date=dt.date(2023, 3, 1), reason="domestic_move_out")
    leaving = _person(s, city_a, 103, birth_date=dt.date(2000, 7, 1))
    leaving.status = "moving_out"
    leaving.move_out_planned_date = dt.date(2024, 8, 1)
    factories.add_history_row(s, leaving, reason_code="domestic_move_out", change_date=dt.date(2024, 6, 1))
    leaving.status = "removed"
    leaving.removal_reason = "domestic_move_out"
    leaving.removal_date = dt.date(2024, 8, 1)
    factories.add_history_row(s, leaving, reason_code="domestic_move_out", change_date=dt.date(2024, 8, 1))
    newborn = _person(s, city_a, 104, sex="2", birth_date=dt.date(2024, 7, 15), moved_in=dt.date(2024, 7, 15))
    newborn.history[0].change_reason = "birth"
    newborn.history[-1].change_reason = "birth"
    foreign = _person(
        s, city_a, 105, sex="2", birth_date=dt.date(1995, 3, 3), resident_kind="foreign", family_name=None,
        given_name=None, name_alphabet="NGUYEN THI AN", nationality="ベトナム", foreign_category="mid_long_term",
        residence_status="技能実習", moved_in=dt.date(2022, 4, 1),
    )  # fmt: skip
    s.flush()
    return {"present": present, "moved_out": moved_out, "leaving": leaving, "newborn": newborn,
            "foreign": foreign}  # fmt: skip


@pytest.fixture
def analyst_a(users_a: dict[str, models.User]) -> Actor:
    return factories.actor_for(users_a["analyst"])


@pytest.fixture
def officer_a(users_a: dict[str, models.User]) -> Actor:
    return factories.actor_for(users_a["support_officer"])
