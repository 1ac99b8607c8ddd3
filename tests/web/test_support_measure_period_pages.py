"""延長 and 終了 of a support measure from its page (j440): the officer extends a measure in force from one month
before its end date and ends a measure with a reason and a date; refusals answer in Japanese with 和暦 dates."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.rules.dates import format_wareki
from handlers.rules.support_period import extension_opens_on
from handlers.support_measures import decide_support_measure
from handlers.uow import unit_of_work
from tests import factories
from tests.handlers.suppression_world import World, build_world

pytestmark = pytest.mark.req("j440")


@pytest.fixture
def world(db: Database, setup_session: Session, city_a: models.Municipality, users_a) -> World:
    return build_world(db, setup_session, city_a, factories.actor_for(users_a["support_officer"]))


def measure(db: Database, city: models.Municipality, measure_id: int) -> models.SupportMeasure:
    with unit_of_work(db, Actor.system(city.id)) as uow:
        row = uow.session.get(models.SupportMeasure, measure_id)
        assert row is not None
        uow.session.expunge(row)
        return row


def logged(db: Database, city: models.Municipality, function: str) -> list[models.AccessLog]:
    with unit_of_work(db, Actor.system(city.id)) as uow:
        return list(
            uow.session.scalars(select(models.AccessLog).where(models.AccessLog.function == function))
        )


def test_the_officer_extends_a_measure_in_force_by_a_year_from_the_day_after_its_end(
    db: Database, sign_in, users_a, city_a: models.Municipality, world: World
) -> None:
    measure_id = world.measures["in_force"]  # 令和6年4月1日 – 令和7年3月31日: the extension is open
    officer = sign_in(users_a["support_officer"])
    page = officer.get(f"/support-measures/{measure_id}").get_data(as_text=True)
    assert "期間を延長する" in page and "支援措置を終了する" in page
    done = officer.post(f"/support-measures/{measure_id}/extend")
    assert done.status_code == 302
    assert measure(db, city_a, measure_id).end_date == dt.date(2026, 3, 31)
    shown = officer.get(done.location).get_data(as_text=True)
    assert "支援措置の期間を延長しました（終了年月日 令和8年3月31日）" in shown
    assert [row.detail["end_date"] for row in logged(db, city_a, "support_measure_extended")] == [
        "2026-03-31"
    ]


def test_an_extension_before_the_last_month_is_refused_with_the_day_it_opens_in_wareki(
    db: Database, sign_in, users_a, city_a: models.Municipality, world: World
) -> None:
    measure_id = world.measures["provisional"]
    officer_actor = factories.actor_for(users_a["support_officer"])
    with unit_of_work(db, officer_actor) as uow:
        end = decide_support_measure(uow, measure_id, start_date=japan_today()).end_date
    assert end is not None
    officer = sign_in(users_a["support_officer"])
    page = officer.get(f"/support-measures/{measure_id}").get_data(as_text=True)
    assert "期間を延長する" not in page, "no button before the extension opens"
    refused = officer.post(f"/support-measures/{measure_id}/extend")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "期間の終了日の1か月前から延長できます" in body
    assert measure(db, city_a, measure_id).end_date == end
    problems = body.split('<div class="problems"', 1)[1].split("</div>", 1)[0]
    assert f"{format_wareki(extension_opens_on(end))}以降に処理してください" in problems
    assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d\b", problems), "a date shown in ISO form"


def test_the_officer_ends_a_measure_with_a_reason_and_a_date(
    db: Database, sign_in, users_a, city_a: models.Municipality, world: World
) -> None:
    measure_id = world.measures["in_force"]
    officer = sign_in(users_a["support_officer"])
    path = f"/support-measures/{measure_id}/terminate"
    bad_date = officer.post(path, data={"reason": "victim_request", "termination_date": "令和8年2月30日"})
    assert bad_date.status_code == 422 and "終了年月日" in bad_date.get_data(as_text=True)
    early = officer.post(path, data={"reason": "victim_request", "termination_date": "2024-03-01"})
    assert early.status_code == 422 and "支援措置の開始年月日より前です" in early.get_data(as_text=True)
    assert measure(db, city_a, measure_id).status == "in_force"
    done = officer.post(path, data={"reason": "victim_request", "termination_date": "令和8年1月5日"})
    assert done.status_code == 302
    ended = measure(db, city_a, measure_id)
    assert (ended.status, ended.termination_reason, ended.termination_date) == (
        "terminated",
        "victim_request",
        dt.date(2026, 1, 5),
    )
    shown = officer.get(done.location).get_data(as_text=True)
    assert "令和8年1月5日（支援対象者からの終了の申出）" in shown and "支援措置を終了する" not in shown
    ends = [row.detail for row in logged(db, city_a, "support_measure_terminated")]
    assert {"measure_id": measure_id, "reason": "victim_request", "date": "2026-01-05"} in ends


@pytest.mark.req("j1380")
def test_a_clerk_and_another_municipality_cannot_extend_or_end_a_measure(
    db: Database, sign_in, users_a, users_b, city_a: models.Municipality, world: World
) -> None:
    measure_id = world.measures["in_force"]
    form = {"reason": "victim_request", "termination_date": "2026-01-05"}
    for action in ("extend", "terminate"):
        assert (
            sign_in(users_a["clerk"]).post(f"/support-measures/{measure_id}/{action}", data=form).status_code
            == 403
        )
        other = sign_in(users_b["support_officer"]).post(
            f"/support-measures/{measure_id}/{action}", data=form
        )
        assert other.status_code == 404
    assert measure(db, city_a, measure_id).status == "in_force"
