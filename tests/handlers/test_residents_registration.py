"""Registering households, amending and removing persons: validation first, nothing half-written, history
appended (j50, j60, j100, j200, j480)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from handlers.residents.registration import amend_resident, register_household, remove_resident
from handlers.rules.check_digit import m11w27_valid
from handlers.uow import unit_of_work
from models import AccessLog, Household, Municipality, Resident, ResidentHistory, User
from tests.factories import actor_for, default_address, japanese_family, japanese_member, make_household


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.req("j130", "j200")
def test_registering_a_family_issues_numbers_sets_the_head_and_the_first_history(
    db: Database, clerk_a: Actor, setup_session: Session
) -> None:
    household = make_household(db, clerk_a)
    assert m11w27_valid(household.household_number)
    members = sorted(household.members, key=lambda m: m.household_order)
    assert [m.given_name for m in members] == ["太郎", "花子", "一郎"]
    assert household.head_resident_id == members[0].id
    assert all(m11w27_valid(m.atena_number) for m in members)
    assert members[0].kana_key and members[0].name_key
    rows = setup_session.scalars(select(ResidentHistory).order_by(ResidentHistory.id)).all()
    assert [(r.history_no, r.change_reason, r.processed_date) for r in rows] == [
        (1, "domestic_move_in", japan_today())
    ] * 3
    assert rows[0].snapshot["household_number"] == household.household_number
    assert rows[0].snapshot["head_name"] == "山田 太郎"
    logged = setup_session.scalars(
        select(AccessLog).where(AccessLog.function == "household_registered")
    ).one()
    assert sorted(logged.targets) == sorted(m.atena_number for m in members)


@pytest.mark.req("j100")
def test_a_household_without_a_head_keeps_the_head_unset(db: Database, clerk_a: Actor) -> None:
    household = make_household(db, clerk_a, [japanese_member(relation_to_head="同居人")])
    assert household.head_resident_id is None


@pytest.mark.req("j60", "j130", "j1440")
def test_any_problem_refuses_the_whole_household_and_writes_nothing(
    db: Database, clerk_a: Actor, setup_session: Session
) -> None:
    members = japanese_family()
    members[2]["my_number"] = "123456789012"  # wrong check digit
    with pytest.raises(ValidationError) as refused, unit_of_work(db, clerk_a) as uow:
        register_household(
            uow, default_address(address=""), members, reason_code="birth", change_date="2020-04-01"
        )
    items = {p.item for p in refused.value.problems}
    assert {"住所", "個人番号（3人目）"} <= items
    assert count(setup_session, Household) == count(setup_session, Resident) == 0
    assert count(setup_session, ResidentHistory) == 0


@pytest.mark.req("j210", "j480")
def test_the_reason_must_be_a_record_reason_and_the_change_date_not_in_the_future(
    db: Database, clerk_a: Actor
) -> None:
    tomorrow = japan_today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused, unit_of_work(db, clerk_a) as uow:
        register_household(
            uow, default_address(), japanese_family(), reason_code="death", change_date=tomorrow
        )
    found = {(p.item, p.code) for p in refused.value.problems}
    assert ("異動事由", "wrong_reason") in found
    assert ("異動日", "future_date") in found


def test_two_heads_are_refused(db: Database, clerk_a: Actor) -> None:
    with pytest.raises(ValidationError) as refused, unit_of_work(db, clerk_a) as uow:
        register_household(
            uow,
            default_address(),
            [japanese_member(), japanese_member(given_name="次郎")],
            reason_code="domestic_move_in",
            change_date="2020-04-01",
        )
    assert [p.code for p in refused.value.problems] == ["duplicate_head"]


def test_an_auditor_may_not_register(db: Database, users_a: dict[str, User]) -> None:
    with pytest.raises(PermissionDeniedError), unit_of_work(db, actor_for(users_a["auditor"])) as uow:
        register_household(
            uow, default_address(), japanese_family(), reason_code="birth", change_date="2020-04-01"
        )


@pytest.mark.req("j200")
def test_amending_appends_a_full_snapshot_and_keeps_the_old_one(
    db: Database, clerk_a: Actor, setup_session: Session
) -> None:
    household = make_household(db, clerk_a)
    wife = next(m for m in household.members if m.given_name == "花子")
    with unit_of_work(db, clerk_a) as uow:
        amended = amend_resident(
            uow,
            wife.atena_number,
            {"given_name": "華子", "given_name_kana": "はなこ"},
            reason_code="clerical_correction",
            change_date="2021-05-01",
            expected_version=wife.version,
        )
        assert amended.given_name_kana == "ハナコ"
    rows = setup_session.scalars(
        select(ResidentHistory)
        .where(ResidentHistory.atena_number == wife.atena_number)
        .order_by(ResidentHistory.history_no)
    ).all()
    assert [(r.history_no, r.snapshot["given_name"]) for r in rows] == [(1, "花子"), (2, "華子")]
    assert rows[1].change_reason == "clerical_correction"
    assert rows[1].effective_date == dt.date(2021, 5, 1)
    assert rows[1].processed_date == japan_today()


def test_amending_with_a_stale_version_is_a_conflict(db: Database, clerk_a: Actor) -> None:
    household = make_household(db, clerk_a)
    person = household.members[0]
    with pytest.raises(ConflictError), unit_of_work(db, clerk_a) as uow:
        amend_resident(
            uow,
            person.atena_number,
            {"given_name": "太朗"},
            reason_code="clerical_correction",
            change_date="2021-05-01",
            expected_version=person.version + 5,
        )


@pytest.mark.req("j1440")
def test_an_invalid_amendment_writes_nothing(db: Database, clerk_a: Actor, setup_session: Session) -> None:
    household = make_household(db, clerk_a)
    person = household.members[0]
    with pytest.raises(ValidationError) as refused, unit_of_work(db, clerk_a) as uow:
        amend_resident(
            uow,
            person.atena_number,
            {"given_name_kana": "太郎", "atena_number": "1"},
            reason_code="clerical_correction",
            change_date="2021-05-01",
        )
    assert {p.code for p in refused.value.problems} == {"not_katakana", "not_amendable"}
    assert count(setup_session, ResidentHistory) == 3
    setup_session.expire_all()
    assert setup_session.get(Resident, person.id).given_name_kana == "タロウ"


@pytest.mark.req("j50", "j100")
def test_removing_the_head_makes_a_removed_record_and_unsets_the_head(
    db: Database, clerk_a: Actor, setup_session: Session
) -> None:
    household = make_household(db, clerk_a)
    head = household.members[0]
    with unit_of_work(db, clerk_a) as uow:
        remove_resident(
            uow,
            head.atena_number,
            reason_code="domestic_move_out",
            removal_date="2022-03-31",
            destination_planned_address="長野県佐久市中込1番地",
            destination_planned_postal_code="385-0051",
        )
    setup_session.expire_all()
    removed = setup_session.get(Resident, head.id)
    assert (removed.status, removed.removal_reason, removed.removal_date) == (
        "removed",
        "domestic_move_out",
        dt.date(2022, 3, 31),
    )
    assert removed.destination_planned_postal_code == "3850051"
    assert setup_session.get(Household, household.id).head_resident_id is None
    last = setup_session.scalars(
        select(ResidentHistory)
        .where(ResidentHistory.atena_number == head.atena_number)
        .order_by(ResidentHistory.history_no.desc())
    ).first()
    assert (last.history_no, last.status, last.effective_date) == (2, "removed", dt.date(2022, 3, 31))


def test_removal_needs_a_removal_reason(db: Database, clerk_a: Actor) -> None:
    household = make_household(db, clerk_a)
    with pytest.raises(ValidationError), unit_of_work(db, clerk_a) as uow:
        remove_resident(
            uow, household.members[0].atena_number, reason_code="birth", removal_date="2022-03-31"
        )


@pytest.mark.req("j1380")
def test_another_municipality_cannot_amend_or_even_find_the_person(
    db: Database, clerk_a: Actor, users_b: dict[str, User], city_b: Municipality
) -> None:
    household = make_household(db, clerk_a)
    clerk_b = actor_for(users_b["clerk"])
    with pytest.raises(NotFoundError), unit_of_work(db, clerk_b) as uow:
        amend_resident(
            uow,
            household.members[0].atena_number,
            {"given_name": "x"},
            reason_code="clerical_correction",
            change_date="2021-05-01",
        )


@pytest.mark.req("j40")
def test_a_long_history_has_no_size_limit_and_is_never_reorganized_automatically(
    db: Database, clerk_a: Actor, setup_session: Session
) -> None:
    person = make_household(db, clerk_a).members[0]
    for n in range(60):
        with unit_of_work(db, clerk_a) as uow:
            amend_resident(
                uow,
                person.atena_number,
                {"given_name": "太朗" if n % 2 == 0 else "太郎"},
                reason_code="clerical_correction",
                change_date="2021-05-01",
            )
    rows = setup_session.scalars(
        select(ResidentHistory)
        .where(ResidentHistory.atena_number == person.atena_number)
        .order_by(ResidentHistory.history_no)
    ).all()
    assert [r.history_no for r in rows] == list(range(1, 62))
    assert [r.change_reason for r in rows] == ["domestic_move_in"] + ["clerical_correction"] * 60  # no 改製
    setup_session.expire_all()
    kept = setup_session.get(Resident, person.id)
    assert (kept.atena_number, kept.status, kept.given_name) == (person.atena_number, "resident", "太郎")
