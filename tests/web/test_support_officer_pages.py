"""The support-measure officer's pages (j160, j410, j440, j1290, j1320, j1380): each page for the officer, 403
for a clerk, 404 for another municipality's ids; the inspection list for clerks without protected households."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.residents.search_keys import refresh_household_keys
from handlers.suppression import DisclosureRequest, Identity, Requester, check_disclosure
from handlers.suppression_controls import request_release
from handlers.uow import unit_of_work
from tests import factories
from tests.handlers.suppression_world import World, build_world
from tests.web.auth_helpers import post_form
from tests.web.auth_helpers import sign_in as sign_in_through_pages

LAWYER = Identity(name="弁護 士郎", birth_date=dt.date(1960, 2, 2))


@pytest.fixture
def world(db: Database, setup_session: Session, city_a: models.Municipality, users_a) -> World:
    return build_world(db, setup_session, city_a, factories.actor_for(users_a["support_officer"]))


def certificate_of(world: World, name: str) -> DisclosureRequest:
    return DisclosureRequest(Requester("third_party", LAWYER), (world.atena[name],), "certificate")


def outcome(db: Database, actor: Actor, request: DisclosureRequest) -> str:
    with unit_of_work(db, actor) as uow:
        return check_disclosure(uow, request).outcome


def rows(db: Database, city: models.Municipality, model: Any) -> list[Any]:
    with unit_of_work(db, Actor.system(city.id)) as uow:
        return list(uow.session.scalars(select(model).order_by(model.id)))


OFFICER_PAGES = ["/support-measures/suppressed", "/support-measures/releases", "/support-measures/lift",
                 "/support-measures/suppressions", "/support-measures/new", "/support-measures/tasks"]  # fmt: skip


@pytest.mark.req("j1380")
@pytest.mark.parametrize("path", OFFICER_PAGES)
def test_officer_pages_open_for_the_officer_and_are_forbidden_to_a_clerk(
    sign_in, users_a, world, path
) -> None:
    assert sign_in(users_a["clerk"]).get(path).status_code == 403
    page = sign_in(users_a["support_officer"]).get(path)
    assert page.status_code == 200 and 'lang="ja"' in page.get_data(as_text=True)


@pytest.mark.req("j1380")
@pytest.mark.parametrize(
    "post",
    ["/support-measures/releases/1/grant", "/support-measures/lift", "/support-measures/suppressions",
     "/support-measures/suppressions/1/release", "/support-measures/new", "/support-measures/tasks/1"],
)  # fmt: skip
def test_a_clerk_cannot_post_to_the_officer_pages(sign_in, users_a, world, post) -> None:
    assert sign_in(users_a["clerk"]).post(post, data={"reason": "x"}).status_code == 403


@pytest.mark.req("j1290")
def test_the_list_of_suppressed_persons_names_them_with_their_reasons(
    sign_in, users_a, users_b, world
) -> None:
    body = sign_in(users_a["support_officer"]).get("/support-measures/suppressed").get_data(as_text=True)
    for name in ("victim", "child", "newcomer", "neighbour", "lodger"):
        assert world.atena[name] in body
    assert world.atena["stranger"] not in body and world.atena["former"] not in body
    assert "支援措置中" in body and "仮支援措置中" in body and "証明書発行抑止（個人・エラー）" in body
    assert "異動入力抑止（世帯・エラー）" in body
    other = sign_in(users_b["support_officer"]).get("/support-measures/suppressed").get_data(as_text=True)
    assert world.atena["victim"] not in other and "抑止対象者はいません" in other


@pytest.mark.req("j440")
def test_the_officer_grants_a_pending_release_and_that_request_passes_once(
    db: Database, sign_in, users_a, users_b, clerk_a: Actor, world: World
) -> None:
    request = certificate_of(world, "victim")
    with unit_of_work(db, clerk_a) as uow:
        release_id = request_release(uow, request)
    officer = sign_in(users_a["support_officer"])
    listed = officer.get("/support-measures/releases").get_data(as_text=True)
    assert world.atena["victim"] in listed and "住民票の写し等の交付" in listed and "第三者" in listed
    path = f"/support-measures/releases/{release_id}/grant"
    assert sign_in(users_b["support_officer"]).post(path, data={"reason": "確認済"}).status_code == 404
    refused = sign_in(users_a["support_officer"]).post(path, data={"reason": ""})
    assert refused.status_code == 422 and "解除の理由" in refused.get_data(as_text=True)
    granted = sign_in(users_a["support_officer"]).post(path, data={"reason": "裁判所提出用と確認した"})
    assert granted.status_code == 302
    assert outcome(db, clerk_a, request) == "allow"
    assert outcome(db, clerk_a, request) == "needs_release"


@pytest.mark.req("j410")
def test_a_temporary_lift_is_bounded_by_the_configured_minutes(
    db: Database, sign_in, users_a, clerk_a: Actor, city_a: models.Municipality, world: World
) -> None:
    officer = sign_in(users_a["support_officer"])
    form = {"target": "measure", "target_id": str(world.measures["in_force"]), "purpose": "certificate",
            "reason": "本人の依頼"}  # fmt: skip
    too_long = officer.post("/support-measures/lift", data={**form, "minutes": "999"})
    assert too_long.status_code == 422 and "設定できる範囲外です" in too_long.get_data(as_text=True)
    superscript = officer.post("/support-measures/lift", data={**form, "minutes": "1²"})
    assert superscript.status_code == 422 and "数字で入力されていません" in superscript.get_data(as_text=True)
    assert officer.post("/support-measures/lift", data={**form, "minutes": "10"}).status_code == 302
    [lift] = rows(db, city_a, models.TemporaryLift)
    assert (lift.measure_id, lift.purpose) == (world.measures["in_force"], "certificate")
    assert outcome(db, clerk_a, certificate_of(world, "victim")) == "allow"


@pytest.mark.req("j410")
def test_the_officer_sets_and_releases_a_per_process_suppression(
    db: Database, sign_in, users_a, users_b, clerk_a: Actor, city_a: models.Municipality, world: World
) -> None:
    officer = sign_in(users_a["support_officer"])
    shown = officer.get(
        "/support-measures/suppressions", query_string={"atena_number": world.atena["neighbour"]}
    )
    body = shown.get_data(as_text=True)
    assert "証明書発行" in body and "エラー" in body and "照会" in body and "アラート" in body
    stranger = world.atena["stranger"]
    form = {"atena_number": stranger, "process": "inquiry", "level": "error", "start_date": "2024-01-01",
            "reason": "裁判所からの依頼"}  # fmt: skip
    assert officer.post("/support-measures/suppressions", data=form).status_code == 302
    inquiry = DisclosureRequest(Requester("official"), (stranger,), "inquiry")
    assert outcome(db, clerk_a, inquiry) == "refuse"
    [set_row] = [s for s in rows(db, city_a, models.Suppression) if s.atena_number == stranger]
    release = f"/support-measures/suppressions/{set_row.id}/release"
    assert sign_in(users_b["support_officer"]).post(release, data={"reason": "終了"}).status_code == 404
    released = sign_in(users_a["support_officer"]).post(
        release, data={"reason": "依頼の取下げ", "atena_number": stranger}
    )
    assert released.status_code == 302
    assert outcome(db, clerk_a, inquiry) == "allow"
    bad = sign_in(users_a["support_officer"]).post(
        "/support-measures/suppressions", data={**form, "level": "x"}
    )
    assert bad.status_code == 422 and "抑止レベル" in bad.get_data(as_text=True)


@pytest.mark.req("j160", "j440")
def test_intake_confirmation_and_decision_through_the_pages(
    db: Database, sign_in, users_a, clerk_a: Actor, city_a: models.Municipality, world: World
) -> None:
    officer = sign_in(users_a["support_officer"])
    form = {"request_date": "2026-04-01", "victim_kind": "stalking", "applicant.name": "小林 花子",
            "applicant.atena_number": world.atena["stranger"], "perpetrators-0.name": "加害 一郎",
            "perpetrators-0.birth_date": "1970-01-01", "protected_services": ["certificate", "inspection"],
            "protected_addresses": ["current"]}  # fmt: skip
    missing = officer.post("/support-measures/new", data={**form, "request_date": ""})
    assert missing.status_code == 422 and "申出年月日" in missing.get_data(as_text=True)
    assert officer.post("/support-measures/new", data=form).status_code == 302
    assert outcome(db, clerk_a, certificate_of(world, "stranger")) == "needs_release", "provisional at once"
    tasks = officer.get("/support-measures/tasks").get_data(as_text=True)
    assert "支援の必要性の確認" in tasks
    [confirm] = [t for t in rows(db, city_a, models.CaseTask) if t.bpmn_id == "confirm_support_need"]
    assert officer.get(f"/support-measures/tasks/{confirm.id}").status_code == 200
    no_source = officer.post(f"/support-measures/tasks/{confirm.id}", data={"opinion_source": ""})
    assert no_source.status_code == 422 and "意見を求めた機関" in no_source.get_data(as_text=True)
    assert (
        officer.post(f"/support-measures/tasks/{confirm.id}", data={"opinion_source": "警察署"}).status_code
        == 302
    )
    [decide] = [t for t in rows(db, city_a, models.CaseTask) if t.bpmn_id == "decide_support_measure"]
    done = officer.post(
        f"/support-measures/tasks/{decide.id}", data={"decision": "approve", "start_date": "2026-04-10"}
    )
    assert done.status_code == 302
    [measure] = [m for m in rows(db, city_a, models.SupportMeasure) if m.victim_kind == "stalking"]
    assert (measure.status, measure.end_date) == ("in_force", dt.date(2027, 4, 9))
    shown = officer.get(f"/support-measures/{measure.id}").get_data(as_text=True)
    for day in ("令和8年4月1日", "令和8年4月10日", "令和9年4月9日", "昭和45年1月1日"):  # j90: dates in 和暦
        assert day in shown, day
    assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d\b", shown), "a date shown in ISO form"


@pytest.mark.req("j160", "j1380")
def test_another_municipalitys_measure_and_task_are_not_found(
    db: Database, sign_in, users_a, users_b, city_a: models.Municipality, world: World
) -> None:
    officer_b = sign_in(users_b["support_officer"])
    assert officer_b.get(f"/support-measures/{world.measures['in_force']}").status_code == 404
    form = {"request_date": "2026-04-01", "victim_kind": "dv", "applicant.name": "小林 花子",
            "applicant.atena_number": world.atena["stranger"], "protected_services": ["certificate"],
            "protected_addresses": ["current"]}  # fmt: skip
    assert sign_in(users_a["support_officer"]).post("/support-measures/new", data=form).status_code == 302
    [confirm] = [t for t in rows(db, city_a, models.CaseTask) if t.bpmn_id == "confirm_support_need"]
    assert sign_in(users_b["support_officer"]).get(f"/support-measures/tasks/{confirm.id}").status_code == 404


@pytest.mark.req("j1320")
def test_the_inspection_list_leaves_out_protected_households(
    sign_in, users_a, users_b, world: World, setup_session: Session
) -> None:
    for household in setup_session.scalars(select(models.Household)):
        refresh_household_keys(household)
    setup_session.flush()
    assert sign_in(users_a["auditor"]).get("/inspection-list").status_code == 403
    page = sign_in(users_a["clerk"]).get("/inspection-list", query_string={"area": "中央一丁目"})
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "閲覧用" in body
    assert "斎藤" in body and "小林" in body and "鈴木" in body
    assert "昭和55年1月1日" in body and "1980-01-01" not in body, "birth dates in 和暦 (j90)"
    assert "花子" not in body and "梅" not in body and "田中" not in body, "protected households are left out"
    other = (
        sign_in(users_b["clerk"])
        .get("/inspection-list", query_string={"area": "中央一丁目"})
        .get_data(as_text=True)
    )
    assert "小林" not in other and "該当者はいません" in other


@pytest.mark.req("j1380")
def test_officer_forms_carry_the_csrf_token_and_refuse_a_post_without_it(
    db: Database, setup_session: Session, users_a, world: World
) -> None:
    from webui.app import create_app

    setup_session.flush()
    app: Flask = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True, "SECRET_KEY": "test"}, db=db)
    client: FlaskClient = app.test_client()
    sign_in_through_pages(client, users_a["support_officer"].login_id)
    form = {"target": "measure", "target_id": str(world.measures["in_force"]), "purpose": "certificate",
            "minutes": "5"}  # fmt: skip
    assert client.post("/support-measures/lift", data=form).status_code == 400
    assert post_form(client, "/support-measures/lift", form).status_code == 302
