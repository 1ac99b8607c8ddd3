"""The record screen and search results show protection (j160, j410, j440): plainly for everyone, with the
link to the measure only for the support-measure officer; a 照会 suppressed at error level is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

import models
from handlers.db import Database
from handlers.suppression_controls import set_suppression
from handlers.uow import unit_of_work
from tests import factories
from tests.handlers.suppression_world import World, build_world


@pytest.fixture
def world(db: Database, setup_session: Session, city_a: models.Municipality, users_a) -> World:
    return build_world(db, setup_session, city_a, factories.actor_for(users_a["support_officer"]))


@pytest.mark.req("j160", "j380", "j440")
def test_a_clerk_sees_the_protection_plainly_without_a_link(sign_in, users_a, world: World) -> None:
    page = sign_in(users_a["clerk"]).get(f"/residents/{world.atena['victim']}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "この住民は支援措置の対象です" in body and "支援措置中" in body
    assert "/support-measures/" not in body
    assert "支援措置（仮支援措置を含む）の対象者が含まれています" in body


@pytest.mark.req("j160", "j380", "j440")
def test_the_officer_gets_the_link_and_the_period_alert(sign_in, users_a, world: World) -> None:
    body = (
        sign_in(users_a["support_officer"]).get(f"/residents/{world.atena['victim']}").get_data(as_text=True)
    )
    assert f'href="/support-measures/{world.measures["in_force"]}"' in body
    assert "延長または終了の処理をしてください" in body


@pytest.mark.req("j160", "j330", "j380")
def test_search_results_mark_provisional_protection_and_link_only_for_the_officer(
    sign_in, users_a, world: World
) -> None:
    query = {"atena_number": world.atena["newcomer"]}
    body = sign_in(users_a["clerk"]).get("/residents/search", query_string=query).get_data(as_text=True)
    assert '<span class="protected">支援措置対象</span>' in body and "仮支援措置中" in body
    assert "/support-measures/" not in body
    body = (
        sign_in(users_a["support_officer"])
        .get("/residents/search", query_string=query)
        .get_data(as_text=True)
    )
    assert f'href="/support-measures/{world.measures["provisional"]}"' in body


@pytest.mark.req("j410")
def test_an_error_level_inquiry_suppression_refuses_the_record_in_japanese(
    db: Database, sign_in, users_a, world: World
) -> None:
    officer = factories.actor_for(users_a["support_officer"])
    with unit_of_work(db, officer) as uow:
        set_suppression(uow, atena_number=world.atena["stranger"], process="inquiry", level="error",
                        start_date=dt.date(2024, 1, 1), reason="関係機関からの依頼")  # fmt: skip
    page = sign_in(users_a["clerk"]).get(f"/residents/{world.atena['stranger']}")
    assert page.status_code == 403
    assert "この住民の照会は抑止されています" in page.get_data(as_text=True)
    api = sign_in(users_a["clerk"]).get(
        f"/residents/{world.atena['stranger']}", headers={"Accept": "application/json"}
    )
    assert api.status_code == 403 and api.get_json()["error"] == "inquiry_suppressed"
