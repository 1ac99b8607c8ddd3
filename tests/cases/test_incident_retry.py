"""A step that fails after the 本登録 (here: its notices cannot be written) stops the case in an incident that
supervisors see with the error; once the cause is fixed they run the step again from the screen or the API and
the case goes on; a clerk cannot (issue 3: incidents are retried or cancelled by supervisors)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from handlers import cases
from handlers.cases.bulk_approval import approve_provisional
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import PermissionDeniedError
from models.audit import AccessLog
from models.change import OutboxMessage
from tests import factories
from tests.conftest import Step
from tests.web.test_counter_pages import signed_in
from tests.web.test_residents_api import token_for
from tests.workflows.ex_officio_steps import approve, enter, fill_pool, open_task

pytestmark = pytest.mark.req("j530", "j1440")

ROGUE = "rogue:"  # outbox rows numbered beside the counter, as a defect once wrote them


def family() -> dict[str, Any]:
    day = (japan_today() - dt.timedelta(days=3)).isoformat()
    head = factories.japanese_member(family_name="停止", family_name_kana="テイシ")
    for key in ("became_resident_date", "address_set_date", "previous_address"):
        head.pop(key)
    return {
        "kind": "domestic", "change_date": day, "notified_date": day, "household": factories.default_address(),
        "former_address": {"address": "長野県佐久市中込1番地", "municipality_code": "202177"},
        "move_out_certificate": {"planned_move_out_date": day}, "members": [head],
    }  # fmt: skip


def block_cs_numbers(uow: Any) -> None:
    for seq in (1, 2, 3):
        uow.session.add(OutboxMessage(destination="cs", kind="test", payload={}, idempotency_key=f"{ROGUE}{seq}",
                                      seq=seq, status="sent"))  # fmt: skip


def remove_blocking_rows(uow: Any) -> None:
    uow.session.execute(delete(OutboxMessage).where(OutboxMessage.idempotency_key.like(f"{ROGUE}%")))


@pytest.fixture
def stopped_case(step: Step, clerk_a: Actor, supervisor_a: Actor) -> int:
    fill_pool(step, supervisor_a, 150)
    step(supervisor_a, block_cs_numbers)
    case = enter(step, clerk_a, "move_in", family())
    decided = approve(step, supervisor_a, case, "move_in")
    assert decided.status == "incident" and decided.incident_task, "the notices should have failed"
    return decided.id


def test_a_stopped_case_is_listed_and_a_retry_after_the_fix_writes_its_notices_and_goes_on(
    step: Step, supervisor_a: Actor, stopped_case: int
) -> None:
    listed = step(supervisor_a, cases.incident_cases)
    assert [c["id"] for c in listed] == [stopped_case] and "UNIQUE" in listed[0]["error"].upper()
    assert step(supervisor_a, cases.retry, stopped_case).status == "incident", "not fixed yet: stops again"
    step(supervisor_a, remove_blocking_rows)
    resumed = step(supervisor_a, cases.retry, stopped_case)
    assert resumed.status == "running" and resumed.incident_error is None
    kinds = step(supervisor_a, lambda uow: uow.session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.case_id == stopped_case)).all())  # fmt: skip
    assert "identity_change" in kinds and "move_in_notice" in kinds
    logged = step(supervisor_a, lambda uow: uow.session.scalars(
        select(AccessLog.detail).where(AccessLog.function == "case_retried")).all())  # fmt: skip
    assert [d["stopped_again"] for d in logged] == [True, False]
    assert step(supervisor_a, cases.incident_cases) == []


def test_a_clerk_cannot_retry_or_list_stopped_cases(step: Step, clerk_a: Actor, stopped_case: int) -> None:
    with pytest.raises(PermissionDeniedError):
        step(clerk_a, cases.retry, stopped_case)
    with pytest.raises(PermissionDeniedError):
        step(clerk_a, cases.incident_cases)


def test_the_supervisor_sees_the_stop_on_the_task_page_and_retries_from_the_case_page(
    app: Flask, step: Step, supervisor_a: Actor, stopped_case: int, users_a: dict[str, Any]
) -> None:
    supervisor = signed_in(app, users_a["supervisor"])
    assert "エラー停止中の案件（1件）" in supervisor.get("/tasks").get_data(as_text=True)
    assert "再実行する" in supervisor.get(f"/cases/{stopped_case}").get_data(as_text=True)
    again = supervisor.post(f"/cases/{stopped_case}/retry", follow_redirects=True).get_data(as_text=True)
    assert "再実行しましたが、再びエラーで停止しました" in again
    step(supervisor_a, remove_blocking_rows)
    done = supervisor.post(f"/cases/{stopped_case}/retry", follow_redirects=True).get_data(as_text=True)
    assert "停止していた処理を再実行し、案件を続けました。" in done and "再実行する" not in done
    assert "エラー停止中の案件" not in supervisor.get("/tasks").get_data(as_text=True)


def test_the_api_retries_a_stopped_case_and_refuses_a_clerk(
    client: FlaskClient,
    db: Database,
    step: Step,
    supervisor_a: Actor,
    stopped_case: int,
    users_a: dict[str, Any],
) -> None:
    clerk, supervisor = token_for(db, users_a, "clerk"), token_for(db, users_a, "supervisor")
    refused = client.post(f"/api/cases/{stopped_case}/retry", headers=clerk)
    assert refused.status_code == 403 and refused.get_json()["error"]
    assert (
        client.post(f"/api/cases/{stopped_case}/retry", headers=supervisor).get_json()["status"] == "incident"
    )
    step(supervisor_a, remove_blocking_rows)
    assert (
        client.post(f"/api/cases/{stopped_case}/retry", headers=supervisor).get_json()["status"] == "running"
    )
    again = client.post(f"/api/cases/{stopped_case}/retry", headers=supervisor)
    assert again.status_code == 409, "a case that is not stopped is not retried"


def blocked_case(step: Step, clerk: Actor, supervisor: Actor) -> Any:
    fill_pool(step, supervisor, 150)
    step(supervisor, block_cs_numbers)
    return enter(step, clerk, "move_in", family())


def test_an_approval_on_the_review_page_that_stops_afterwards_says_so(
    app: Flask, step: Step, clerk_a: Actor, supervisor_a: Actor, users_a: dict[str, Any]
) -> None:
    case = blocked_case(step, clerk_a, supervisor_a)
    review = open_task(step, supervisor_a, case.id, "review_move_in")
    page = signed_in(app, users_a["supervisor"]).post(
        f"/tasks/{review.id}/review", data={"decision": "approve"}, follow_redirects=True
    )
    text = page.get_data(as_text=True)
    assert (
        "決裁しましたが、その後の処理がエラーで停止しました" in text
        and "決裁しました（本登録）。" not in text
    )


def test_a_bulk_approval_reports_a_case_that_stopped_afterwards(
    step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    case = blocked_case(step, clerk_a, supervisor_a)
    [outcome] = step(supervisor_a, approve_provisional, [case.id])
    assert outcome.outcome == "incident" and not outcome.approved and outcome.messages[0]
