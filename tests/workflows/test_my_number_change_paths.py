"""Every path through workflows/my_number_change.bpmn (個人番号の異動 j900, j1130)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from handlers.clock import japan_today
from handlers.context import Actor
from handlers.uow import UnitOfWork
from models.audit import AccessLog
from tests.factories import make_household, valid_my_number
from tests.workflows.conftest import Step
from tests.workflows.ex_officio_steps import (
    approve,
    enter,
    history,
    issue_documents,
    outbox,
    reject,
    resident,
    resubmit,
)

CODE = "my_number_change"
pytestmark = pytest.mark.req("j900")


def _shown(uow: UnitOfWork, atena_number: str) -> list[tuple[str, bool]]:
    rows = uow.session.scalars(select(AccessLog).order_by(AccessLog.id))
    return [(r.function, r.my_number_shown) for r in rows if atena_number in (r.targets or [])]


@pytest.mark.req("j1130")
def test_change_request_replaces_the_number_with_the_claim_date_and_asks_cs(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    household = make_household(db, clerk_a)
    head = household.members[0].atena_number
    old = household.members[0].my_number
    new = valid_my_number()
    claimed = (japan_today() - dt.timedelta(days=2)).isoformat()
    intake = {"atena_number": head, "kind": "change_request", "my_number": new, "claim_date": claimed}
    case = enter(step, clerk_a, CODE, intake)
    assert step(clerk_a, resident, head).my_number == old  # provisional only (j530)
    reject(step, supervisor_a, case, CODE, "番号の確認")
    resubmit(step, clerk_a, case, CODE, intake)
    approve(step, supervisor_a, case, CODE)
    data = issue_documents(step, clerk_a, case)
    assert data["registration"]["documents"] == []
    assert step(clerk_a, resident, head).my_number == new
    row = step(clerk_a, history, head)[-1]
    assert (row.change_reason, row.claim_date, row.case_id, row.snapshot["my_number"]) == (
        "my_number_change_request",
        dt.date.fromisoformat(claimed),
        case.id,
        new,
    )
    sent = step(clerk_a, outbox, case.id)
    assert [(d, k, p["my_number"], p["previous_my_number"]) for d, k, p in sent] == [
        ("cs", "my_number_request", new, old)
    ]
    assert ("my_number_changed", True) in step(clerk_a, _shown, head)


@pytest.mark.req("j1130")
@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("ex_officio_correction", "my_number_ex_officio_correction"),
        ("ex_officio_record", "my_number_ex_officio_record"),
    ],
)
def test_ex_officio_correction_and_record_keep_the_record_and_notify_the_person(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor, kind: str, reason: str
) -> None:
    household = make_household(db, clerk_a)
    wife = household.members[1].atena_number
    if kind == "ex_officio_record":
        step(clerk_a, lambda uow: setattr(resident(uow, wife), "my_number", None))
    new = valid_my_number()
    intake = {
        "atena_number": wife,
        "kind": kind,
        "my_number": new,
        "ex_officio_record": "個人番号の記載誤りを職権で修正した",
        "notify_person": True,
    }
    case = enter(step, clerk_a, CODE, intake)
    approve(step, supervisor_a, case, CODE)
    data = issue_documents(step, clerk_a, case)
    assert data["registration"]["documents"] == ["ex_officio_notice"]
    row = step(clerk_a, history, wife)[-1]
    assert (row.change_reason, row.snapshot["my_number"], row.claim_date) == (reason, new, None)
    assert "職権記録書" in row.note
    assert [(k, p["reason"]) for _, k, p in step(clerk_a, outbox, case.id)] == [("my_number_request", reason)]
