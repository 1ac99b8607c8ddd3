"""再転入 (j600): the 除票 an entered person may be are found in one statement for the whole family — by
個人番号, 住民票コード or 在留カード番号 (an error unless entered as 再転入) or by 氏名・性別・生年月日 (an
alert) — and only in the clerk's own municipality."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

import models
from handlers.changes.move_in_checks import re_move_in_problems_of
from handlers.changes.removed_matches import (
    MatchKeys,
    _removed_matching,
    _removed_matching_by_arrays,
    removed_matching,
)
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from models.resident import REMOVED as REMOVED_PREDICATE
from tests import factories

pytestmark = pytest.mark.req("j600")

REMOVED = dt.date(2021, 1, 1)
CODE = factories.valid_resident_code()
CARD = "AB12345678CD"
NUMBER = "123456789018"  # the 個人番号 every factory resident has


@pytest.fixture
def removed(
    setup_session: Session, city_a: models.Municipality, city_b: models.Municipality
) -> dict[str, models.Resident]:
    """Three 除票 of city A (山田 太郎 with a 住民票コード; ジョン スミス with a 在留カード番号; リー without
    名) and one of city B with 山田 太郎's 個人番号 and name."""
    taro = factories.make_removed_resident(setup_session, city_a, number=101, removal_date=REMOVED)
    taro.resident_code = CODE
    john = factories.make_removed_resident(
        setup_session, city_a, number=102, removal_date=REMOVED, family_name="スミス", given_name="ジョン",
        birth_date=dt.date(1990, 5, 5),
    )  # fmt: skip
    john.my_number, john.residence_card_number = None, CARD
    lee = factories.make_removed_resident(
        setup_session, city_a, number=103, removal_date=REMOVED, family_name="リー", given_name=None,
        birth_date=dt.date(1975, 3, 3),
    )  # fmt: skip
    lee.my_number = None
    other = factories.make_removed_resident(setup_session, city_b, number=201, removal_date=REMOVED)
    setup_session.flush()
    return {"taro": taro, "john": john, "lee": lee, "other": other}


def _person(**fields: Any) -> dict[str, Any]:
    return {"family_name": None, "given_name": None, "sex": "1", "birth_date": None, **fields}


def test_each_number_and_the_name_find_the_removed_person_of_the_own_municipality_only(
    db: Database, clerk_a: Actor, removed: dict[str, models.Resident]
) -> None:
    members = [
        _person(my_number=NUMBER),
        _person(resident_code=f" {CODE} "),
        _person(residence_card_number=CARD),
        _person(family_name="山田", given_name="太郎", birth_date="1980-01-01"),
        _person(family_name="リー", birth_date="1975-03-03"),
        _person(family_name="リー", given_name="ミン", birth_date="1975-03-03"),
        _person(family_name="山田", given_name="太郎", birth_date="1980-01-02"),
        _person(family_name="山田", given_name="太郎", birth_date="1980-01-01", re_move_in_of=""),
    ]
    with unit_of_work(db, clerk_a) as uow:
        results = re_move_in_problems_of(uow.session, members)

    def found(errors: list[Any], alerts: list[Any]) -> tuple[str, str] | None:
        problems = errors or alerts
        if not problems:
            return None
        [problem] = problems
        atena = next(r.atena_number for r in removed.values() if r.atena_number in problem.reason)
        return problem.code, next(name for name, r in removed.items() if r.atena_number == atena)

    assert [found(*result) for result in results] == [
        ("re_move_in_required", "taro"),
        ("re_move_in_required", "taro"),
        ("re_move_in_required", "john"),
        ("re_move_in_candidate", "taro"),
        ("re_move_in_candidate", "lee"),
        None,
        None,
        ("re_move_in_candidate", "taro"),
    ]


def test_a_cross_tenant_session_finds_the_removed_persons_of_every_municipality(
    setup_session: Session, removed: dict[str, models.Resident]
) -> None:
    keys = MatchKeys()
    keys.add_number("my_number", NUMBER)
    atena_numbers = {row.atena_number for row in removed_matching(setup_session, keys)}
    assert atena_numbers == {removed["taro"].atena_number, removed["other"].atena_number}


def test_the_name_match_reads_the_removed_persons_index_not_everyone_born_that_day(
    setup_session: Session, city_a: models.Municipality, removed: dict[str, models.Resident]
) -> None:
    """The statement spells the partial index's predicate as a literal, so the index serves it also once it is
    prepared; on PostgreSQL the plan reads ``ix_resident_removed_name`` and not the current residents born
    the same day through ``ix_resident_tenant_birth``."""
    statement = _removed_matching(("names",))
    [index] = [i for i in models.Resident.__table__.indexes if i.name == "ix_resident_removed_name"]
    assert str(index.dialect_options["postgresql"]["where"]) == REMOVED_PREDICATE
    assert REMOVED_PREDICATE in str(statement)
    household = factories.make_household_row(setup_session, city_a, number=500)
    for number in range(501, 561):  # current residents with 山田 太郎's name and birth date
        factories.make_resident_row(setup_session, household, number=number)
    setup_session.flush()
    bound = statement.params(tenant=city_a.id, names=[("山田", "太郎", "1", dt.date(1980, 1, 1))])
    rows = setup_session.execute(bound).all()
    assert [r.atena_number for r in rows] == [removed["taro"].atena_number]
    connection = setup_session.connection()
    if connection.dialect.name != "postgresql":
        return
    connection.exec_driver_sql("ANALYZE resident")
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a few rows: the choice between indexes
    compiled = bound.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    plan = "\n".join(r[0] for r in connection.exec_driver_sql(f"EXPLAIN {compiled}"))
    assert "ix_resident_removed_name" in plan and "ix_resident_tenant_birth" not in plan


def test_on_postgresql_the_names_are_read_by_arrays_through_the_removed_persons_index(
    db: Database, setup_session: Session, city_a: models.Municipality, removed: dict[str, models.Resident]
) -> None:
    """PostgreSQL's statement (sent by the driver's cursor) finds the 除票 by 氏 and 生年月日 arrays through
    ``ix_resident_removed_name``; of what it reads, only the exact 氏名・性別・生年月日 are returned."""
    connection = setup_session.connection()
    if connection.dialect.name != "postgresql":
        pytest.skip("the statement of arrays is PostgreSQL's")
    household = factories.make_household_row(setup_session, city_a, number=500)
    for number in range(501, 561):  # current residents with 山田 太郎's name and birth date
        factories.make_resident_row(setup_session, household, number=number)
    setup_session.flush()
    statement = _removed_matching_by_arrays(("names",))
    params = {"tenant": city_a.id, "family_names": ["山田", "リー"], "birth_dates": [dt.date(1980, 1, 1)]}
    connection.exec_driver_sql("ANALYZE resident")
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    sql = str(statement.compile(dialect=connection.dialect))
    plan = "\n".join(r[0] for r in connection.exec_driver_sql(f"EXPLAIN {sql}", params))
    assert "ix_resident_removed_name" in plan and "ix_resident_tenant_birth" not in plan

    def found(*names: Any) -> list[str]:
        keys = MatchKeys()
        for name in names:
            keys.add_name(name)
        with unit_of_work(db, Actor.system(city_a.id)) as uow:
            return [m.atena_number for m in removed_matching(uow.session, keys)]

    born = dt.date(1980, 1, 1)
    assert found(("山田", "次郎", "1", born), ("山田", "太郎", "2", born), ("山田", None, "1", born)) == []
    assert found(("山田", "太郎", "1", born), ("リー", None, "1", born)) == [removed["taro"].atena_number]
    assert found(("リー", None, "1", dt.date(1975, 3, 3))) == [removed["lee"].atena_number]
