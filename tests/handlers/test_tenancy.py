"""Tenant isolation in the session (issue 2 part 2): one mechanism scopes every ORM read and write."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import TenancyError
from handlers.tenancy import built_once
from handlers.uow import unit_of_work


def _add_household(db: Database, tenant_id: int, number: str) -> None:
    with unit_of_work(db, Actor.system(tenant_id)) as uow:
        uow.session.add(models.Household(household_number=number, address="テスト町1-1"))


def test_reads_see_only_the_sessions_tenant(db: Database, city_a, city_b) -> None:
    _add_household(db, city_a.id, "0000000019")
    _add_household(db, city_b.id, "0000000027")
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        numbers = uow.session.scalars(select(models.Household.household_number)).all()
    assert numbers == ["0000000019"]


_NUMBERS = built_once(select(models.Household.household_number).order_by(models.Household.household_number))


def test_a_statement_built_once_is_scoped_to_each_sessions_tenant(db: Database, city_a, city_b) -> None:
    """A statement marked ``built_once`` keeps one scoped form per tenant: each session still reads only its
    tenant's rows, and a statement derived from it is scoped as itself (not served the kept form)."""
    _add_household(db, city_a.id, "0000000019")
    _add_household(db, city_a.id, "0000000035")
    _add_household(db, city_b.id, "0000000027")
    for _ in range(2):  # the second time from the kept forms
        with unit_of_work(db, Actor.system(city_a.id)) as uow:
            assert uow.session.scalars(_NUMBERS).all() == ["0000000019", "0000000035"]
            derived = _NUMBERS.where(models.Household.household_number != "0000000019")
            assert uow.session.scalars(derived).all() == ["0000000035"]
        with unit_of_work(db, Actor.system(city_b.id)) as uow:
            assert uow.session.scalars(_NUMBERS).all() == ["0000000027"]


def test_bulk_update_cannot_touch_another_tenant(db: Database, city_a, city_b) -> None:
    _add_household(db, city_a.id, "0000000019")
    _add_household(db, city_b.id, "0000000027")
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        uow.session.execute(update(models.Household).values(address="変更"))
    with unit_of_work(db, Actor.system(city_b.id)) as uow:
        assert uow.session.scalars(select(models.Household.address)).one() == "テスト町1-1"


def test_writing_a_row_of_another_tenant_is_refused(db: Database, city_a, city_b) -> None:
    with pytest.raises(TenancyError), unit_of_work(db, Actor.system(city_a.id)) as uow:
        uow.session.add(models.Household(tenant_id=city_b.id, household_number="1", address="x"))


def test_a_session_without_tenant_fails_closed(db: Database, city_a) -> None:
    session = db.sessionmaker()
    with pytest.raises(TenancyError):
        session.scalars(select(models.Resident)).all()
    session.close()
