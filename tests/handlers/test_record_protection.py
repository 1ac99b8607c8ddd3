"""The record view (照会) and the search show protection plainly and pass the one disclosure decision
(j160, j410, j440): marks for everyone, measure links and period alerts for the officer only, an error-level
照会 suppression refuses a clerk's view (logged), an alert-level one is shown."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.residents.presenter import view_resident
from handlers.residents.protection import InquirySuppressedError
from handlers.residents.search import ResidentQuery, search_residents
from handlers.suppression_controls import set_suppression
from handlers.uow import unit_of_work
from tests import factories
from tests.handlers.suppression_world import World, build_world
from tests.statements import recorded_statements


@pytest.fixture
def officer_a(users_a: dict[str, models.User]) -> Actor:
    return factories.actor_for(users_a["support_officer"])


@pytest.fixture
def world(db: Database, setup_session: Session, city_a: models.Municipality, officer_a: Actor) -> World:
    return build_world(db, setup_session, city_a, officer_a)


def view(db: Database, actor: Actor, atena: str) -> dict:
    with unit_of_work(db, actor) as uow:
        return view_resident(uow, atena)


def decisions(db: Database, city: models.Municipality) -> list[models.AccessLog]:
    with unit_of_work(db, Actor.system(city.id)) as uow:
        stmt = select(models.AccessLog).where(models.AccessLog.function == "disclosure_decided")
        return list(uow.session.scalars(stmt.order_by(models.AccessLog.seq)))


@pytest.mark.req("j160", "j380", "j440")
def test_a_clerk_sees_the_measure_in_force_without_its_link_or_period_alerts(
    db: Database, world: World, clerk_a: Actor
) -> None:
    shown = view(db, clerk_a, world.atena["victim"])["protection"]
    assert shown["label"] == "支援措置" and not shown["linked"]
    assert [(m["id"], m["status_label"]) for m in shown["measures"]] == [(None, "支援措置中")]
    assert shown["period_alerts"] == []
    assert [a["code"] for a in shown["alerts"]] == ["protected_subject"]


@pytest.mark.req("j160", "j380", "j440")
def test_the_officer_gets_the_link_and_the_alert_that_the_period_ended_without_extension(
    db: Database, world: World, officer_a: Actor
) -> None:
    shown = view(db, officer_a, world.atena["victim"])["protection"]
    assert [m["id"] for m in shown["measures"]] == [world.measures["in_force"]]
    assert [a["code"] for a in shown["period_alerts"]] == ["support_expired"]


@pytest.mark.req("j160", "j380", "j440")
def test_provisional_protection_is_shown_as_such(db: Database, world: World, clerk_a: Actor) -> None:
    shown = view(db, clerk_a, world.atena["newcomer"])["protection"]
    assert shown["label"] == "仮支援措置"
    assert [m["status_label"] for m in shown["measures"]] == ["仮支援措置中"]
    assert view(db, clerk_a, world.atena["former"])["protection"]["measures"] == [], "terminated"


@pytest.mark.req("j410")
def test_alert_level_inquiry_suppression_is_shown_on_the_record(
    db: Database, world: World, clerk_a: Actor
) -> None:
    shown = view(db, clerk_a, world.atena["neighbour"])
    assert [a["code"] for a in shown["protection"]["alerts"]] == ["suppression_alert"]
    assert shown["suppression_notice"] is None


@pytest.mark.req("j410")
def test_error_level_inquiry_suppression_refuses_the_clerk_and_is_logged_but_the_officer_sees_it(
    db: Database, world: World, city_a: models.Municipality, clerk_a: Actor, officer_a: Actor
) -> None:
    stranger = world.atena["stranger"]
    with unit_of_work(db, officer_a) as uow:
        set_suppression(uow, atena_number=stranger, process="inquiry", level="error",
                        start_date=dt.date(2024, 1, 1), reason="裁判所からの依頼")  # fmt: skip
    with pytest.raises(InquirySuppressedError) as refused:
        view(db, clerk_a, stranger)
    assert "照会は抑止されています" in str(refused.value) and refused.value.status == 403
    refusal = decisions(db, city_a)[-1]
    assert refusal.login_id == clerk_a.login_id and refusal.targets == [stranger]
    assert (refusal.detail["purpose"], refusal.detail["outcome"]) == ("inquiry", "refuse")
    shown = view(db, officer_a, stranger)
    assert shown["atena_number"] == stranger and "支援措置責任者" in shown["suppression_notice"]


@pytest.mark.req("j160", "j330", "j380")
def test_search_marks_protected_persons_and_links_only_for_the_officer(
    db: Database, world: World, clerk_a: Actor, officer_a: Actor
) -> None:
    query = ResidentQuery(atena_number=world.atena["victim"])
    with unit_of_work(db, clerk_a) as uow:
        [hit] = search_residents(uow, query)
    assert (hit.protected, hit.protection_label, hit.measure_ids) == (True, "支援措置中", ())
    with unit_of_work(db, officer_a) as uow:
        [hit] = search_residents(uow, query)
    assert hit.measure_ids == (world.measures["in_force"],)
    with unit_of_work(db, clerk_a) as uow:
        [hit] = search_residents(uow, ResidentQuery(atena_number=world.atena["newcomer"]))
    assert hit.protection_label == "仮支援措置中"


def _measure_reads(db: Database, actor: Actor, atena: str) -> tuple[dict, int]:
    """The view, and how many statements read measures by 宛名番号 (not counting the EXISTS flags)."""
    with unit_of_work(db, actor) as uow, recorded_statements(uow.session.connection().engine) as seen:
        shown = view_resident(uow, atena)
    return shown, sum(s.lstrip().upper().startswith("SELECT SUPPORT_MEASURE") for s in seen)


@pytest.mark.req("j160")
def test_the_view_reads_measures_only_for_protected_persons_and_marks_the_members(
    db: Database, world: World, clerk_a: Actor
) -> None:
    shown, reads = _measure_reads(db, clerk_a, world.atena["stranger"])
    assert reads == 0 and shown["protection"]["measures"] == []
    shown, reads = _measure_reads(db, clerk_a, world.atena["grandma"])
    assert (
        shown["protection"]["measures"] == [] and reads == 3
    )  # the decision (measures, perpetrators), the marks
    marks = {m["atena_number"]: m["protected"] for m in shown["household_members"]}
    assert marks == {world.atena["victim"]: True, world.atena["child"]: True, world.atena["grandma"]: False}


@pytest.mark.req("j410")
def test_the_view_reads_the_household_once_for_the_decision_and_the_members(
    db: Database, world: World, clerk_a: Actor, officer_a: Actor
) -> None:
    """The 照会 decision takes the household's members the view reads (one statement of them, not two), and a
    suppression set on the household, not on the person, still refuses the view."""
    lodger = world.atena["lodger"]
    with unit_of_work(db, clerk_a) as uow, recorded_statements(uow.session.connection().engine) as seen:
        shown = view_resident(uow, lodger)
    member_reads = [s for s in seen if s.lstrip().upper().startswith("SELECT RESIDENT.ATENA_NUMBER")]
    assert len(member_reads) == 1 and lodger in {m["atena_number"] for m in shown["household_members"]}
    with unit_of_work(db, officer_a) as uow:
        set_suppression(uow, household_number=world.households["lodging"], process="inquiry", level="error",
                        start_date=dt.date(2024, 1, 1), reason="裁判所からの依頼")  # fmt: skip
    with pytest.raises(InquirySuppressedError):
        view(db, clerk_a, lodger)
