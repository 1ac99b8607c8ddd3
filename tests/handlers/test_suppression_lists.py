"""Period alerts on the record, the former-address switch on moving out, the officer's list of suppressed
persons and the inspection list without protected persons (j440, j1290, j1320, j420)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import PermissionDeniedError
from handlers.residents.search_keys import refresh_household_keys
from handlers.support_measure_status import support_alerts, switch_to_former_address_protection
from handlers.suppression import DisclosureRequest, Identity, Requester, check_disclosure
from handlers.suppression_lists import inspection_list, suppressed_persons
from handlers.uow import unit_of_work
from tests import factories
from tests.handlers.suppression_world import World, build_world


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


def log_rows(db: Database, city: models.Municipality, function: str) -> list[models.AccessLog]:
    with unit_of_work(db, Actor.system(city.id)) as uow:
        return list(
            uow.session.scalars(select(models.AccessLog).where(models.AccessLog.function == function))
        )


@pytest.mark.req("j440")
@pytest.mark.parametrize(
    ("today", "codes"),
    [
        (dt.date(2025, 2, 27), []),
        (dt.date(2025, 2, 28), ["support_ending_soon"]),  # one month before 2025-03-31
        (dt.date(2025, 3, 31), ["support_ending_soon"]),
        (dt.date(2025, 4, 1), ["support_expired"]),
        (dt.date(2026, 9, 1), ["support_expired"]),
    ],
)
def test_period_alerts_on_the_record(
    db: Database, world: World, clerk_a: Actor, today: dt.date, codes: list[str]
) -> None:
    with unit_of_work(db, clerk_a) as uow:
        alerts = support_alerts(uow, world.atena["victim"], today)
        assert support_alerts(uow, world.atena["newcomer"], today) == [], "no period yet while provisional"
        assert support_alerts(uow, world.atena["former"], today) == [], "terminated: nothing to alert"
    assert [a.code for a in alerts] == codes
    assert all(a.level == "alert" and a.reason and a.remedy for a in alerts)


@pytest.mark.req("j440", "j420")
def test_moving_out_switches_to_provisional_protection_as_former_address_without_a_gap(
    db: Database, city_a, world: World, clerk_a: Actor, users_a
) -> None:
    with (
        pytest.raises(PermissionDeniedError),
        unit_of_work(db, factories.actor_for(users_a["auditor"])) as uow,
    ):
        switch_to_former_address_protection(uow, world.atena["victim"], "202118")
    with unit_of_work(db, clerk_a) as uow:
        switched = switch_to_former_address_protection(
            uow, world.atena["victim"], "202118", today=dt.date(2026, 5, 1)
        )
        request = DisclosureRequest(
            Requester("third_party", Identity(name="第三 者")), (world.atena["victim"],), "certificate"
        )
        assert check_disclosure(uow, request).outcome == "needs_release"
    assert switched == [world.measures["in_force"]]
    with unit_of_work(db, clerk_a) as uow:
        measure = uow.session.get(models.SupportMeasure, world.measures["in_force"])
        assert (measure.status, measure.provisional, measure.provisional_start_date) == (
            "provisional", True, dt.date(2026, 5, 1),
        )  # fmt: skip
        assert (measure.originating_municipality, measure.forwarded_to_municipality) == ("141003", "202118")
        kinds = {
            (m.kind, m.destination)
            for m in uow.session.scalars(select(models.OutboxMessage))
            if m.payload.get("measure_id") == measure.id
        }
    assert {d for k, d in kinds if k == "support_measure_switched"} == {
        "cs",
        "kiosk",
        "addressee",
    }
    (logged,) = log_rows(db, city_a, "support_measure_switched")
    assert set(logged.targets) == {world.atena["victim"], world.atena["child"]}


@pytest.mark.req("j1290")
def test_the_officer_lists_every_suppressed_person(
    db: Database, city_a, world: World, officer_a: Actor, clerk_a: Actor
) -> None:
    with pytest.raises(PermissionDeniedError), unit_of_work(db, clerk_a) as uow:
        suppressed_persons(uow)
    with unit_of_work(db, officer_a) as uow:
        people = {p.atena_number: p.reasons for p in suppressed_persons(uow)}
    a = world.atena
    assert set(people) == {a["victim"], a["child"], a["newcomer"], a["neighbour"], a["lodger"]}
    assert people[a["newcomer"]] == ("support_measure:provisional",)
    assert people[a["neighbour"]] == ("suppression:certificate:error", "suppression:inquiry:alert")
    assert people[a["lodger"]] == ("household_suppression:change_input:error",)
    (logged,) = log_rows(db, city_a, "suppressed_persons_listed")
    assert logged.action == "export" and set(logged.targets) == set(people)


@pytest.mark.req("j1290")
def test_the_list_is_split_by_ward_in_a_designated_city(
    db: Database, setup_session: Session, world: World, officer_a: Actor
) -> None:
    for household in setup_session.scalars(select(models.Household)):
        household.ward_code = (
            "141011" if household.household_number == world.households["neighbour"] else "141020"
        )
    setup_session.add(models.Ward(municipality_id=officer_a.tenant_id, code="141011", name="鶴見区"))
    setup_session.flush()
    with unit_of_work(db, officer_a) as uow:
        ward = suppressed_persons(uow, ward_code="141011")
    assert [p.atena_number for p in ward] == [world.atena["neighbour"]]
    assert ward[0].ward_name == "鶴見区", "the list names the 区, not only its code"


@pytest.mark.req("j1320")
def test_the_inspection_list_leaves_out_protected_households(
    db: Database, city_a, world: World, clerk_a: Actor
) -> None:
    with unit_of_work(db, clerk_a) as uow:
        listed = inspection_list(uow, "中央1丁目")
        shuffled = inspection_list(uow, "中央一丁目", order="random", seed=7)
        again = inspection_list(uow, "中央一丁目", order="random", seed=7)
        assert inspection_list(uow, "北町") == []
    a = world.atena
    expected = {a["abuser"], a["former"], a["neighbour"], a["lodger"], a["stranger"]}
    assert {r["atena_number"] for r in listed} == expected
    assert {r["atena_number"] for r in shuffled} == expected and shuffled == again
    assert set(listed[0]) == {"atena_number", "name", "birth_date", "sex", "address"}
    logged = log_rows(db, city_a, "inspection_list_exported")
    assert len(logged) == 4 and logged[0].action == "export"
    assert set(logged[0].targets) == expected


@pytest.mark.req("j1320")
def test_the_inspection_list_needs_the_search_permission(db: Database, world: World, users_a) -> None:
    with (
        pytest.raises(PermissionDeniedError),
        unit_of_work(db, factories.actor_for(users_a["auditor"])) as uow,
    ):
        inspection_list(uow, "中央")
