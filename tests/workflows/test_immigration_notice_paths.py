"""Every path through workflows/immigration_notice.bpmn (出入国在留管理庁長官通知に基づく修正及び消除, j960)."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.context import Actor
from handlers.db import Database
from handlers.immigration_notices import import_immigration_notices
from handlers.uow import UnitOfWork
from models.immigration_notice import ImmigrationNotice
from tests.factories import foreign_member, make_household
from tests.workflows.conftest import Step
from tests.workflows.ex_officio_steps import (
    access_functions,
    approve,
    enter,
    history,
    issue_documents,
    outbox,
    reject,
    resident,
    resubmit,
)
from tests.workflows.foreign_steps import days_ago, fresh_card_number

CODE = "immigration_notice"
pytestmark = pytest.mark.req("j960", "j530")


def arrange(
    db: Database, step: Step, clerk: Actor, kind: str, payload: dict[str, Any]
) -> tuple[str, str, int]:
    card = fresh_card_number()
    member = foreign_member(residence_card_number=card, stay_expiry_date="2026-03-31")
    atena = make_household(db, clerk, [member]).members[0].atena_number
    row = {"kind": kind, "event_date": days_ago(2), "residence_card_number": card, "payload": payload}
    [notice] = step(clerk, import_immigration_notices, [row])
    return atena, card, notice.id


def notice_row(uow: UnitOfWork, notice_id: int) -> ImmigrationNotice:
    found = uow.session.get(ImmigrationNotice, notice_id)
    assert found is not None
    return found


def test_period_extension_is_applied_after_review_and_the_notice_marked_applied(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    atena, _, notice_id = arrange(
        db, step, clerk_a, "period_extension", {"period_of_stay": "5年", "stay_expiry_date": "2031-03-31"}
    )
    case = enter(step, clerk_a, CODE, {"notice_id": notice_id})
    assert step(clerk_a, resident, atena).stay_expiry_date.isoformat() == "2026-03-31"  # provisional only
    approve(step, supervisor_a, case, CODE)
    issue_documents(step, clerk_a, case)

    person = step(clerk_a, resident, atena)
    assert (person.period_of_stay, person.stay_expiry_date.isoformat()) == ("5年", "2031-03-31")
    rows = step(clerk_a, history, atena)
    assert [(r.change_reason, r.case_id) for r in rows][1:] == [("ex_officio_correction", case.id)]
    notice = step(clerk_a, notice_row, notice_id)
    assert (notice.status, notice.applied_case_id) == ("applied", case.id) and notice.applied_at is not None
    assert (
        step(clerk_a, outbox, case.id) == []
    )  # the agency's own data: no 市町村通知 back, no CS item changed
    assert step(clerk_a, access_functions, atena)[-4:] == [
        "resident_amended", "immigration_notice_applied", "change_registered", "change_approved",
    ]  # fmt: skip


def test_rejection_leaves_the_notice_pending_until_the_review_approves_it(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    atena, _, notice_id = arrange(
        db, step, clerk_a, "status_change", {"residence_status": "永住者", "period_of_stay": "無期限"}
    )
    case = enter(step, clerk_a, CODE, {"notice_id": notice_id})
    reject(step, supervisor_a, case, CODE, "満了日の扱いを確認")
    assert step(clerk_a, notice_row, notice_id).status == "pending"
    assert step(clerk_a, resident, atena).residence_status == "技術・人文知識・国際業務"
    resubmit(step, clerk_a, case, CODE, {"notice_id": notice_id, "note": "永住許可"})
    approve(step, supervisor_a, case, CODE)
    issue_documents(step, clerk_a, case)
    assert step(clerk_a, resident, atena).residence_status == "永住者"
    assert step(clerk_a, notice_row, notice_id).status == "applied"
    assert step(clerk_a, history, atena)[-1].note == "永住許可"


def test_revoked_status_removes_the_record_and_tells_cs(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    atena, _, notice_id = arrange(db, step, clerk_a, "status_revoked", {})
    case = enter(step, clerk_a, CODE, {"notice_id": notice_id})
    approve(step, supervisor_a, case, CODE)
    issue_documents(step, clerk_a, case)
    person = step(clerk_a, resident, atena)
    assert (person.status, person.removal_reason, person.removal_date.isoformat()) == (
        "removed", "ex_officio_removal", days_ago(2),
    )  # fmt: skip
    assert [r.change_reason for r in step(clerk_a, history, atena)][-1] == "ex_officio_removal"
    assert [(d, k, p["status"]) for d, k, p in step(clerk_a, outbox, case.id)] == [
        ("cs", "identity_change", "removed")
    ]


def test_a_notice_equal_to_the_record_needs_the_no_change_alert_acknowledged(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    atena, _, notice_id = arrange(db, step, clerk_a, "card_reissue", {"period_of_stay": "3年"})
    case = enter(step, clerk_a, CODE, {"notice_id": notice_id})
    with pytest.raises(Exception, match="確認されていません"):
        approve(step, supervisor_a, case, CODE)
    approve(step, supervisor_a, case, CODE, ("no_change",))
    issue_documents(step, clerk_a, case)
    assert step(clerk_a, notice_row, notice_id).status == "applied"
    assert [r.change_reason for r in step(clerk_a, history, atena)][-1] == "ex_officio_correction"


def test_a_second_case_on_the_same_notice_is_refused_while_the_first_is_open(
    db: Database, step: Step, clerk_a: Actor
) -> None:
    _, _, notice_id = arrange(db, step, clerk_a, "period_extension", {"period_of_stay": "5年"})
    first = enter(step, clerk_a, CODE, {"notice_id": notice_id})
    with pytest.raises(Exception, match=first.case_number):
        enter(step, clerk_a, CODE, {"notice_id": notice_id})
