"""支援措置 (register C, j160, j440): the database of a measure, its states, scoping and permissions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from handlers.support_measures import (
    create_support_measure,
    decide_support_measure,
    extend_support_measure,
    measures_for_resident,
    protected_atena_numbers,
    terminate_support_measure,
    view_support_measure,
)
from handlers.uow import UnitOfWork, unit_of_work
from tests import factories

REQUEST = dt.date(2026, 4, 1)


@pytest.fixture
def officer_a(users_a) -> Actor:
    return factories.actor_for(users_a["support_officer"])


@pytest.fixture
def family(setup_session: Session, city_a) -> dict[str, models.Resident]:
    household = factories.make_household_row(setup_session, city_a, number=201)
    victim = factories.make_resident_row(
        setup_session, household, number=201, given_name="花子", given_name_kana="ハナコ"
    )
    child = factories.make_resident_row(
        setup_session, household, number=202, given_name="一郎", given_name_kana="イチロウ"
    )
    other = factories.make_household_row(setup_session, city_a, number=203)
    abuser = factories.make_resident_row(
        setup_session, other, number=203, family_name="佐藤", family_name_kana="サトウ"
    )
    setup_session.flush()
    return {"victim": victim, "child": child, "abuser": abuser}


def _create(uow: UnitOfWork, family: dict[str, models.Resident], **overrides: Any) -> models.SupportMeasure:
    arguments: dict[str, Any] = {
        "applicant": {
            "name": "山田 花子",
            "name_kana": "ﾔﾏﾀﾞ ﾊﾅｺ",
            "atena_number": family["victim"].atena_number,
            "birth_date": "1980-01-01",
            "sex": "2",
            "contact": "090-0000-0000",
        },  # fmt: skip
        "co_applicants": [
            {"name": "山田 一郎", "atena_number": family["child"].atena_number, "relation_to_applicant": "子"}
        ],
        "perpetrators": [
            {"name": "佐藤 太郎", "atena_number": family["abuser"].atena_number, "note": "元配偶者"}
        ],
        "protected_services": ["inspection", "certificate"],
        "protected_addresses": ["current", "previous"],
        "request_date": REQUEST,
        "victim_kind": "dv",
        "opinion_source": "警察署",
    }
    arguments.update(overrides)
    return create_support_measure(uow, **arguments)


def _log(db: Database, city: models.Municipality, function: str) -> list[models.AccessLog]:
    with unit_of_work(db, Actor.system(city.id)) as uow:
        return list(
            uow.session.scalars(select(models.AccessLog).where(models.AccessLog.function == function))
        )


@pytest.mark.req("j160", "j440")
def test_a_request_is_recorded_as_provisional_support_linked_to_residents(
    db: Database, city_a, officer_a: Actor, family
) -> None:
    with unit_of_work(db, officer_a) as uow:
        measure = _create(uow, family)
        parties = {p.role: p for p in measure.parties}
        assert (measure.status, measure.provisional, measure.provisional_start_date) == (
            "provisional",
            True,
            REQUEST,
        )
        assert parties["applicant"].resident_id == family["victim"].id
        assert parties["applicant"].kana_key == family["victim"].kana_key
        assert parties["applicant"].birth_date == dt.date(1980, 1, 1)
        assert parties["perpetrator"].resident_id == family["abuser"].id
    (logged,) = _log(db, city_a, "support_measure_created")
    assert logged.action == "change"
    assert set(logged.targets) == {r.atena_number for r in family.values()}


@pytest.mark.req("j160")
def test_an_invalid_request_names_every_problem_in_japanese_and_writes_nothing(
    db: Database, city_a, officer_a: Actor, family
) -> None:
    with pytest.raises(ValidationError) as caught, unit_of_work(db, officer_a) as uow:
        _create(
            uow,
            family,
            applicant={"name": " ", "atena_number": "9999999999"},
            perpetrators=[{"name": ""}],
            protected_services=["inspection", "certificate_by_post"],
            victim_kind="",
        )
    problems = {(p.field, p.code) for p in caught.value.problems}
    assert problems == {
        ("applicant.name", "required"),
        ("applicant.atena_number", "not_found"),
        ("perpetrators[0].name", "required"),
        ("protected_services", "choice"),
        ("victim_kind", "choice"),
    }
    assert all(p.reason and p.remedy for p in caught.value.problems)
    assert "申出者の氏名" in str(caught.value)
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        assert uow.session.scalars(select(models.SupportMeasure)).all() == []


@pytest.mark.req("j440")
def test_protection_covers_applicant_and_co_applicants_but_not_perpetrators(
    db: Database, officer_a: Actor, family
) -> None:
    atenas = [r.atena_number for r in family.values()]
    with unit_of_work(db, officer_a) as uow:
        _create(uow, family)
        assert protected_atena_numbers(uow.session, atenas) == {
            family["victim"].atena_number,
            family["child"].atena_number,
        }


@pytest.mark.req("j440")
def test_passing_the_end_date_keeps_protection_until_termination(
    db: Database, officer_a: Actor, family
) -> None:
    victim = family["victim"].atena_number
    with unit_of_work(db, officer_a) as uow:
        measure = _create(uow, family)
        decided = decide_support_measure(uow, measure.id, start_date=dt.date(2026, 4, 10))
        assert (decided.status, decided.provisional, decided.end_date) == (
            "in_force",
            False,
            dt.date(2027, 4, 9),
        )
        view = view_support_measure(uow, measure.id, today=dt.date(2027, 5, 1))
        assert (view["status"], view["alert"]) == ("in_force", "expired")
        assert protected_atena_numbers(uow.session, [victim]) == {victim}
        terminate_support_measure(uow, measure.id, reason="expired", date=dt.date(2027, 5, 1))
        assert protected_atena_numbers(uow.session, [victim]) == set()
        with pytest.raises(ConflictError):
            terminate_support_measure(uow, measure.id, reason="officer", date=dt.date(2027, 5, 2))


@pytest.mark.req("j440")
def test_decision_checks_the_period_and_extension_waits_until_a_month_before_the_end(
    db: Database, officer_a: Actor, family
) -> None:
    with unit_of_work(db, officer_a) as uow:
        measure = _create(uow, family)
        with pytest.raises(ValidationError):
            decide_support_measure(
                uow, measure.id, start_date=dt.date(2026, 4, 10), end_date=dt.date(2026, 4, 9)
            )
        decide_support_measure(uow, measure.id, start_date=dt.date(2020, 4, 1))
        assert measure.end_date == dt.date(2021, 3, 31)
        with pytest.raises(ValidationError):
            extend_support_measure(uow, measure.id, today=dt.date(2021, 2, 27))
        extend_support_measure(uow, measure.id, today=dt.date(2021, 2, 28))
        assert measure.end_date == dt.date(2022, 3, 31)
        with pytest.raises(ConflictError):
            decide_support_measure(uow, measure.id, start_date=dt.date(2026, 4, 10))


@pytest.mark.req("j160", "j440")
def test_only_the_support_officer_views_the_measure(
    db: Database, city_a, users_a, officer_a: Actor, clerk_a: Actor, family
) -> None:
    with unit_of_work(db, officer_a) as uow:
        measure_id = _create(uow, family).id
    for role in ("clerk", "supervisor", "auditor", "administrator"):
        with (
            pytest.raises(PermissionDeniedError),
            unit_of_work(db, factories.actor_for(users_a[role])) as uow,
        ):
            view_support_measure(uow, measure_id)
    with pytest.raises(PermissionDeniedError), unit_of_work(db, clerk_a) as uow:
        create_support_measure(uow, applicant={"name": "x"}, co_applicants=[], perpetrators=[],
                               protected_services=["inspection"], protected_addresses=["current"],
                               request_date=REQUEST, victim_kind="dv")  # fmt: skip
    with pytest.raises(PermissionDeniedError), unit_of_work(db, clerk_a) as uow:
        terminate_support_measure(uow, measure_id, reason="officer", date=REQUEST)

    with unit_of_work(db, officer_a) as uow:
        view = view_support_measure(uow, measure_id)
    assert view["applicant"]["name"] == "山田 花子"
    assert [p["name"] for p in view["co_applicants"]] == ["山田 一郎"]
    assert [p["note"] for p in view["perpetrators"]] == ["元配偶者"]
    assert [s["label"] for s in view["services"]] == [
        "住民基本台帳の一部の写しの閲覧",
        "住民票の写し等の交付",
    ]
    assert (view["provisional"], view["status_label"]) == (True, "仮支援措置中")
    assert [row.targets for row in _log(db, city_a, "support_measure_viewed")] == [
        sorted(r.atena_number for r in family.values())
    ]


@pytest.mark.req("j160")
def test_the_record_mark_lists_measures_protecting_the_person_only(
    db: Database, officer_a: Actor, clerk_a: Actor, family
) -> None:
    with unit_of_work(db, officer_a) as uow:
        measure_id = _create(uow, family).id
    with unit_of_work(db, clerk_a) as uow:
        victim = measures_for_resident(uow, family["child"].atena_number)
        abuser = measures_for_resident(uow, family["abuser"].atena_number)
    assert [(m["id"], m["role"], m["active"], m["provisional"]) for m in victim] == [
        (measure_id, "co_applicant", True, True)
    ]
    assert abuser == []


@pytest.mark.req("j160")
def test_another_city_sees_nothing_of_the_measures(db: Database, officer_a: Actor, users_b, family) -> None:
    with unit_of_work(db, officer_a) as uow:
        measure_id = _create(uow, family).id
    officer_b = factories.actor_for(users_b["support_officer"])
    with unit_of_work(db, officer_b) as uow:
        with pytest.raises(NotFoundError):
            view_support_measure(uow, measure_id)
        with pytest.raises(NotFoundError):
            decide_support_measure(uow, measure_id, start_date=REQUEST)
        assert measures_for_resident(uow, family["victim"].atena_number) == []
        assert protected_atena_numbers(uow.session, [family["victim"].atena_number]) == set()


@pytest.mark.req("j160")
def test_a_perpetrator_from_elsewhere_is_recorded_without_atena_number(
    db: Database, officer_a: Actor, family
) -> None:
    with unit_of_work(db, officer_a) as uow:
        measure = _create(
            uow, family, perpetrators=[{"name": "鈴木 次郎", "address": "東京都千代田区", "sex": "1"}]
        )
        (perpetrator,) = [p for p in measure.parties if p.role == "perpetrator"]
    assert (perpetrator.atena_number, perpetrator.resident_id, perpetrator.address) == (
        None,
        None,
        "東京都千代田区",
    )
