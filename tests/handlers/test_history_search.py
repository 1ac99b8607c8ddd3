"""異動履歴照会 by the history's items (j350): registered changes found across persons by 異動事由, 異動日, 処理日,
届出日, 世帯番号 and 入力端末; tenant-scoped, logged, protected persons marked; bad conditions refused in
Japanese."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ValidationError
from handlers.residents.history_search import HistoryQuery, search_history
from handlers.residents.registration import amend_resident
from handlers.uow import unit_of_work
from tests import factories
from tests.handlers.suppression_world import World, build_world

pytestmark = pytest.mark.req("j350")


def found(db: Database, actor: Actor, **items: object) -> list[tuple[str, int, str]]:
    with unit_of_work(db, actor) as uow:
        hits = search_history(uow, HistoryQuery(**items)).hits  # type: ignore[arg-type]
    return [(hit.atena_number, hit.history_no, hit.reason_label) for hit in hits]


def test_changes_are_found_by_reason_dates_household_and_terminal(db: Database, clerk_a: Actor) -> None:
    family = factories.make_household(db, clerk_a, change_date="2021-04-01")
    head, wife, child = (m.atena_number for m in family.members)
    other = factories.make_household(db, clerk_a, change_date="2022-06-01")
    with unit_of_work(db, dataclasses.replace(clerk_a, terminal="T-9")) as uow:
        amend_resident(
            uow, wife, {"given_name": "華子"}, reason_code="clerical_correction", change_date="2023-01-10"
        )
    assert found(db, clerk_a, change_reason="clerical_correction") == [(wife, 2, "誤記修正")]
    in_2021 = found(db, clerk_a, change_from=dt.date(2021, 1, 1), change_to=dt.date(2021, 12, 31))
    assert sorted(in_2021) == sorted((n, 1, "国内転入") for n in (head, wife, child))
    assert {a for a, _, _ in found(db, clerk_a, household_number=other.household_number)} == {
        m.atena_number for m in other.members
    }
    assert found(db, clerk_a, input_terminal="T-9") == [(wife, 2, "誤記修正")]
    today = found(db, clerk_a, processed_from=dt.date.today() - dt.timedelta(days=2))
    assert len(today) == 7  # every row was processed in this test


def test_the_search_is_logged_and_another_municipality_finds_none_of_it(
    db: Database, clerk_a: Actor, users_b: dict[str, models.User], setup_session: Session
) -> None:
    family = factories.make_household(db, clerk_a)
    clerk_b = factories.actor_for(users_b["clerk"])
    assert found(db, clerk_b, change_reason="domestic_move_in") == []
    assert len(found(db, clerk_a, change_reason="domestic_move_in")) == 3
    log = setup_session.scalars(
        select(models.AccessLog)
        .where(models.AccessLog.function == "history_searched")
        .order_by(models.AccessLog.id)
    ).all()[-1]
    assert (log.action, sorted(log.targets), log.detail["criteria"]) == (
        "search", sorted(m.atena_number for m in family.members), ["change_reason"],
    )  # fmt: skip


def test_protected_persons_are_marked_in_the_results(
    db: Database,
    setup_session: Session,
    city_a: models.Municipality,
    users_a: dict[str, models.User],
    clerk_a: Actor,
) -> None:
    world: World = build_world(db, setup_session, city_a, factories.actor_for(users_a["support_officer"]))
    with unit_of_work(db, clerk_a) as uow:
        victim = uow.session.scalars(
            select(models.Resident).where(models.Resident.atena_number == world.atena["victim"])
        ).one()
        number = victim.household.household_number
    with unit_of_work(db, clerk_a) as uow:
        hits = search_history(uow, HistoryQuery(household_number=number)).hits
    marks = {hit.atena_number: hit.protection_label for hit in hits}
    assert marks[world.atena["victim"]] == "支援措置中"


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ({}, "query"),
        ({"change_reason": "teleport"}, "change_reason"),
        ({"change_from": dt.date(2024, 2, 1), "change_to": dt.date(2024, 1, 1)}, "change_to"),
    ],
)
def test_a_search_without_conditions_or_with_bad_ones_is_refused(
    db: Database, clerk_a: Actor, items: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        found(db, clerk_a, **items)
    assert [p.field for p in refused.value.problems] == [field]
