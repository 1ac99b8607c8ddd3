"""Case API: open a 転入 case, the queue, claim, approve with four eyes, reject, cancel, view; structured
errors; another city's token gets 404; every /api route is in the OpenAPI document (j530, j1380, j1440)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.db import Database
from models import User
from models.audit import AccessLog
from tests.cases.test_move_in import intake
from tests.web.test_residents_api import token_for

pytestmark = pytest.mark.req("j530", "j1380", "j1440")


def post(client: FlaskClient, path: str, headers: dict[str, str], body: Any) -> Any:
    return client.post(path, json=body, headers=headers)


def open_move_in(client: FlaskClient, clerk: dict[str, str]) -> dict[str, Any]:
    response = post(client, "/api/cases", clerk, {"change_type": "move_in", "intake": intake()})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def review_task(client: FlaskClient, headers: dict[str, str], case_id: int) -> dict[str, Any]:
    tasks = client.get("/api/tasks", query_string={"role": "supervisor"}, headers=headers).get_json()["tasks"]
    return next(t for t in tasks if t["case_id"] == case_id and t["bpmn_id"] == "review_move_in")


def test_a_case_is_opened_approved_and_viewed_through_the_api(
    client: FlaskClient, db: Database, users_a: dict[str, User]
) -> None:
    clerk, supervisor = token_for(db, users_a, "clerk"), token_for(db, users_a, "supervisor")
    case = open_move_in(client, clerk)
    assert (
        re.fullmatch(r"\d{4}-\d{6}", case["case_number"]) and case["status"] == "running" and case["due_date"]
    )
    task = review_task(client, supervisor, case["id"])
    claimed = post(client, f"/api/tasks/{task['id']}/claim", supervisor, {}).get_json()
    assert claimed["claimed_by"] == users_a["supervisor"].login_id
    mine = client.get("/api/tasks", query_string={"mine": "1"}, headers=supervisor).get_json()["tasks"]
    assert [t["id"] for t in mine] == [task["id"]]
    done = post(
        client,
        f"/api/tasks/{task['id']}/complete",
        supervisor,
        {"decision": "approve", "acknowledgements": []},
    )
    assert done.status_code == 200
    view = client.get(f"/api/cases/{case['id']}", headers=clerk).get_json()
    assert view["pending_change"]["status"] == "registered"
    assert [m["destination"] for m in view["outbox"]] == ["cs", "cs", "cs", "municipality:202118"]


def test_an_intake_or_a_completion_answers_with_the_case_and_its_tasks_and_logs_no_case_view(
    client: FlaskClient, db: Database, setup_session: Session, users_a: dict[str, User]
) -> None:
    clerk, supervisor = token_for(db, users_a, "clerk"), token_for(db, users_a, "supervisor")
    case = open_move_in(client, clerk)
    assert [(t["bpmn_id"], t["state"]) for t in case["tasks"]] == [
        ("intake_move_in", "completed"), ("review_move_in", "ready")
    ]  # fmt: skip
    task = review_task(client, supervisor, case["id"])
    done = post(client, f"/api/tasks/{task['id']}/complete", supervisor, {"decision": "approve"}).get_json()
    assert (done["id"], done["tasks"][1]["state"]) == (case["id"], "completed")
    assert done["tasks"][1]["completed_by"] == users_a["supervisor"].login_id
    functions = setup_session.scalars(select(AccessLog.function).order_by(AccessLog.seq)).all()
    assert "case_viewed" not in functions and "change_registered" in functions


def test_the_entering_clerk_with_the_approver_role_is_refused_with_403(
    client: FlaskClient, db: Database, users_a: dict[str, User], setup_session: Any, city_a: Any
) -> None:
    from tests.factories import make_user

    both = make_user(setup_session, city_a, login_id="both@141003", roles=["clerk", "supervisor"])
    headers = token_for(db, {**users_a, "both": both}, "both")
    case = open_move_in(client, headers)
    task = review_task(client, headers, case["id"])
    refused = post(client, f"/api/tasks/{task['id']}/complete", headers, {"decision": "approve"})
    assert refused.status_code == 403
    assert refused.get_json() == {
        "error": "permission_denied",
        "message": "入力者本人は決裁できません（四つの目の原則）。",
    }


def test_errors_are_structured_422_409_and_rejection_and_cancel_work(
    client: FlaskClient, db: Database, users_a: dict[str, User]
) -> None:
    clerk, supervisor = token_for(db, users_a, "clerk"), token_for(db, users_a, "supervisor")
    bad = post(client, "/api/cases", clerk, {"change_type": "move_in", "intake": intake(members=[])})
    assert bad.status_code == 422 and bad.get_json()["problems"][0]["code"] == "required"
    case = open_move_in(client, clerk)
    task = review_task(client, supervisor, case["id"])
    no_reason = post(client, f"/api/tasks/{task['id']}/complete", supervisor, {"decision": "reject"})
    assert no_reason.status_code == 422
    rejected = post(
        client, f"/api/tasks/{task['id']}/complete", supervisor, {"decision": "reject", "reason": "方書漏れ"}
    )
    assert rejected.status_code == 200
    again = post(client, f"/api/tasks/{task['id']}/claim", supervisor, {})
    assert again.status_code == 409 and again.get_json()["error"] == "conflict"
    cancelled = post(client, f"/api/cases/{case['id']}/cancel", clerk, {"reason": "取下げ"})
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert post(client, f"/api/cases/{case['id']}/cancel", clerk, {"reason": "取下げ"}).status_code == 409


def test_a_token_of_another_city_cannot_see_the_case(
    client: FlaskClient, db: Database, users_a: dict[str, User], users_b: dict[str, User]
) -> None:
    case = open_move_in(client, token_for(db, users_a, "clerk"))
    other = token_for(db, users_b, "supervisor")
    assert client.get(f"/api/cases/{case['id']}", headers=other).status_code == 404
    assert client.get("/api/tasks", headers=other).get_json()["tasks"] == []
    assert post(client, f"/api/cases/{case['id']}/cancel", other, {"reason": "x"}).status_code == 404


def test_every_api_route_is_in_the_openapi_document(app: Flask, client: FlaskClient, db: Database,
                                                    users_a: dict[str, User]) -> None:  # fmt: skip
    document = client.get("/api/openapi.json", headers=token_for(db, users_a)).get_json()
    assert document["openapi"].startswith("3.1")
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if method.lower() not in document["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert missing == []
    assert "ValidationError" in document["components"]["schemas"]
