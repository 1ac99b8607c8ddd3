"""The one rule for lists of persons (j410, j1320, j1360): a protected person's whole household is withheld,
live members and archived 除票 of it alike; the support-measure officer is withheld nothing except from the
inspection list; a temporary lift opens its own purpose only."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.removed_records.archive import archive_old_removed_records
from handlers.residents.search_keys import refresh_household_keys
from handlers.suppression import persons_withheld_from_lists
from handlers.suppression_controls import lift_temporarily
from handlers.uow import unit_of_work
from tests import factories
from tests.handlers.suppression_world import World, build_world

pytestmark = pytest.mark.req("j410", "j1320", "j1360")


@pytest.fixture
def officer_a(users_a: dict[str, models.User]) -> Actor:
    return factories.actor_for(users_a["support_officer"])


@pytest.fixture
def world(db: Database, setup_session: Session, city_a: models.Municipality, officer_a: Actor) -> World:
    built = build_world(db, setup_session, city_a, officer_a)
    for household in setup_session.scalars(select(models.Household)):
        refresh_household_keys(household)
    setup_session.flush()
    return built


def expected_households(world: World) -> tuple[set[str], set[str], set[str]]:
    a, h = world.atena, world.households
    protected = {a["victim"], a["child"], a["newcomer"]}
    return protected, protected | {a["grandma"]}, {h["family"], h["new"]}


@pytest.mark.parametrize("purpose", ["inquiry", "inspection"])
def test_a_clerk_is_withheld_every_member_of_a_protected_household(
    db: Database, world: World, clerk_a: Actor, purpose: str
) -> None:
    protected, persons, households = expected_households(world)
    with unit_of_work(db, clerk_a) as uow:
        withheld = persons_withheld_from_lists(uow, purpose)
    assert (set(withheld.protected), set(withheld.persons), set(withheld.households)) == (
        protected,
        persons,
        households,
    )
    assert withheld.withholds(world.atena["grandma"]), "the unprotected member goes with the household"
    assert withheld.withholds("9999999999", world.households["family"]), "anyone filed under the 世帯番号"
    assert not withheld.withholds(world.atena["former"], world.households["former"]), "terminated measure"
    assert not withheld.withholds(world.atena["stranger"], world.households["stranger"])


def test_the_officer_sees_everyone_except_in_the_inspection_list(
    db: Database, world: World, officer_a: Actor
) -> None:
    _, persons, households = expected_households(world)
    with unit_of_work(db, officer_a) as uow:
        inquiry = persons_withheld_from_lists(uow, "inquiry")
        inspection = persons_withheld_from_lists(uow, "inspection")
    assert not inquiry.persons and not inquiry.households
    assert set(inspection.persons) == persons and set(inspection.households) == households


def test_the_decision_is_logged_once_per_list(
    db: Database, world: World, clerk_a: Actor, city_a: models.Municipality
) -> None:
    with unit_of_work(db, clerk_a) as uow:
        persons_withheld_from_lists(uow, "inquiry")
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        rows = uow.session.scalars(
            select(models.AccessLog).where(models.AccessLog.function == "disclosure_decided")
        ).all()
    assert len(rows) == 1 and rows[0].detail["purpose"] == "inquiry"
    assert set(rows[0].targets) == expected_households(world)[0]


def test_a_temporary_lift_opens_only_its_own_purpose(
    db: Database, world: World, clerk_a: Actor, officer_a: Actor
) -> None:
    with unit_of_work(db, officer_a) as uow:
        lift_temporarily(uow, measure_id=world.measures["in_force"], purpose="inquiry", minutes=10,
                         reason="関係機関への回答のため")  # fmt: skip
    with unit_of_work(db, clerk_a) as uow:
        inquiry = persons_withheld_from_lists(uow, "inquiry")
        inspection = persons_withheld_from_lists(uow, "inspection")
    a = world.atena
    assert set(inquiry.persons) == {a["newcomer"]}
    assert {a["victim"], a["child"], a["grandma"]} <= set(inspection.persons)


def test_an_archived_former_member_of_the_household_is_withheld(
    db: Database,
    setup_session: Session,
    world: World,
    clerk_a: Actor,
    city_a: models.Municipality,
) -> None:
    family = setup_session.scalars(
        select(models.Household).where(models.Household.household_number == world.households["family"])
    ).one()
    left = factories.make_resident_row(setup_session, family, number=420, given_name="旧")
    factories.remove_resident_row(setup_session, left, removal_date=dt.date(2015, 3, 31))
    setup_session.flush()
    left_atena = left.atena_number
    with unit_of_work(db, Actor.system(city_a.id, "archive")) as uow:
        archive_old_removed_records(uow, today=dt.date(2024, 4, 1))
    with unit_of_work(db, clerk_a) as uow:
        archived = uow.session.scalars(select(models.RemovedRecordArchive.atena_number)).all()
        withheld = persons_withheld_from_lists(uow, "inquiry")
    assert left_atena in archived, "control: the former member is in the 除票用データベース"
    assert left_atena in withheld.persons
