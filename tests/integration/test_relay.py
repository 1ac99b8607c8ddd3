"""A whole move between two municipalities of the deployment through the CS relay (j670, j680, j690, j700):
特例転出 in A → 転出証明書情報 in B's inbox → B's 特例転入 → 転入通知 back to A → 除票 on the earlier date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.cases import doors
from handlers.changes.move_in_notice_receipt import missing_move_in_notices
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.relay import find_move_out_certificate_info
from handlers.uow import unit_of_work
from models.case import Case, CaseTask
from models.change import OutboxMessage
from models.relay import RelayInbox
from models.resident import Resident
from models.tenant import Municipality
from tests.factories import actor_for, make_household
from tests.integration.conftest import configure

pytestmark = pytest.mark.req("j1090", "j670", "j680")
TODAY = japan_today()
PLANNED = TODAY + dt.timedelta(days=10)


def run(db: Database, actor: Actor, fn: Any, *args: Any, **kwargs: Any) -> Any:
    with unit_of_work(db, actor) as uow:
        return fn(uow, *args, **kwargs)


def review_task(uow: Any, case_id: int) -> CaseTask:
    return uow.session.scalars(
        select(CaseTask).where(
            CaseTask.case_id == case_id, CaseTask.bpmn_id.startswith("review_"), CaseTask.state == "ready"
        )
    ).one()


def register(db: Database, clerk: Actor, supervisor: Actor, code: str, intake: dict[str, Any]) -> Case:
    case = run(db, clerk, doors.open_case, code, intake)
    task = run(db, supervisor, review_task, case.id)
    run(db, supervisor, doors.approve, task.id, [])
    return case


def relay_everywhere(session: Session, *cities: Municipality) -> None:
    for city in cities:
        configure(session, city.id, "cs", "relay", secret=f"relay-{city.code}")
        configure(session, city.id, "municipality:*", "relay", secret=f"relay-{city.code}")


def person(uow: Any, atena_number: str) -> Resident:
    return uow.session.scalars(select(Resident).where(Resident.atena_number == atena_number)).one()


def move_out_in_a(db: Database, clerk_a: Actor, supervisor_a: Actor) -> Resident:
    home = make_household(db, clerk_a)
    ichiro = home.members[2]
    intake = {
        "atena_numbers": [ichiro.atena_number],
        "change_date": PLANNED.isoformat(),
        "notified_date": TODAY.isoformat(),
        "destination": {"municipality_code": "202118", "address": "大手1丁目2番3号"},
        "special_move_out": True,
    }
    register(db, clerk_a, supervisor_a, "move_out", intake)
    return ichiro


def special_move_in_in_b(db: Database, clerk_b: Actor, supervisor_b: Actor, resident_code: str) -> None:
    [found] = run(db, clerk_b, find_move_out_certificate_info, resident_code=resident_code)
    intake = found["intake"]
    intake["members"][0]["relation_to_head"] = "世帯主"  # he forms his own household in B
    intake.update(
        change_date=TODAY.isoformat(),
        notified_date=TODAY.isoformat(),
        household={"address": "長野県上田市大手1丁目2番3号", "postal_code": "386-0024"},
    )
    register(db, clerk_b, supervisor_b, "move_in", intake)


@pytest.mark.req("j690", "j700")
def test_a_special_move_between_two_municipalities_ends_in_a_removed_record_on_the_earlier_date(
    delivering: Database,
    setup_session: Session,
    city_a: Municipality,
    city_b: Municipality,
    users_b: dict[str, Any],
    clerk_a: Actor,
    supervisor_a: Actor,
) -> None:
    relay_everywhere(setup_session, city_a, city_b)
    city_a.settings = {**(city_a.settings or {}), "move_in_notice_auto_apply": True}
    setup_session.flush()
    clerk_b, supervisor_b = actor_for(users_b["clerk"]), actor_for(users_b["supervisor"])

    ichiro = move_out_in_a(delivering, clerk_a, supervisor_a)
    code = ichiro.resident_code
    [certificate] = run(delivering, clerk_b, lambda uow: list(uow.session.scalars(select(RelayInbox))))
    assert (certificate.kind, certificate.sender_code, certificate.resident_code) == (
        "move_out_certificate_info",
        "141003",
        code,
    )
    assert run(delivering, clerk_a, lambda uow: person(uow, ichiro.atena_number).status) == "moving_out"

    special_move_in_in_b(delivering, clerk_b, supervisor_b, code)
    newcomer = run(
        delivering,
        clerk_b,
        lambda uow: uow.session.scalars(select(Resident).where(Resident.resident_code == code)).one(),
    )
    assert (newcomer.status, newcomer.given_name, newcomer.tenant_id) == ("resident", "一郎", city_b.id)
    b_sent = run(delivering, clerk_b, lambda uow: list(uow.session.scalars(select(OutboxMessage))))
    assert {(m.destination, m.kind, m.status) for m in b_sent} == {
        ("cs", "identity_change", "sent"),
        ("cs", "card_destination", "sent"),  # the newcomer's 送付先情報 (j1120)
        ("municipality:141003", "move_in_notice", "sent"),
    }

    moved = run(delivering, clerk_a, person, ichiro.atena_number)
    assert (moved.status, moved.removal_date, moved.move_in_notice_date) == ("removed", TODAY, TODAY)
    assert moved.move_out_planned_date == PLANNED  # the planned items are kept beside the confirmed (j680)
    assert moved.destination_planned_address.endswith("大手1丁目2番3号")
    assert (moved.destination_confirmed_address, moved.destination_confirmed_code) == (
        "長野県上田市大手1丁目2番3号",
        "202118",
    )
    assert moved.move_out_confirmed_date == TODAY
    [notice] = run(delivering, clerk_a, lambda uow: list(uow.session.scalars(select(RelayInbox))))
    assert (notice.kind, notice.status, notice.case_id is not None) == ("move_in_notice", "applied", True)
    assert run(delivering, clerk_a, missing_move_in_notices, TODAY, 0) == []


def test_without_automatic_acceptance_the_notice_opens_a_receipt_case_for_review(
    delivering: Database,
    setup_session: Session,
    city_a: Municipality,
    city_b: Municipality,
    users_b: dict[str, Any],
    clerk_a: Actor,
    supervisor_a: Actor,
) -> None:
    relay_everywhere(setup_session, city_a, city_b)
    clerk_b, supervisor_b = actor_for(users_b["clerk"]), actor_for(users_b["supervisor"])
    ichiro = move_out_in_a(delivering, clerk_a, supervisor_a)
    special_move_in_in_b(delivering, clerk_b, supervisor_b, ichiro.resident_code)

    [notice] = run(delivering, clerk_a, lambda uow: list(uow.session.scalars(select(RelayInbox))))
    assert notice.status == "received"
    task = run(delivering, supervisor_a, review_task, notice.case_id)
    assert run(delivering, clerk_a, person, ichiro.atena_number).status == "moving_out"  # not applied yet
    run(delivering, supervisor_a, doors.approve, task.id, [])
    moved = run(delivering, clerk_a, person, ichiro.atena_number)
    assert (moved.status, moved.removal_date, moved.move_out_planned_date) == ("removed", TODAY, PLANNED)


def test_the_relay_delivers_a_message_once_whatever_the_number_of_sends(
    delivering: Database, setup_session: Session, city_a: Municipality, city_b: Municipality, clerk_a: Actor
) -> None:
    from handlers.relay import route_message

    body = {
        "sender": {"code": "202118", "name": "上田市"},
        "destination": "cs",
        "kind": "move_out_certificate_info",
        "idempotency_key": "X-1:1",
        "payload": {
            "destination_planned_code": "141003",
            "resident_code": "12345678901",
            "name": "髙橋 一郎",
        },
    }
    first = route_message(delivering, body)
    again = route_message(delivering, body)
    assert (first.routed_to, first.duplicate, again.duplicate, again.inbox_id) == (
        "141003",
        False,
        True,
        first.inbox_id,
    )
    assert route_message(delivering, {**body, "kind": "identity_change"}).routed_to is None
    found = run(delivering, clerk_a, find_move_out_certificate_info, name="髙橋")
    assert [f["intake"]["members"][0]["family_name"] for f in found] == ["髙橋"]
