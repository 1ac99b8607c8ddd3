"""Staff shown by name (``handlers.staff_names``): the counter's queue, case page, review page and confirmation
sheet name the municipality's staff by their 氏名 with the login ID kept as a tooltip; a system actor keeps its
label, a login this municipality does not know reads as itself, another municipality's user is never named;
the JSON view keeps the login IDs."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers import cases
from handlers.context import Actor
from handlers.db import Database
from handlers.staff_names import staff_label, staff_names
from handlers.uow import unit_of_work
from tests.web.test_counter_pages import (  # noqa: F401 - resident_code_pool is a fixture
    case_id_of,
    move_in_form,
    open_task,
    resident_code_pool,
    signed_in,
)

CLERK_NAME, SUPERVISOR_NAME, OTHER_CITY_NAME = "窓口 一子", "審査 二郎", "上田 三郎"


@pytest.fixture
def named_staff(
    setup_session: Session, users_a: dict[str, models.User], users_b: dict[str, models.User]
) -> dict[str, models.User]:
    users_a["clerk"].display_name = CLERK_NAME
    users_a["supervisor"].display_name = SUPERVISOR_NAME
    users_b["clerk"].display_name = OTHER_CITY_NAME
    setup_session.flush()
    return users_a


def tooltip(user: models.User) -> str:
    return f'<span title="ログインID：{user.login_id}">{user.display_name}</span>'


def claimed_case(app: Flask, db: Database, users: dict[str, models.User], clerk: Actor) -> tuple[int, int]:
    """A 転入 the clerk entered, its review task claimed by the supervisor: (case id, review task id)."""
    case_id = case_id_of(signed_in(app, users["clerk"]).post("/cases/new/move_in", data=move_in_form()))
    task = open_task(db, clerk, case_id, "review_")
    assert signed_in(app, users["supervisor"]).post(f"/tasks/{task.id}/claim").status_code == 302
    return case_id, task.id


def acknowledged_by(setup_session: Session, case_id: int, login: str) -> None:
    """An alert of the case's change, acknowledged by ``login``."""
    pending = setup_session.scalars(
        select(models.PendingChange).where(models.PendingChange.case_id == case_id)
    ).one()
    alert = {"field": "address", "item": "住所", "reason": "確認が必要です", "remedy": "確認してください",
             "code": "check_address", "level": "alert"}  # fmt: skip
    pending.alerts = [alert]
    pending.acknowledgements = [{"code": "check_address", "field": "address", "by_user_id": None,
                                 "by_login": login, "at": dt.datetime.now(dt.UTC).isoformat()}]  # fmt: skip
    setup_session.flush()


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_task_queue_names_who_holds_a_task(
    app: Flask, db: Database, named_staff: dict[str, models.User], clerk_a: Actor
) -> None:
    claimed_case(app, db, named_staff, clerk_a)
    queue = page(signed_in(app, named_staff["supervisor"]), "/tasks")
    assert f"担当中（{tooltip(named_staff['supervisor'])}）" in queue
    assert f"（{named_staff['supervisor'].login_id}）" not in queue


def test_the_case_page_names_who_took_it_in_holds_its_task_and_acted_on_its_timeline(
    app: Flask, db: Database, setup_session: Session, named_staff: dict[str, models.User], clerk_a: Actor
) -> None:
    case_id, _task_id = claimed_case(app, db, named_staff, clerk_a)
    acknowledged_by(setup_session, case_id, named_staff["supervisor"].login_id)
    shown = page(signed_in(app, named_staff["clerk"]), f"/cases/{case_id}")
    assert f"<dt>受付者</dt><dd>{tooltip(named_staff['clerk'])}</dd>" in shown
    assert f"担当：{tooltip(named_staff['supervisor'])}" in shown
    assert f"（確認：{tooltip(named_staff['supervisor'])}、" in shown
    timeline = shown.split('class="timeline"', 1)[1]
    assert tooltip(named_staff["clerk"]) in timeline and tooltip(named_staff["supervisor"]) in timeline
    assert f">{named_staff['clerk'].login_id}<" not in shown


def test_the_review_page_and_confirmation_sheet_name_who_entered_and_acknowledged(
    app: Flask, db: Database, setup_session: Session, named_staff: dict[str, models.User], clerk_a: Actor
) -> None:
    case_id, task_id = claimed_case(app, db, named_staff, clerk_a)
    acknowledged_by(setup_session, case_id, named_staff["supervisor"].login_id)
    supervisor = signed_in(app, named_staff["supervisor"])
    review = page(supervisor, f"/tasks/{task_id}/review")
    assert f"<dt>入力者</dt><dd>{tooltip(named_staff['clerk'])}</dd>" in review
    assert f"（{tooltip(named_staff['supervisor'])} が" in review
    sheet = page(supervisor, f"/tasks/{task_id}/confirmation")
    assert f"<dt>入力者</dt><dd>{tooltip(named_staff['clerk'])}</dd>" in sheet


def test_a_system_actor_keeps_its_label_and_an_unknown_login_reads_as_itself(
    app: Flask, db: Database, setup_session: Session, named_staff: dict[str, models.User],
    city_a: models.Municipality, clerk_a: Actor,
) -> None:  # fmt: skip
    case_id, _task_id = claimed_case(app, db, named_staff, clerk_a)
    at = dt.datetime.now(dt.UTC)
    for actor in ("system", "relay"):
        setup_session.add(models.CaseEvent(tenant_id=city_a.id, case_id=case_id, at=at, actor=actor,
                                           kind="timer_fired", detail={}))  # fmt: skip
    acknowledged_by(setup_session, case_id, "retired.clerk")
    shown = page(signed_in(app, named_staff["clerk"]), f"/cases/{case_id}")
    assert "<td>システム（自動処理）</td>" in shown and "<td>relay</td>" in shown
    assert "（確認：retired.clerk、" in shown


def test_another_municipalitys_user_is_never_named(
    app: Flask, db: Database, setup_session: Session, named_staff: dict[str, models.User],
    users_b: dict[str, models.User], clerk_a: Actor,
) -> None:  # fmt: skip
    other = users_b["clerk"].login_id
    case_id, _task_id = claimed_case(app, db, named_staff, clerk_a)
    acknowledged_by(setup_session, case_id, other)
    shown = page(signed_in(app, named_staff["clerk"]), f"/cases/{case_id}")
    assert f"（確認：{other}、" in shown and OTHER_CITY_NAME not in shown
    with unit_of_work(db, clerk_a) as uow:
        assert staff_names(uow, [other, named_staff["clerk"].login_id]) == {
            named_staff["clerk"].login_id: CLERK_NAME
        }


def test_the_json_view_of_a_case_keeps_the_login_ids(
    app: Flask, db: Database, named_staff: dict[str, models.User], clerk_a: Actor
) -> None:
    case_id, _task_id = claimed_case(app, db, named_staff, clerk_a)
    with unit_of_work(db, clerk_a) as uow:
        view = cases.case_view(uow, case_id)
    assert "staff" not in view and view["case"]["created_by"] == named_staff["clerk"].login_id
    assert {t["claimed_by"] for t in view["tasks"]} >= {named_staff["supervisor"].login_id}


def test_the_label_of_a_login_is_the_system_label_the_name_or_the_login() -> None:
    names = {"clerk.yokohama": "横浜 花子"}
    assert [staff_label(login, names) for login in ("system", "clerk.yokohama", "gone", None)] == [
        "システム（自動処理）", "横浜 花子", "gone", "",
    ]  # fmt: skip


def test_the_case_page_names_a_subscriber_of_its_notices_by_its_display_name(
    app: Flask, db: Database, setup_session: Session, named_staff: dict[str, models.User],
    city_a: models.Municipality, clerk_a: Actor,
) -> None:  # fmt: skip
    case_id, _task_id = claimed_case(app, db, named_staff, clerk_a)
    setup_session.add(models.IntegrationDestination(tenant_id=city_a.id, name="subscriber:kaigo", kind="http_json",
                                                    subscription="full", display_name="介護保険システム"))  # fmt: skip
    setup_session.add(models.OutboxMessage(tenant_id=city_a.id, case_id=case_id, destination="subscriber:kaigo",
                                           kind="identity_change", payload={}, idempotency_key="K-1@kaigo", seq=1))  # fmt: skip
    setup_session.flush()
    shown = page(signed_in(app, named_staff["clerk"]), f"/cases/{case_id}")
    assert "<td>宛名連携先「介護保険システム」</td>" in shown
