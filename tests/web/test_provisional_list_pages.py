"""仮登録一覧 (j530) through the Flask test client: the list with who/when/where, narrowing by person, input
place and terminal, 本登録 of a selected part or of all shown (capped), each case through ``approve`` with the
four-eyes rule and alert acknowledgements, a result per case; supervisors only; city B sees none of city A."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.cases import open_case
from handlers.cases.bulk_approval import approval_limit
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from models.audit import AccessLog
from models.case import Case
from models.change import PendingChange
from models.resident import Resident
from models.tenant import Ward
from tests import factories
from tests.web.auth_helpers import post_form, sign_in
from tests.web.test_counter_pages import signed_in
from webui.app import create_app

pytestmark = pytest.mark.req("j530")

ARRIVED = (japan_today() - dt.timedelta(days=2)).isoformat()
WARD = ("141011", "鶴見区")


def arrival(name: str, card: str, **member: Any) -> dict[str, Any]:
    """A 法第30条の46転入 of one foreign resident (no alert unless an item of the category is left blank)."""
    person = factories.foreign_member(name_alphabet=name, residence_card_number=card, **member)
    return {"change_date": ARRIVED, "household": factories.default_address(), "members": [person]}


def open_provisional(db: Database, actor: Actor, intake: dict[str, Any]) -> Case:
    with unit_of_work(db, actor) as uow:
        case = open_case(uow, "foreign_move_in_30_46", intake)
        uow.session.expunge(case)
    return case


@pytest.fixture
def three_cases(
    db: Database, setup_session: Session, city_a: models.Municipality, clerk_a: Actor
) -> dict[str, Case]:
    """Two cases entered at 鶴見区 on T-01 (one with an alert), one at no ward on T-02."""
    setup_session.add(Ward(municipality_id=city_a.id, code=WARD[0], name=WARD[1]))
    setup_session.flush()
    at_ward = dataclasses.replace(clerk_a, ward_code=WARD[0], terminal="T-01")
    return {
        "plain": open_provisional(db, at_ward, arrival("SMITH JOHN", "AB12345678CD")),
        "alert": open_provisional(db, at_ward, arrival("GARCIA ANA", "CD23456789EF", residence_status=None)),
        "other": open_provisional(
            db, dataclasses.replace(clerk_a, terminal="T-02"), arrival("NGUYEN AN", "EF34567890GH")
        ),
    }


def registered(db: Database, actor: Actor, name: str) -> bool:
    with unit_of_work(db, actor) as uow:
        return uow.session.scalars(select(Resident).where(Resident.name_alphabet == name)).first() is not None


def pending_status(db: Database, actor: Actor, case_id: int) -> str:
    with unit_of_work(db, actor) as uow:
        return uow.session.scalars(select(PendingChange.status).where(PendingChange.case_id == case_id)).one()


def outcomes(page: str) -> dict[str, str]:
    """受付番号 → outcome of the result table."""
    found = re.findall(r'data-outcome="(\w+)">\s*<td><a [^>]*>([^<]+)</a>', page)
    return {number: outcome for outcome, number in found}


def test_the_list_shows_each_provisional_change_with_who_when_where_and_its_alerts(
    app: Flask,
    db: Database,
    users_a: dict[str, models.User],
    supervisor_a: Actor,
    three_cases: dict[str, Case],
) -> None:
    page = signed_in(app, users_a["supervisor"]).get("/cases/provisional").get_data(as_text=True)
    for case in three_cases.values():
        assert case.case_number in page
    assert "法第30条の46転入" in page and "SMITH JOHN" in page and users_a["clerk"].login_id in page
    assert "鶴見区" in page and "T-01" in page and "T-02" in page and "（指定なし）" in page
    assert "在留資格" in page and f'name="ack-{three_cases["alert"].id}"' in page
    assert "3件" in page
    assert "決裁者" not in page and "決裁日" not in page  # j530 【実装しない機能】
    with unit_of_work(db, supervisor_a) as uow:
        logged = uow.session.scalars(
            select(AccessLog).where(AccessLog.function == "provisional_changes_listed")
        ).all()
        assert logged and three_cases["plain"].case_number in logged[-1].detail["cases"]


def test_the_list_narrows_by_person_input_place_and_terminal(
    app: Flask, users_a: dict[str, models.User], three_cases: dict[str, Case]
) -> None:
    supervisor = signed_in(app, users_a["supervisor"])
    numbers = {k: c.case_number for k, c in three_cases.items()}

    def shown(**query: str) -> set[str]:
        page = supervisor.get("/cases/provisional", query_string=query).get_data(as_text=True)
        listed = page.split('id="provisional-list"', 1)[1]
        return {k for k, n in numbers.items() if n in listed}

    assert shown(person="GARCIA") == {"alert"}
    assert shown(place=WARD[0]) == {"plain", "alert"}
    assert shown(place="-") == {"other"}
    assert shown(terminal="T-02") == {"other"}
    assert shown(place=WARD[0], terminal="T-02") == set()


def test_selected_cases_are_registered_and_one_with_an_unacknowledged_alert_is_reported(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor, three_cases: dict[str, Case]
) -> None:
    supervisor = signed_in(app, users_a["supervisor"])
    picked = [str(three_cases["plain"].id), str(three_cases["alert"].id)]
    response = supervisor.post("/cases/provisional/approve", data={"scope": "selected", "case_ids": picked})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    result = outcomes(page)
    assert result == {
        three_cases["plain"].case_number: "approved",
        three_cases["alert"].case_number: "alerts",
    }
    assert "アラート未確認のため本登録しませんでした" in page
    assert registered(db, clerk_a, "SMITH JOHN") and not registered(db, clerk_a, "GARCIA ANA")
    assert not registered(db, clerk_a, "NGUYEN AN")  # not selected
    assert pending_status(db, clerk_a, three_cases["alert"].id) == "provisional"

    alert = three_cases["alert"].id
    page = supervisor.get("/cases/provisional").get_data(as_text=True)
    codes = re.findall(rf'name="ack-{alert}" value="([^"]+)"', page)
    again = supervisor.post(
        "/cases/provisional/approve",
        data={"scope": "selected", "case_ids": [str(alert)], f"ack-{alert}": codes},
    )
    assert outcomes(again.get_data(as_text=True)) == {three_cases["alert"].case_number: "approved"}
    assert registered(db, clerk_a, "GARCIA ANA")


def test_a_case_number_that_is_no_number_is_ignored_not_a_server_error(
    app: Flask, db: Database, users_a: dict[str, models.User], clerk_a: Actor, three_cases: dict[str, Case]
) -> None:
    supervisor = signed_in(app, users_a["supervisor"])
    plain = three_cases["plain"].id
    response = supervisor.post("/cases/provisional/approve",
                               data={"scope": "selected", "case_ids": ["²", str(plain)], "ack-²": "x"})  # fmt: skip
    assert response.status_code == 200
    assert outcomes(response.get_data(as_text=True)) == {three_cases["plain"].case_number: "approved"}


def test_the_approver_who_entered_a_case_is_refused_it_and_the_others_go_through(
    db: Database, setup_session: Session, city_a: models.Municipality, users_a: dict[str, models.User],
    clerk_a: Actor, three_cases: dict[str, Case],
) -> None:  # fmt: skip
    both = factories.make_user(setup_session, city_a, login_id="both@141003", roles=["clerk", "supervisor"])
    own = open_provisional(db, factories.actor_for(both), arrival("KIM MIN", "GH45678901IJ"))
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test"}, db=db)
    client = signed_in(app, both)
    page = client.get("/cases/provisional").get_data(as_text=True)
    assert "自分の入力" in page and f'id="pick-{own.id}"' not in page
    response = client.post(
        "/cases/provisional/approve",
        data={"scope": "selected", "case_ids": [str(own.id), str(three_cases["plain"].id)]},
    )
    result = outcomes(response.get_data(as_text=True))
    assert result == {own.case_number: "four_eyes", three_cases["plain"].case_number: "approved"}
    assert not registered(db, clerk_a, "KIM MIN") and registered(db, clerk_a, "SMITH JOHN")
    with unit_of_work(db, clerk_a) as uow:
        refusals = uow.session.scalars(
            select(AccessLog).where(AccessLog.function == "approval_refused_same_user")
        ).all()
        assert [r.detail["case_number"] for r in refusals] == [own.case_number]


def test_approve_all_takes_every_shown_case_and_is_refused_above_the_municipalitys_cap(
    app: Flask, db: Database, setup_session: Session, city_a: models.Municipality,
    users_a: dict[str, models.User], clerk_a: Actor, three_cases: dict[str, Case],
) -> None:  # fmt: skip
    supervisor = signed_in(app, users_a["supervisor"])
    city_a.settings = {"bulk_approval_limit": 1}
    setup_session.flush()
    refused = supervisor.post("/cases/provisional/approve", data={"scope": "all", "place": ""})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "上限の1件を超えています" in page
    assert not registered(db, clerk_a, "SMITH JOHN") and not registered(db, clerk_a, "NGUYEN AN")

    city_a.settings = {}
    setup_session.flush()
    done = supervisor.post("/cases/provisional/approve", data={"scope": "all", "terminal": "T-01"})
    result = outcomes(done.get_data(as_text=True))
    assert result == {
        three_cases["plain"].case_number: "approved",
        three_cases["alert"].case_number: "alerts",
    }
    assert not registered(db, clerk_a, "NGUYEN AN")  # T-02: not shown, not registered


def test_only_supervisors_reach_the_list_and_city_b_gets_404_for_city_a_cases(
    app: Flask, db: Database, users_a: dict[str, models.User], users_b: dict[str, models.User],
    clerk_a: Actor, three_cases: dict[str, Case],
) -> None:  # fmt: skip
    clerk = signed_in(app, users_a["clerk"])
    assert clerk.get("/cases/provisional").status_code == 403
    case_id = str(three_cases["plain"].id)
    assert clerk.post("/cases/provisional/approve", data={"case_ids": case_id}).status_code == 403
    other = signed_in(app, users_b["supervisor"])
    listing = other.get("/cases/provisional").get_data(as_text=True)
    assert three_cases["plain"].case_number not in listing and "SMITH JOHN" not in listing
    assert other.post("/cases/provisional/approve", data={"case_ids": case_id}).status_code == 404
    nothing = other.post("/cases/provisional/approve", data={"scope": "all"})
    assert nothing.status_code == 422 and "対象の仮登録がありません" in nothing.get_data(as_text=True)
    assert not registered(db, clerk_a, "SMITH JOHN")


def test_approving_provisional_changes_needs_a_csrf_token(
    db: Database, setup_session: Session, users_a: dict[str, models.User], three_cases: dict[str, Case]
) -> None:
    setup_session.flush()
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True, "SECRET_KEY": "test"}, db=db)
    client = app.test_client()
    sign_in(client, users_a["supervisor"].login_id)
    data = {"scope": "selected", "case_ids": str(three_cases["plain"].id)}
    assert client.post("/cases/provisional/approve", data=data).status_code == 400
    accepted = post_form(client, "/cases/provisional/approve", data, page="/cases/provisional")
    assert accepted.status_code == 200 and "本登録しました" in accepted.get_data(as_text=True)


@pytest.mark.parametrize(
    ("stored", "limit"), [("3", 3), ("３", 3), ("²", 50), ("0", 50), ("x", 50), (None, 50)]
)
def test_the_bulk_approval_cap_reads_a_stored_number_or_falls_back_to_fifty(
    db: Database, setup_session: Session, city_a: models.Municipality, users_a: dict[str, models.User],
    stored: str | None, limit: int,
) -> None:  # fmt: skip
    city_a.settings = {"bulk_approval_limit": stored} if stored is not None else {}
    setup_session.flush()
    with unit_of_work(db, factories.actor_for(users_a["supervisor"])) as uow:
        assert approval_limit(uow) == limit
