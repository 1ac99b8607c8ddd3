"""The officer's single-use release, temporary lifts that revert by time, per-process suppressions, their
permissions (j1380), access-log rows and tenant isolation (j410, j440)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from handlers.permissions import ROLE_PERMISSIONS
from handlers.suppression import DisclosureRequest, Identity, Requester, check_disclosure, utcnow
from handlers.suppression_controls import (
    grant_release,
    lift_temporarily,
    release_suppression,
    request_release,
    set_suppression,
)
from handlers.uow import unit_of_work
from tests import factories
from tests.handlers.suppression_world import World, build_world

LAWYER = Identity(name="弁護 士郎", kana="ベンゴ シロウ", birth_date=dt.date(1960, 2, 2))


@pytest.fixture
def officer_a(users_a: dict[str, models.User]) -> Actor:
    return factories.actor_for(users_a["support_officer"])


@pytest.fixture
def world(db: Database, setup_session: Session, city_a: models.Municipality, officer_a: Actor) -> World:
    return build_world(db, setup_session, city_a, officer_a)


def certificate_of(world: World, name: str, purpose: str = "certificate") -> DisclosureRequest:
    return DisclosureRequest(Requester("third_party", LAWYER), (world.atena[name],), purpose)


def decide(db: Database, actor: Actor, request: DisclosureRequest, now: dt.datetime | None = None) -> str:
    with unit_of_work(db, actor) as uow:
        return check_disclosure(uow, request, now=now).outcome


def log_rows(db: Database, city: models.Municipality, function: str) -> list[models.AccessLog]:
    with unit_of_work(db, Actor.system(city.id)) as uow:
        stmt = (
            select(models.AccessLog)
            .where(models.AccessLog.function == function)
            .order_by(models.AccessLog.seq)
        )
        return list(uow.session.scalars(stmt))


def outbox(db: Database, city: models.Municipality) -> list[models.OutboxMessage]:
    with unit_of_work(db, Actor.system(city.id)) as uow:
        return list(uow.session.scalars(select(models.OutboxMessage).order_by(models.OutboxMessage.id)))


@pytest.mark.req("j440")
def test_officer_release_allows_exactly_that_request_once(
    db: Database, city_a, world: World, clerk_a: Actor, officer_a: Actor
) -> None:
    request = certificate_of(world, "victim")
    assert decide(db, clerk_a, request) == "needs_release"
    with unit_of_work(db, clerk_a) as uow:
        release_id = request_release(uow, request)
    assert decide(db, clerk_a, request) == "needs_release", "requested is not released"
    with unit_of_work(db, officer_a) as uow:
        grant_release(uow, release_id, "裁判所提出用と確認した")
    other = DisclosureRequest(request.requester, request.subjects, request.purpose, items=("honseki",))
    assert decide(db, clerk_a, other) == "needs_release", "a release covers only the identical request"
    with unit_of_work(db, clerk_a) as uow:
        decision = check_disclosure(uow, request)
    assert (decision.outcome, decision.reason_code, decision.release_id) == ("allow", "released", release_id)
    assert decide(db, clerk_a, request) == "needs_release", "single use: a second request needs a new release"
    with unit_of_work(db, officer_a) as uow:
        assert uow.session.get(models.DisclosureRelease, release_id).used_at is not None
    (requested,) = log_rows(db, city_a, "disclosure_release_requested")
    (granted,) = log_rows(db, city_a, "disclosure_release_granted")
    assert requested.targets == granted.targets == [world.atena["victim"]]
    assert granted.login_id == officer_a.login_id
    decided = log_rows(db, city_a, "disclosure_decided")
    assert [r.detail["reason_code"] for r in decided] == [
        "protected",
        "protected",
        "protected",
        "released",
        "protected",
    ]
    assert decided[3].detail["release_id"] == release_id


@pytest.mark.req("j440", "j1380")
def test_only_the_support_officer_releases_and_a_perpetrator_is_never_released(
    db: Database, world: World, clerk_a: Actor, supervisor_a: Actor, officer_a: Actor
) -> None:
    request = certificate_of(world, "victim")
    with unit_of_work(db, clerk_a) as uow:
        release_id = request_release(uow, request)
    for actor in (clerk_a, supervisor_a):
        with pytest.raises(PermissionDeniedError), unit_of_work(db, actor) as uow:
            grant_release(uow, release_id, "理由")
    with pytest.raises(ValidationError), unit_of_work(db, officer_a) as uow:
        grant_release(uow, release_id, " ")
    with unit_of_work(db, officer_a) as uow:
        grant_release(uow, release_id, "確認済")
    with pytest.raises(ConflictError), unit_of_work(db, officer_a) as uow:
        grant_release(uow, release_id, "二重")
    perpetrator = DisclosureRequest(
        Requester("third_party", Identity(world.atena["abuser"])), request.subjects, "certificate"
    )
    with pytest.raises(ConflictError), unit_of_work(db, clerk_a) as uow:
        request_release(uow, perpetrator)  # refused outright: nothing to release
    with pytest.raises(ConflictError), unit_of_work(db, clerk_a) as uow:
        request_release(uow, certificate_of(world, "stranger"))  # allowed already


@pytest.mark.req("j410", "j440")
def test_temporary_lift_holds_for_its_purpose_and_reverts_after_the_configured_time(
    db: Database, setup_session: Session, city_a, world: World, clerk_a: Actor, officer_a: Actor
) -> None:
    city_a.settings = {"temporary_lift_minutes": 10}
    setup_session.flush()
    start = utcnow()
    with unit_of_work(db, officer_a) as uow:
        lift = lift_temporarily(
            uow, measure_id=world.measures["in_force"], purpose="certificate", reason="本人確認済", now=start
        )
        assert lift.expires_at - lift.lifted_at == dt.timedelta(minutes=10)
    request = certificate_of(world, "victim")
    assert decide(db, clerk_a, request, start + dt.timedelta(minutes=9)) == "allow"
    assert decide(db, clerk_a, certificate_of(world, "victim", "inspection"), start) == "needs_release"
    assert decide(db, clerk_a, request, start + dt.timedelta(minutes=10, seconds=1)) == "needs_release"
    abuser = DisclosureRequest(
        Requester("self", Identity(world.atena["abuser"])), request.subjects, "certificate"
    )
    assert decide(db, clerk_a, abuser, start + dt.timedelta(minutes=1)) == "refuse", (
        "a lift never helps a perpetrator"
    )
    with pytest.raises(ValidationError), unit_of_work(db, officer_a) as uow:
        lift_temporarily(uow, measure_id=world.measures["in_force"], purpose="certificate", minutes=11)
    (logged,) = log_rows(db, city_a, "suppression_lifted_temporarily")
    assert logged.detail["purpose"] == "certificate" and logged.detail["minutes"] == 10
    kinds = {m.kind for m in outbox(db, city_a)}
    assert not any("lift" in kind for kind in kinds), "a temporary lift is never sent to other systems"


@pytest.mark.req("j410")
def test_temporary_lift_of_a_suppression_defaults_to_thirty_minutes(
    db: Database, city_a, world: World, clerk_a: Actor, officer_a: Actor
) -> None:
    start = utcnow()
    before = len(outbox(db, city_a))
    with unit_of_work(db, officer_a) as uow:
        lift = lift_temporarily(
            uow, suppression_id=world.suppressions["neighbour_certificate"], purpose="certificate", now=start
        )
        assert lift.expires_at - lift.lifted_at == dt.timedelta(minutes=30)
    request = DisclosureRequest(
        Requester("self", Identity(world.atena["neighbour"])), (world.atena["neighbour"],), "certificate"
    )
    assert decide(db, clerk_a, request, start + dt.timedelta(minutes=29)) == "allow"
    assert decide(db, clerk_a, request, start + dt.timedelta(minutes=31)) == "refuse"
    assert len(outbox(db, city_a)) == before, "no outbox row for a temporary lift"


@pytest.mark.req("j410", "j420")
def test_suppression_is_released_only_explicitly_and_notices_go_out(
    db: Database, city_a, world: World, clerk_a: Actor, officer_a: Actor
) -> None:
    request = DisclosureRequest(
        Requester("self", Identity(world.atena["neighbour"])), (world.atena["neighbour"],), "certificate"
    )
    assert decide(db, clerk_a, request) == "refuse"
    with unit_of_work(db, officer_a) as uow:
        release_suppression(uow, world.suppressions["neighbour_certificate"], "裁判所の依頼終了")
    assert decide(db, clerk_a, request) == "allow"
    notices = [m for m in outbox(db, city_a) if m.kind.startswith("suppression_")]
    certificate_id = world.suppressions["neighbour_certificate"]
    sent = {(m.kind, m.destination) for m in notices if m.payload["suppression_id"] == certificate_id}
    assert sent == {
        (f"suppression_{e}", d) for e in ("set", "released") for d in ("cs", "kiosk", "addressee")
    }
    inquiry = {
        m.destination
        for m in notices
        if m.payload["suppression_id"] == world.suppressions["neighbour_inquiry"]
    }
    assert inquiry == {"addressee"}, "only certificate suppressions go to CS and コンビニ交付"
    assert [r.function for r in log_rows(db, city_a, "suppression_released")] == ["suppression_released"]
    with pytest.raises(ConflictError), unit_of_work(db, officer_a) as uow:
        release_suppression(uow, certificate_id, "二重")


@pytest.mark.req("j1380")
def test_setting_releasing_and_lifting_need_their_own_permissions(
    db: Database, world: World, clerk_a: Actor, supervisor_a: Actor
) -> None:
    for actor in (clerk_a, supervisor_a):
        with pytest.raises(PermissionDeniedError), unit_of_work(db, actor) as uow:
            set_suppression(uow, atena_number=world.atena["stranger"], process="certificate", level="error",
                            start_date=dt.date(2026, 1, 1), reason="x")  # fmt: skip
        with pytest.raises(PermissionDeniedError), unit_of_work(db, actor) as uow:
            release_suppression(uow, world.suppressions["neighbour_inquiry"], "x")
        with pytest.raises(PermissionDeniedError), unit_of_work(db, actor) as uow:
            lift_temporarily(uow, measure_id=world.measures["in_force"], purpose="certificate")


@pytest.mark.req("j1380")
def test_a_role_holding_only_the_lift_permission_can_lift_but_not_set_or_release(
    db: Database, world: World, clerk_a: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ROLE_PERMISSIONS, "lifter", frozenset({"support.lift_temporarily"}))
    lifter = Actor(tenant_id=clerk_a.tenant_id, login_id="lifter", roles=frozenset({"lifter"}))
    with unit_of_work(db, lifter) as uow:
        lift_temporarily(uow, measure_id=world.measures["in_force"], purpose="certificate")
    with pytest.raises(PermissionDeniedError), unit_of_work(db, lifter) as uow:
        release_suppression(uow, world.suppressions["neighbour_inquiry"], "x")
    with pytest.raises(PermissionDeniedError), unit_of_work(db, lifter) as uow:
        set_suppression(uow, atena_number=world.atena["stranger"], process="certificate", level="error",
                        start_date=dt.date(2026, 1, 1), reason="x")  # fmt: skip


@pytest.mark.req("j410")
def test_a_suppression_needs_one_target_known_values_and_an_orderly_period(
    db: Database, world: World, officer_a: Actor
) -> None:
    with pytest.raises(ValidationError) as caught, unit_of_work(db, officer_a) as uow:
        set_suppression(uow, atena_number=world.atena["stranger"], process="print", level="warn",
                        start_date=dt.date(2026, 2, 1), end_date=dt.date(2026, 1, 1), reason="x")  # fmt: skip
    assert {p.field for p in caught.value.problems} == {"process", "level", "end_date"}
    with pytest.raises(ValidationError), unit_of_work(db, officer_a) as uow:
        set_suppression(uow, process="certificate", level="error", start_date=dt.date(2026, 1, 1), reason="x")


@pytest.mark.req("j410", "j440")
def test_another_municipality_neither_sees_protection_nor_releases_it(
    db: Database, world: World, users_b: dict[str, models.User], clerk_a: Actor
) -> None:
    clerk_b = factories.actor_for(users_b["clerk"])
    officer_b = factories.actor_for(users_b["support_officer"])
    request = certificate_of(world, "victim")
    with unit_of_work(db, clerk_a) as uow:
        release_id = request_release(uow, request)
    with pytest.raises(NotFoundError), unit_of_work(db, officer_b) as uow:
        grant_release(uow, release_id, "他市")
    with pytest.raises(NotFoundError), unit_of_work(db, officer_b) as uow:
        lift_temporarily(uow, measure_id=world.measures["in_force"], purpose="certificate")
    with unit_of_work(db, clerk_b) as uow:
        decision = check_disclosure(uow, request)
    assert decision.subjects_protected == (), "city B's decision reads only city B's measures"
    assert decide(db, clerk_a, request) == "needs_release"
