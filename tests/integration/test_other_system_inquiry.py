"""他業務照会 (j1180): from the record, the other systems are asked for their latest registration of a person
through the outbox; the answers are kept with when they came, shown on the record and in the API; asking is
an access (suppression, audit); a system out of reach is retried; items the standard excludes are dropped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import NotFoundError, PermissionDeniedError, ValidationError
from handlers.other_systems.catalog import SYSTEMS
from handlers.other_systems.inquiry import other_systems_view, request_other_system_inquiry
from handlers.outbox_delivery import DeliveryPolicy
from handlers.outbox_sweep import sweep
from handlers.residents.presenter import view_resident
from handlers.residents.protection import InquirySuppressedError
from handlers.suppression_controls import set_suppression
from handlers.uow import unit_of_work
from tests import factories
from tests.integration.conftest import messages
from tests.integration.other_system_peer import SECRET, OtherSystemPeer

ALL = tuple(SYSTEMS)


@pytest.fixture
def peer() -> Iterator[OtherSystemPeer]:
    with OtherSystemPeer() as running:
        yield running


@pytest.fixture
def person(delivering: Database, clerk_a: Actor) -> str:
    household = factories.make_household(delivering, clerk_a)
    return household.members[0].atena_number


def configure(
    setup_session: Session, city: models.Municipality, peer: OtherSystemPeer, *systems: str
) -> None:
    factories.make_inquiry_destinations(setup_session, city, peer.url, SECRET, systems or ALL)


def ask(db: Database, actor: Actor, atena: str, systems: list[str] | None = None) -> list[str]:
    with unit_of_work(db, actor) as uow:
        return request_other_system_inquiry(uow, atena, systems)


def shown(db: Database, actor: Actor, atena: str) -> dict[str, dict]:
    with unit_of_work(db, actor) as uow:
        return {s["system"]: s for s in other_systems_view(uow, atena)["systems"]}


def hold_everything(peer: OtherSystemPeer, atena: str) -> None:
    peer.hold("election", atena, registered=True, items={"voting_district": "第3投票区"})
    peer.hold(
        "nhi",
        atena,
        registered=True,
        as_of="2026-11-26",
        items={"acquired_date": "2020-04-01", "lost_date": None, "insurance_card_number": "記号1-番号2"},
    )
    peer.hold("late_elderly", atena, registered=False, items={"card_number": "12345678"})
    peer.hold("long_term_care", atena, registered=True, items={"acquired_date": "2021-06-15"})
    peer.hold(
        "national_pension",
        atena,
        registered=True,
        items={
            "basic_pension_number": "1234567890",
            "pension_kind": "1",
            "kind_changed_date": "2022-04-01",
            "acquired_date": "2000-04-01",
        },
    )
    peer.hold("child_allowance", atena, registered=True, items={"start_month": "2019-05", "end_month": None})
    peer.hold("card", atena, registered=True, items={"card_kind": "my_number_card"})  # fmt: skip


@pytest.mark.req("j1180")
def test_every_other_system_is_asked_and_its_latest_registration_is_kept_with_when_it_came(
    delivering: Database, setup_session: Session, city_a: models.Municipality, clerk_a: Actor,
    peer: OtherSystemPeer, person: str,
) -> None:  # fmt: skip
    configure(setup_session, city_a, peer)
    hold_everything(peer, person)
    before = dt.datetime.now(dt.UTC)
    assert ask(delivering, clerk_a, person) == list(ALL)
    assert sorted(e["payload"]["system"] for e in peer.state.asked) == sorted(ALL)
    assert all(
        e["payload"] == {"atena_number": person, "system": e["payload"]["system"]} for e in peer.state.asked
    )
    got = shown(delivering, clerk_a, person)
    assert all(got[s]["state"] == "answered" and got[s]["fetched_at"] for s in ALL)
    items = {s: {i["field"]: i["raw"] for i in got[s]["items"]} for s in ALL}
    assert got["election"]["registered"] is True
    assert (got["nhi"]["registered"], items["nhi"]) == (
        True,
        {"acquired_date": "2020-04-01", "lost_date": None},
    )
    assert got["nhi"]["as_of"] == "2026-11-26"
    assert got["late_elderly"]["registered"] is False
    assert items["long_term_care"]["acquired_date"] == "2021-06-15"
    assert items["national_pension"] == {"basic_pension_number": "1234567890", "pension_kind": "1",
                                         "kind_changed_date": "2022-04-01", "acquired_date": "2000-04-01",
                                         "lost_date": None}  # fmt: skip
    assert items["child_allowance"] == {"start_month": "2019-05", "end_month": None}
    assert items["card"] == {"card_kind": "my_number_card"}
    pension = {i["field"]: i["value"] for i in got["national_pension"]["items"]}
    assert pension["pension_kind"] == "第1号被保険者" and pension["acquired_date"] == "平成12年4月1日"
    with unit_of_work(delivering, clerk_a) as uow:
        rows = uow.session.scalars(select(models.OtherSystemRegistration)).all()
        assert {r.source for r in rows} == {"inquiry"}
        assert all(r.fetched_at is not None and r.fetched_at.replace(tzinfo=dt.UTC) >= before.replace(microsecond=0)
                   for r in rows)  # fmt: skip
    assert {m.status for m in messages(delivering, clerk_a, "inquiry:nhi")} == {"sent"}


@pytest.mark.req("j1180")
def test_items_the_standard_excludes_are_dropped_from_the_answers(
    delivering: Database, setup_session: Session, city_a: models.Municipality, clerk_a: Actor,
    peer: OtherSystemPeer, person: str,
) -> None:  # fmt: skip
    configure(setup_session, city_a, peer)
    hold_everything(peer, person)
    ask(delivering, clerk_a, person)
    with unit_of_work(delivering, clerk_a) as uow:
        stored = {r.system: r.items for r in uow.session.scalars(select(models.OtherSystemRegistration))}
    assert "voting_district" not in stored["election"]  # 投票区 (実装しない機能)
    assert "insurance_card_number" not in stored["nhi"]  # 被保険者証の記号及び番号
    assert "card_number" not in stored["late_elderly"]
    assert "第3投票区" not in str(stored) and "記号1-番号2" not in str(stored)


@pytest.mark.req("j1180")
def test_asking_again_replaces_the_answer_with_the_latest_and_a_refused_answer_keeps_the_earlier(
    delivering: Database, setup_session: Session, city_a: models.Municipality, clerk_a: Actor,
    peer: OtherSystemPeer, person: str,
) -> None:  # fmt: skip
    configure(setup_session, city_a, peer, "nhi")
    peer.hold("nhi", person, registered=True, items={"acquired_date": "2020-04-01"})
    ask(delivering, clerk_a, person)
    peer.hold(
        "nhi", person, registered=False, items={"acquired_date": "2020-04-01", "lost_date": "2026-10-31"}
    )
    ask(delivering, clerk_a, person)
    nhi = shown(delivering, clerk_a, person)["nhi"]
    assert nhi["registered"] is False
    assert {i["field"]: i["raw"] for i in nhi["items"]}["lost_date"] == "2026-10-31"
    peer.state.broken_answer = b'{"format": "jumin.inquiry-answer/1", "system": "nhi"}'
    ask(delivering, clerk_a, person)
    nhi = shown(delivering, clerk_a, person)["nhi"]
    assert nhi["state"] == "error" and "回答を取り込めません" in nhi["error"]
    assert nhi["registered"] is False  # the earlier answer stays, with its time
    assert [m.status for m in messages(delivering, clerk_a, "inquiry:nhi")] == ["sent", "sent", "sent"]


@pytest.mark.req("j1180")
def test_a_system_out_of_reach_is_retried_through_the_outbox_and_the_page_says_why_meanwhile(
    delivering: Database, setup_session: Session, city_a: models.Municipality, clerk_a: Actor,
    peer: OtherSystemPeer, person: str,
) -> None:  # fmt: skip
    configure(setup_session, city_a, peer, "national_pension")
    peer.hold("national_pension", person, registered=True, items={"basic_pension_number": "1234567890"})
    peer.state.fail_remaining = 1
    ask(delivering, clerk_a, person)
    pension = shown(delivering, clerk_a, person)["national_pension"]
    assert pension["state"] == "error" and "接続できません" in pension["error"]
    [message] = messages(delivering, clerk_a, "inquiry:national_pension")
    assert (message.status, message.attempts) == ("pending", 1)
    with unit_of_work(delivering, clerk_a) as uow:  # the backoff has passed
        uow.session.execute(update(models.OutboxMessage).values(next_attempt_at=None))
    sweep(delivering, policy=DeliveryPolicy(base_delay=0.0))
    pension = shown(delivering, clerk_a, person)["national_pension"]
    assert pension["state"] == "answered" and pension["registered"] is True and pension["error"] is None


@pytest.mark.req("j1180", "j410")
def test_a_person_under_an_error_level_inquiry_suppression_is_not_asked_about(
    delivering: Database, setup_session: Session, city_a: models.Municipality, clerk_a: Actor,
    users_a: dict[str, models.User], peer: OtherSystemPeer, person: str,
) -> None:  # fmt: skip
    configure(setup_session, city_a, peer, "nhi")
    officer = factories.actor_for(users_a["support_officer"])
    with unit_of_work(delivering, officer) as uow:
        set_suppression(uow, atena_number=person, process="inquiry", level="error",
                        start_date=dt.date(2024, 1, 1), reason="裁判所からの依頼")  # fmt: skip
    with pytest.raises(InquirySuppressedError):
        ask(delivering, clerk_a, person)
    with pytest.raises(InquirySuppressedError):
        shown(delivering, clerk_a, person)
    assert peer.state.asked == [] and messages(delivering, clerk_a, "inquiry:nhi") == []


@pytest.mark.req("j1180", "j1370")
def test_asking_and_reading_are_in_the_access_log(
    delivering: Database, setup_session: Session, city_a: models.Municipality, clerk_a: Actor,
    peer: OtherSystemPeer, person: str,
) -> None:  # fmt: skip
    configure(setup_session, city_a, peer, "nhi", "election")
    ask(delivering, clerk_a, person, ["nhi"])
    shown(delivering, clerk_a, person)
    with unit_of_work(delivering, Actor.system(city_a.id)) as uow:
        rows = uow.session.scalars(select(models.AccessLog).order_by(models.AccessLog.seq)).all()
    asked = [r for r in rows if r.function == "other_system_inquiry_requested"]
    read = [r for r in rows if r.function == "other_system_registrations_viewed"]
    assert [(r.login_id, r.targets, r.detail) for r in asked] == [
        (clerk_a.login_id, [person], {"systems": ["nhi"]})
    ]
    assert [(r.login_id, r.targets) for r in read] == [(clerk_a.login_id, [person])]
    assert peer.state.asked and all(e["payload"]["system"] == "nhi" for e in peer.state.asked)


@pytest.mark.req("j1180")
def test_the_record_view_carries_the_answers_but_not_in_an_as_of_view(
    delivering: Database, setup_session: Session, city_a: models.Municipality, clerk_a: Actor,
    peer: OtherSystemPeer, person: str,
) -> None:  # fmt: skip
    configure(setup_session, city_a, peer, "card")
    peer.hold("card", person, registered=True, items={"card_kind": "juki_card"})
    ask(delivering, clerk_a, person)
    with unit_of_work(delivering, clerk_a) as uow:
        view = view_resident(uow, person)
        past = view_resident(uow, person, on=dt.date(2025, 1, 1))
    card = {s["system"]: s for s in view["other_systems"]}["card"]
    assert (card["registered_text"], card["items"][0]["value"]) == ("有", "住民基本台帳カード")
    assert [s["state"] for s in view["other_systems"] if s["system"] != "card"] == ["none"] * 6
    assert past["other_systems"] is None


@pytest.mark.req("j1180")
def test_asking_needs_a_configured_system_the_view_permission_and_a_person_of_the_municipality(
    delivering: Database, setup_session: Session, city_a: models.Municipality, clerk_a: Actor,
    users_a: dict[str, models.User], users_b: dict[str, models.User], peer: OtherSystemPeer, person: str,
) -> None:  # fmt: skip
    with pytest.raises(ValidationError) as none_configured:
        ask(delivering, clerk_a, person)
    assert none_configured.value.problems[0].code == "not_configured"
    configure(setup_session, city_a, peer, "nhi")
    with pytest.raises(ValidationError) as unknown:
        ask(delivering, clerk_a, person, ["rice_ration"])  # 米穀の配給: not implemented
    assert unknown.value.problems[0].code == "unknown_system"
    with pytest.raises(PermissionDeniedError):
        ask(delivering, factories.actor_for(users_a["analyst"]), person)
    with pytest.raises(NotFoundError):
        ask(delivering, factories.actor_for(users_b["clerk"]), person)
    assert peer.state.asked == []
