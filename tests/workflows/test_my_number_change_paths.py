"""Every path through workflows/my_number_change.bpmn (個人番号の異動 j900, j1130)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from handlers.cases import doors
from handlers.cases.queues import QueueFilter, task_queues
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.errors import ConflictError, PermissionDeniedError, ValidationError
from handlers.juki_net.cs_files import CsFile
from handlers.juki_net.my_number_requests import apply_my_number_results
from handlers.uow import UnitOfWork
from models.audit import AccessLog
from models.case import Case
from models.juki_net import CsPersonRequest
from tests.factories import make_household, valid_my_number
from tests.workflows.conftest import Step
from tests.workflows.ex_officio_steps import (
    approve,
    enter,
    history,
    issue_documents,
    open_task,
    outbox,
    reject,
    resident,
    resubmit,
)
from workflows.engine import runner

CODE = "my_number_change"
pytestmark = pytest.mark.req("j900")


def _shown(uow: UnitOfWork, atena_number: str) -> list[tuple[str, bool]]:
    rows = uow.session.scalars(select(AccessLog).order_by(AccessLog.id))
    return [(r.function, r.my_number_shown) for r in rows if atena_number in (r.targets or [])]


@pytest.mark.req("j1130")
def test_a_change_request_takes_no_number_and_waits_for_the_number_cs_generates(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    household = make_household(db, clerk_a)
    head = household.members[0].atena_number
    old = household.members[0].my_number
    claimed = (japan_today() - dt.timedelta(days=2)).isoformat()
    intake = {"atena_number": head, "kind": "change_request", "claim_date": claimed}
    with pytest.raises(ValidationError) as typed:
        step(clerk_a, doors.open_case, CODE, {**intake, "my_number": valid_my_number()})
    assert [p.code for p in typed.value.problems] == ["generated_by_cs"]
    case = enter(step, clerk_a, CODE, intake)
    reject(step, supervisor_a, case, CODE, "請求日の確認")
    resubmit(step, clerk_a, case, CODE, intake)
    approve(step, supervisor_a, case, CODE)
    waiting = step(clerk_a, lambda uow: uow.session.get(Case, case.id))
    assert waiting.status == "waiting"
    task = open_task(step, clerk_a, case.id, "await_generated_number")
    offered = step(clerk_a, task_queues, QueueFilter())["queues"]["unclaimed"]
    assert "await_generated_number" not in [r["bpmn_id"] for r in offered], "no clerk is offered CS's task"
    with pytest.raises(PermissionDeniedError, match="外部システムの応答"):
        step(clerk_a, runner.claim_task, task.id)
    with pytest.raises(PermissionDeniedError):
        step(supervisor_a, doors.complete_case_task, task.id, {})
    assert step(clerk_a, resident, head).my_number == old  # nothing written before CS answers
    assert [r.change_reason for r in step(clerk_a, history, head)] == ["domestic_move_in"]
    sent = step(clerk_a, outbox, case.id)
    assert [(d, k, p.get("my_number"), p["previous_my_number"], p["generate"], p["basis"], p["claim_date"])
            for d, k, p in sent] == [("cs", "my_number_request", None, old, True, "claim", claimed)]  # fmt: skip
    with pytest.raises(ConflictError, match="応答していない"):
        step(supervisor_a, doors.cancel, case.id, "取下げ")
    assert ("my_number_change_requested", False) in step(clerk_a, _shown, head)


def answer_from_cs(uow: UnitOfWork, case_id: int, answer: dict[str, Any]) -> None:
    """CS's answer to the case's last 変更要求, taken in as the received-files batch does (as the system)."""
    key = uow.session.scalars(select(CsPersonRequest.outbox_key).where(CsPersonRequest.case_id == case_id)
                              .order_by(CsPersonRequest.id.desc())).first()  # fmt: skip
    digest = f"test-{case_id}-{key}"
    cs_file = CsFile(f"{digest}.dat", digest, {"kind": "my_number_result"},
                     {"results": [{"request_key": key, "result": "done", **answer}]})  # fmt: skip
    apply_my_number_results(uow, cs_file)


@pytest.mark.req("j1130")
@pytest.mark.parametrize(
    ("kind", "reason", "generate", "decided"),
    [
        ("ex_officio_change", "my_number_ex_officio_correction", True, "2"),
        ("ex_officio_correction", "my_number_ex_officio_correction", False, None),
        ("ex_officio_record", "my_number_ex_officio_record", False, None),
    ],
)
def test_an_ex_officio_change_or_correction_waits_for_the_number_cs_answers_then_notifies_the_person(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor, kind: str, reason: str, generate: bool,
    decided: str | None,
) -> None:  # fmt: skip
    household = make_household(db, clerk_a)
    wife = household.members[1].atena_number
    if kind == "ex_officio_record":
        step(clerk_a, lambda uow: setattr(resident(uow, wife), "my_number", None))
    old = step(clerk_a, resident, wife).my_number
    decision = (japan_today() - dt.timedelta(days=int(decided))).isoformat() if decided else None
    intake = {"atena_number": wife, "kind": kind, "ex_officio_record": "個人番号の漏えい・記載誤りを職権で処理した",
              "notify_person": True, **({"decision_date": decision} if decision else {})}  # fmt: skip
    with pytest.raises(ValidationError) as typed:
        step(clerk_a, doors.open_case, CODE, {**intake, "my_number": valid_my_number()})
    assert [p.code for p in typed.value.problems] == ["generated_by_cs" if generate else "held_by_cs"]
    case = enter(step, clerk_a, CODE, intake)
    approve(step, supervisor_a, case, CODE)
    assert step(clerk_a, lambda uow: uow.session.get(Case, case.id)).status == "waiting"
    open_task(step, clerk_a, case.id, "await_generated_number")
    assert step(clerk_a, resident, wife).my_number == old  # nothing written before CS answers
    [(destination, message, sent)] = step(clerk_a, outbox, case.id)
    assert (destination, message, sent["reason"], sent["basis"], sent["generate"], sent["change_kind"]) == (
        "cs", "my_number_request", reason, "ex_officio", generate, kind)  # fmt: skip
    assert "my_number" not in sent and "claim_date" not in sent and sent.get("decision_date") == decision

    new = valid_my_number()
    step(Actor.system(clerk_a.tenant_id, "cs"), answer_from_cs, case.id, {"my_number": new})
    row = step(clerk_a, history, wife)[-1]
    assert (row.change_reason, row.snapshot["my_number"], row.claim_date) == (reason, new, None)
    note = row.note or ""
    assert row.case_id == case.id and "職権記録書" in note
    assert (f"職権決定日 {decision}" if decision else "住民基本台帳法施行令第12条第3項") in note
    data = issue_documents(step, clerk_a, case)
    assert data["registration"]["documents"] == ["ex_officio_notice"]
    assert [f for f, shown in step(clerk_a, _shown, wife) if shown] == ["my_number_changed"]
