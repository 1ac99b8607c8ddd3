"""Every path through workflows/resident_code_issue.bpmn, resident_code_change.bpmn and
resident_code_correction.bpmn (住民票コード j870, j880, j890)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.changes.resident_codes import reprint_resident_code_notice
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.errors import ValidationError
from handlers.residents.resident_code_pool import load_pool, take_resident_code
from handlers.uow import UnitOfWork
from models.resident_code_pool import ResidentCodePoolEntry
from models.tenant import Municipality
from tests.factories import make_household, valid_resident_code
from tests.workflows.conftest import Step
from tests.workflows.ex_officio_steps import (
    access_functions,
    approve,
    enter,
    fill_pool,
    history,
    issue_documents,
    outbox,
    pending,
    reject,
    resident,
    resubmit,
)

RECORD = {"ex_officio_record": "住民票コードが未付番のため職権で付番した"}


@pytest.fixture
def low_threshold(setup_session: Session, city_a: Municipality) -> None:
    city_a.settings = {"resident_code_pool_alert": 1}
    setup_session.flush()


def _drop_code(uow: UnitOfWork, atena_number: str) -> None:
    resident(uow, atena_number).resident_code = None


def _pool(uow: UnitOfWork) -> dict[str, bool]:
    return {e.code: e.taken for e in uow.session.scalars(select(ResidentCodePoolEntry))}


@pytest.mark.req("j870", "j890")
def test_a_resident_without_a_code_gets_one_from_the_pool_and_the_notice(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor, low_threshold: None
) -> None:
    household = make_household(db, clerk_a)
    child = household.members[2].atena_number
    step(clerk_a, _drop_code, child)
    codes = fill_pool(step, supervisor_a, 3)
    case = enter(step, clerk_a, "resident_code_issue", {"atena_number": child, **RECORD})
    assert step(clerk_a, resident, child).resident_code is None  # provisional only (j530)
    approve(step, supervisor_a, case, "resident_code_issue")
    data = issue_documents(step, clerk_a, case)
    assert data["registration"]["documents"] == ["resident_code_notice"]
    given = step(clerk_a, resident, child).resident_code
    assert given in codes and step(clerk_a, _pool)[given] is True
    rows = step(clerk_a, history, child)
    assert [(r.change_reason, r.case_id) for r in rows] == [
        ("domestic_move_in", None),
        ("resident_code_ex_officio_record", case.id),
    ]
    assert rows[-1].snapshot["resident_code"] == given and "職権記録書" in rows[-1].note
    sent = step(clerk_a, outbox, case.id)
    assert [(d, k, p["reason"], p["resident_code"]) for d, k, p in sent] == [
        ("cs", "identity_change", "resident_code_ex_officio_record", given)
    ]
    assert "change_registered" in step(clerk_a, access_functions, child)


@pytest.mark.req("j870")
def test_low_pool_alert_is_acknowledged_before_a_code_is_issued(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    household = make_household(db, clerk_a)
    child = household.members[2].atena_number
    step(clerk_a, _drop_code, child)
    fill_pool(step, supervisor_a, 2)  # default threshold 100
    case = enter(step, clerk_a, "resident_code_issue", {"atena_number": child, **RECORD})
    assert step(clerk_a, lambda uow: [a["code"] for a in pending(uow, case.id).alerts]) == [
        "resident_code_pool_low"
    ]
    with pytest.raises(ValidationError) as refused:
        approve(step, supervisor_a, case, "resident_code_issue")
    assert refused.value.problems[0].code == "alert_not_acknowledged"
    approve(step, supervisor_a, case, "resident_code_issue", ("resident_code_pool_low",))
    issue_documents(step, clerk_a, case)
    assert step(clerk_a, resident, child).resident_code is not None


@pytest.mark.req("j870", "j880", "j890")
def test_code_change_on_request_takes_a_new_code_and_never_reuses_the_old_one(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor, low_threshold: None
) -> None:
    household = make_household(db, clerk_a)
    head = household.members[0].atena_number
    old = household.members[0].resident_code
    codes = fill_pool(step, supervisor_a, 2)
    claimed = (japan_today() - dt.timedelta(days=1)).isoformat()
    intake = {"atena_number": head, "claim_date": "2999-01-01"}
    with pytest.raises(ValidationError) as refused:
        enter(step, clerk_a, "resident_code_change", intake)
    assert [p.code for p in refused.value.problems] == ["future_date"]
    case = enter(step, clerk_a, "resident_code_change", {"atena_number": head})
    reject(step, supervisor_a, case, "resident_code_change", "請求日を確認してください")
    resubmit(step, clerk_a, case, "resident_code_change", {"atena_number": head, "claim_date": claimed})
    approve(step, supervisor_a, case, "resident_code_change")
    data = issue_documents(step, clerk_a, case)
    assert data["registration"]["documents"] == ["resident_code_change_notice"]
    new = step(clerk_a, resident, head).resident_code
    assert new in codes and new != old
    row = step(clerk_a, history, head)[-1]
    assert (row.change_reason, row.claim_date, row.snapshot["resident_code"]) == (
        "resident_code_change_request",
        dt.date.fromisoformat(claimed),
        new,
    )
    assert step(clerk_a, _pool)[old] is True  # retired: never handed out again
    assert step(supervisor_a, load_pool, [old]).already_in_pool == [old]
    remaining = [c for c in codes if c != new]
    assert step(supervisor_a, lambda uow: take_resident_code(uow.session)) == remaining[0]
    sent = step(clerk_a, outbox, case.id)
    assert [(k, p["resident_code"], p["previous_resident_code"]) for _, k, p in sent] == [
        ("identity_change", new, old)
    ]


@pytest.mark.req("j880", "j890")
def test_a_wrong_code_is_corrected_ex_officio_and_the_notice_reprinted(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    household = make_household(db, clerk_a)
    wife = household.members[1].atena_number
    wrong = household.members[1].resident_code
    right = valid_resident_code()
    intake = {"atena_number": wife, "resident_code": right, "notify_person": True, **RECORD}
    case = enter(step, clerk_a, "resident_code_correction", intake)
    approve(step, supervisor_a, case, "resident_code_correction")
    data = issue_documents(step, clerk_a, case)
    assert data["registration"]["documents"] == ["resident_code_correction_notice", "ex_officio_notice"]
    assert step(clerk_a, resident, wife).resident_code == right
    row = step(clerk_a, history, wife)[-1]
    assert (row.change_reason, row.notice_date) == ("ex_officio_correction", None)
    assert "住民票コードの修正" in row.note
    assert step(clerk_a, _pool) == {wrong: True, right: True}
    copy = step(supervisor_a, reprint_resident_code_notice, wife, "resident_code_correction_notice")
    assert (copy.resident_code, copy.title) == (right, "住民票コード修正通知票（再出力）")
    assert step(clerk_a, history, wife)[-1].id == row.id  # a reprint changes nothing
    assert "resident_code_notice_reprinted" in step(clerk_a, access_functions, wife)
