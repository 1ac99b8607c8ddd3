"""The case framework on a test-only change type: intake → 仮登録 → 決裁 → 本登録 → outbox, with locks, the
four-eyes rule, acknowledged alerts, rejection, cancellation and rollback."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Connection, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

import models
from handlers import cases
from handlers.cases.locks import lock_conflicts, release_locks
from handlers.cases.outbox import queue_case_notices
from handlers.cases.pending import save_provisional
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ConflictError, PermissionDeniedError, Problem, ValidationError
from handlers.rules.deadlines import legal_deadline
from handlers.uow import UnitOfWork
from models.audit import AccessLog
from models.case import Case, CaseEvent, CaseTask, ProcessDefinition, WorkflowState
from models.change import OutboxMessage, PendingChange, SubjectLock
from models.resident import Resident, ResidentHistory
from tests import factories
from tests.cases.conftest import PROBE, Step
from tests.statements import recorded_statements
from workflows.engine import execution, registry, runner
from workflows.engine.loader import WORKFLOWS_DIR, validate_bpmn
from workflows.engine.timeline import record_events

pytestmark = [pytest.mark.req("j530", "j1380", "j1440"), pytest.mark.usefixtures("probe_flow")]

CHANGE_DATE = (japan_today() - dt.timedelta(days=3)).isoformat()


@pytest.fixture
def atena(db: Database, clerk_a: Actor) -> str:
    household = factories.make_household(db, clerk_a)
    return household.members[0].atena_number


def intake(atena: str, **extra: object) -> dict[str, object]:
    return {"atena_number": atena, "given_name": "太一", "change_date": CHANGE_DATE, **extra}


def rows(step: Step, actor: Actor, model: type, *where: object) -> list:
    return step(actor, lambda uow: list(uow.session.scalars(select(model).where(*where))))


def open_task(step: Step, actor: Actor, case_id: int, prefix: str) -> CaseTask:
    found = [
        t for t in rows(step, actor, CaseTask, CaseTask.case_id == case_id)
        if t.bpmn_id.startswith(prefix) and t.state in ("ready", "claimed")
    ]  # fmt: skip
    assert len(found) == 1, found
    return found[0]


def given_name(step: Step, actor: Actor, atena: str) -> str | None:
    return rows(step, actor, Resident, Resident.atena_number == atena)[0].given_name


def functions(step: Step, actor: Actor) -> list[str]:
    return [r.function for r in rows(step, actor, AccessLog, AccessLog.tenant_id == actor.tenant_id)]


def test_generic_operators_exist_for_every_change_type_before_a_flow_is_validated() -> None:
    assert registry.is_registered(f"{PROBE}.record_provisional")
    assert registry.is_registered(f"{PROBE}.register")
    assert registry.is_registered(f"{PROBE}.queue_notices")
    assert not registry.is_registered("no_such_type.register")
    xml = (WORKFLOWS_DIR / "move_in.bpmn").read_text(encoding="utf-8").replace("move_in", PROBE)
    assert validate_bpmn(xml) == []


def test_intake_with_errors_is_refused_with_nothing_written(step: Step, clerk_a: Actor, atena: str) -> None:
    with pytest.raises(ValidationError) as refused:
        step(clerk_a, cases.open_case, PROBE, intake(atena, given_name=""))
    assert [p.code for p in refused.value.problems] == ["required"]
    assert rows(step, clerk_a, Case) == [] and rows(step, clerk_a, PendingChange) == []


def test_approved_change_is_provisional_until_registered_then_notices_are_queued_in_order(
    step: Step, clerk_a: Actor, supervisor_a: Actor, atena: str
) -> None:
    case = step(clerk_a, cases.open_case, PROBE, intake(atena))
    assert case.due_date == legal_deadline(dt.date.fromisoformat(CHANGE_DATE))
    review = open_task(step, supervisor_a, case.id, "review_")
    assert review.due_date == case.due_date
    pending = rows(step, clerk_a, PendingChange, PendingChange.case_id == case.id)[0]
    assert (pending.status, pending.entered_by_login) == ("provisional", clerk_a.login_id)
    assert [lock.subject for lock in rows(step, clerk_a, SubjectLock)] == [f"resident:{atena}"]
    assert given_name(step, clerk_a, atena) == "太郎"  # provisional: the register is untouched (j530)
    assert rows(step, clerk_a, OutboxMessage) == []

    done = step(supervisor_a, cases.approve, review.id, [])
    assert done.status == "running"  # waiting at 交付物の発行
    assert given_name(step, clerk_a, atena) == "太一"
    history = rows(step, clerk_a, ResidentHistory, ResidentHistory.atena_number == atena)
    assert (history[-1].change_reason, history[-1].case_id) == ("minor_correction", case.id)
    pending = rows(step, clerk_a, PendingChange, PendingChange.case_id == case.id)[0]
    assert pending.status == "registered" and pending.result["documents"] == ["resident_code_notice"]
    assert rows(step, clerk_a, SubjectLock) == []
    outbox = sorted(rows(step, clerk_a, OutboxMessage), key=lambda m: m.id)
    assert [(m.idempotency_key, m.destination, m.seq, m.status) for m in outbox] == [
        (f"{case.case_number}:1", "cs", 1, "pending"),
        (f"{case.case_number}:2", "municipality:202118", 1, "pending"),
        (f"{case.case_number}:3", "cs", 2, "pending"),
        (f"{case.case_number}:card:{atena}", "cs", 3, "pending"),  # 送付先情報 after the change (j1120)
    ]
    assert {"change_entered", "change_registered", "change_approved"} <= set(functions(step, clerk_a))
    open_task(step, clerk_a, case.id, "issue_documents")


def test_opening_a_case_completes_its_intake_task_as_the_clerk_and_saves_the_workflow_once(
    step: Step, connection: Connection, clerk_a: Actor, atena: str
) -> None:
    with recorded_statements(connection) as sent:
        case = step(clerk_a, cases.open_case, PROBE, intake(atena))
    statements = [s.lstrip().upper() for s in sent]

    saves = [s for s in statements if s.startswith(("INSERT INTO WORKFLOW_STATE", "UPDATE WORKFLOW_STATE"))]
    assert len(saves) == 1
    tasks = sorted(rows(step, clerk_a, CaseTask, CaseTask.case_id == case.id), key=lambda t: t.id)
    assert [(t.bpmn_id.split("_")[0], t.state) for t in tasks] == [
        ("intake", "completed"),
        ("review", "ready"),
    ]
    done = tasks[0]
    assert (done.claimed_by, done.completed_by) == (clerk_a.login_id, clerk_a.login_id)
    assert done.claimed_at is not None and done.claimed_at == done.completed_at
    assert done.data == {"intake": intake(atena)}
    events = rows(step, clerk_a, CaseEvent, CaseEvent.case_id == case.id)
    assert [(e.kind, e.detail.get("task_id")) for e in sorted(events, key=lambda e: e.id)] == [
        ("started", None), ("task_claimed", done.id), ("task_completed", done.id)
    ]  # fmt: skip


@pytest.mark.parametrize("count", [1, 3, 8, 9, 20])
def test_a_runs_timeline_events_are_stored_in_the_order_given_however_many(
    step: Step, clerk_a: Actor, atena: str, count: int
) -> None:
    """Up to ``MAX_EVENTS_LISTED`` in one VALUES list, more by ``executemany``: the same rows either way."""
    case = step(clerk_a, cases.open_case, PROBE, intake(atena))
    before = len(rows(step, clerk_a, CaseEvent, CaseEvent.case_id == case.id))
    events = [("task_claimed" if n % 2 else "retried", {"n": n, "note": f"第{n}"}) for n in range(count)]
    step(clerk_a, lambda uow: record_events(uow, uow.session.get(Case, case.id), events))
    stored = sorted(rows(step, clerk_a, CaseEvent, CaseEvent.case_id == case.id), key=lambda e: e.id)[before:]
    assert [(e.kind, e.detail) for e in stored] == events
    assert {(e.actor, e.tenant_id) for e in stored} == {(clerk_a.login_id, clerk_a.tenant_id)}


def test_an_intakes_service_task_runs_without_a_savepoint_of_its_own(
    step: Step, connection: Connection, clerk_a: Actor, atena: str
) -> None:
    """A failed intake refuses the whole call (below), so its provisional record needs no SAVEPOINT."""
    with recorded_statements(connection) as sent:
        step(clerk_a, cases.open_case, PROBE, intake(atena))
    statements = [s.lstrip().upper() for s in sent]
    start = next(n for n, s in enumerate(statements) if s.startswith('INSERT INTO "CASE"'))
    saved = next(n for n, s in enumerate(statements) if s.startswith("INSERT INTO WORKFLOW_STATE"))
    run = statements[start:saved]
    assert any(s.startswith("INSERT INTO PENDING_CHANGE") for s in run)  # the operator ran in between
    assert not [s for s in run if "SAVEPOINT" in s]


def _columns(row: object) -> dict[str, object]:
    return {attr.key: getattr(row, attr.key) for attr in sa_inspect(row).mapper.column_attrs}


def test_the_approvals_locking_read_gives_the_rows_the_orm_statement_gives(
    step: Step, clerk_a: Actor, supervisor_a: Actor, atena: str
) -> None:
    """The task, the case, its definition (its XML read when first used) and its saved workflow, read by the
    prebuilt statement, equal what the ORM's locking statement loads."""
    case = step(clerk_a, cases.open_case, PROBE, intake(atena))
    review = open_task(step, supervisor_a, case.id, "review_")

    def prebuilt(uow: UnitOfWork) -> list[dict[str, object]]:
        found = runner.lock_case_of_task(uow, review.id)
        assert found is not None
        definition = uow.session.get(ProcessDefinition, found[1].definition_id)
        state = uow.session.get(WorkflowState, found[1].id)
        return [_columns(row) for row in (*found, definition, state)]

    def by_the_orm(uow: UnitOfWork) -> list[dict[str, object]]:
        task, locked, definition, state, *_ = uow.session.execute(
            execution._LOCK_CASE_OF_TASK, {"task": review.id}
        ).one()
        return [_columns(row) for row in (task, locked, definition, state)]

    assert step(supervisor_a, prebuilt) == step(supervisor_a, by_the_orm)


def test_the_approvals_locking_read_refreshes_a_case_the_session_already_held(
    step: Step, clerk_a: Actor, supervisor_a: Actor, atena: str
) -> None:
    """As the ORM statement's populate_existing: a copy held from earlier in the transaction is refreshed."""
    case = step(clerk_a, cases.open_case, PROBE, intake(atena))
    review = open_task(step, supervisor_a, case.id, "review_")

    def lock_after_a_change_behind_the_held_copy(uow: UnitOfWork) -> tuple[str | None, str | None]:
        held = uow.session.get(Case, case.id)
        assert held is not None and held.cancel_reason is None
        cases_table = Case.__table__
        uow.session.execute(
            update(cases_table).where(cases_table.c.id == case.id).values(cancel_reason="behind")
        )
        found = runner.lock_case_of_task(uow, review.id)
        assert found is not None and found[1] is held
        result = (held.cancel_reason, found[0].bpmn_id)
        uow.session.rollback()
        return result

    assert step(supervisor_a, lock_after_a_change_behind_the_held_copy) == ("behind", review.bpmn_id)


def test_an_approval_reads_its_task_the_locked_case_its_definition_and_saved_workflow_in_one_statement(
    step: Step, connection: Connection, clerk_a: Actor, supervisor_a: Actor, atena: str
) -> None:
    case = step(clerk_a, cases.open_case, PROBE, intake(atena))
    review = open_task(step, supervisor_a, case.id, "review_")
    with recorded_statements(connection) as sent:
        done = step(supervisor_a, cases.approve, review.id, [])
    statements = [" ".join(s.split()).upper() for s in sent]

    assert done.status == "running" and given_name(step, clerk_a, atena) == "太一"
    reads = [
        s
        for s in statements
        if s.startswith("SELECT") and ("PROCESS_DEFINITION" in s or "WORKFLOW_STATE" in s)
    ]
    assert len(reads) == 1
    assert 'FROM CASE_TASK JOIN "CASE"' in reads[0] and " JOIN PROCESS_DEFINITION" in reads[0]
    assert " JOIN WORKFLOW_STATE" in reads[0] and "CASE_TASK.ID = " in reads[0]
    assert not [s for s in statements if "FROM CASE_TASK WHERE CASE_TASK.ID =" in s]  # no read of its own
    if connection.dialect.name == "postgresql":
        assert reads[0].endswith('FOR UPDATE OF "CASE", WORKFLOW_STATE')


def test_an_approval_queues_its_notices_without_reading_the_outbox_and_queueing_again_adds_none(
    step: Step, connection: Connection, clerk_a: Actor, supervisor_a: Actor, atena: str
) -> None:
    """The case registered in this transaction cannot have queued notices before it: the first queueing
    reads nothing; a second one in the same transaction reads what the first wrote and writes nothing."""
    case = step(clerk_a, cases.open_case, PROBE, intake(atena))
    review = open_task(step, supervisor_a, case.id, "review_")

    def approve_and_queue_again(uow: UnitOfWork) -> tuple[list[str], list[str]]:
        with recorded_statements(connection) as sent:
            cases.approve(uow, review.id, [])
        pending = uow.session.scalars(select(PendingChange).where(PendingChange.case_id == case.id)).one()
        assert pending.result is not None
        return sent, queue_case_notices(uow, uow.session.get(Case, case.id), pending.result["notices"])

    sent, keys = step(supervisor_a, approve_and_queue_again)
    assert not [s for s in sent if s.lstrip().upper().startswith("SELECT") and "OUTBOX_MESSAGE" in s.upper()]
    outbox = sorted(rows(step, clerk_a, OutboxMessage), key=lambda m: m.id)
    assert keys == [f"{case.case_number}:{n}" for n in (1, 2, 3)]
    assert [m.idempotency_key for m in outbox] == [
        *keys,
        f"{case.case_number}:card:{atena}",
    ]  # 送付先情報 (j1120)


def test_released_locks_leave_the_session_and_free_their_subjects_at_once(
    step: Step, clerk_a: Actor, atena: str
) -> None:
    case = step(clerk_a, cases.open_case, PROBE, intake(atena))

    def release_and_look(uow: UnitOfWork) -> list[object]:
        held = list(uow.session.scalars(select(SubjectLock).where(SubjectLock.case_id == case.id)))
        assert [lock.subject for lock in held] == [f"resident:{atena}"]
        release_locks(uow, case.id)
        assert all(lock not in uow.session for lock in held)
        return list(lock_conflicts(uow, [f"resident:{atena}"]))

    assert step(clerk_a, release_and_look) == []
    assert rows(step, clerk_a, SubjectLock) == []


def test_queueing_a_cases_notices_again_writes_only_the_new_ones_in_order(
    step: Step, clerk_a: Actor, supervisor_a: Actor, atena: str
) -> None:
    case = step(clerk_a, cases.open_case, PROBE, intake(atena))
    step(supervisor_a, cases.approve, open_task(step, supervisor_a, case.id, "review_").id, [])
    notices = [
        {"destination": "cs", "kind": "identity_change", "payload": {"atena_number": atena}},
        {"destination": "municipality:202118", "kind": "move_in_notice", "payload": {}},
        {"destination": "cs", "kind": "identity_change", "payload": {"atena_number": atena, "n": 2}},
        {"destination": "municipality:202118", "kind": "move_in_notice", "payload": {"again": True}},
    ]

    def queue(uow: UnitOfWork) -> list[str]:
        return queue_case_notices(uow, uow.session.get(Case, case.id), notices)

    keys = step(supervisor_a, queue)
    assert keys == [f"{case.case_number}:{n}" for n in range(1, 5)]
    every = sorted(rows(step, clerk_a, OutboxMessage), key=lambda m: m.id)
    outbox = [m for m in every if m.kind != "card_destination"]  # the approval's 送付先情報: tests/juki_net
    assert [(m.idempotency_key, m.destination, m.seq, m.payload) for m in outbox] == [
        (f"{case.case_number}:1", "cs", 1, {"atena_number": atena}),
        (f"{case.case_number}:2", "municipality:202118", 1, {"atena_number": atena}),
        (f"{case.case_number}:3", "cs", 2, {"atena_number": atena, "n": 2}),
        (f"{case.case_number}:4", "municipality:202118", 2, {"again": True}),
    ]  # the first three are the approval's (its payloads), the fourth is new
    assert {m.tenant_id for m in outbox} == {clerk_a.tenant_id}
    assert step(supervisor_a, queue) == keys and len(rows(step, clerk_a, OutboxMessage)) == 5


def _written_then_refused(uow: UnitOfWork, case: Case, code: str, assessment: Any, **kw: Any) -> None:
    """``save_provisional`` that writes the pending change, then refuses."""
    save_provisional(uow, case, code, assessment, **kw)
    raise ValidationError([Problem("x", "テスト", "対象外です", "なし", "probe_refused")])


def _refused_by_the_database(uow: UnitOfWork, case: Case, code: str, _assessment: Any, **_kw: Any) -> None:
    """``save_provisional`` whose row the database refuses (no 入力者)."""
    uow.session.add(PendingChange(tenant_id=case.tenant_id, case_id=case.id, change_type=code))
    uow.session.flush()


@pytest.mark.parametrize(
    ("save", "refusal"),
    [(_written_then_refused, "対象外です"), (_refused_by_the_database, "入力内容を仮登録できませんでした：")],
    ids=["refusal", "fault"],
)
def test_an_intake_whose_provisional_record_fails_is_refused_with_nothing_written(
    step: Step, clerk_a: Actor, atena: str, monkeypatch: pytest.MonkeyPatch, save: Any, refusal: str
) -> None:
    monkeypatch.setattr("handlers.cases.operators.save_provisional", save)
    with pytest.raises((ConflictError, ValidationError)) as refused:
        step(clerk_a, cases.open_case, PROBE, intake(atena))
    problems = getattr(refused.value, "problems", [])
    assert str(refused.value).startswith(refusal) or [p.reason for p in problems] == [refusal]
    assert rows(step, clerk_a, Case) == [] and rows(step, clerk_a, PendingChange) == []
    assert rows(step, clerk_a, CaseTask) == [] and rows(step, clerk_a, SubjectLock) == []


def test_the_clerk_who_entered_cannot_approve_even_holding_the_approver_role(
    step: Step, setup_session: Session, city_a: models.Municipality, supervisor_a: Actor, atena: str
) -> None:
    both = factories.actor_for(
        factories.make_user(setup_session, city_a, login_id="both@141003", roles=["clerk", "supervisor"])
    )
    case = step(both, cases.open_case, PROBE, intake(atena))
    review = open_task(step, both, case.id, "review_")
    with pytest.raises(PermissionDeniedError, match="四つの目の原則"):
        step(both, cases.approve, review.id, [])
    assert "approval_refused_same_user" in functions(step, both)  # the refusal itself is logged
    assert given_name(step, both, atena) == "太郎"
    assert open_task(step, both, case.id, "review_").state == "ready"
    step(supervisor_a, cases.approve, review.id, [])
    assert given_name(step, both, atena) == "太一"


def test_every_alert_must_be_acknowledged_and_the_acknowledgement_is_recorded(
    step: Step, clerk_a: Actor, supervisor_a: Actor, atena: str
) -> None:
    case = step(clerk_a, cases.open_case, PROBE, intake(atena, alert=True))
    review = open_task(step, supervisor_a, case.id, "review_")
    with pytest.raises(ValidationError) as refused:
        step(supervisor_a, cases.approve, review.id, [])
    assert [p.code for p in refused.value.problems] == ["alert_not_acknowledged"]
    assert "通常と異なる文字です" in refused.value.problems[0].reason
    step(supervisor_a, cases.approve, review.id, ["unusual_name"])
    pending = rows(step, clerk_a, PendingChange, PendingChange.case_id == case.id)[0]
    [ack] = pending.acknowledgements
    assert (ack["code"], ack["field"], ack["by_login"]) == (
        "unusual_name",
        "given_name",
        supervisor_a.login_id,
    )
    assert ack["at"]


def test_rejection_returns_to_intake_with_the_reason_and_the_fixed_intake_is_approved(
    step: Step, clerk_a: Actor, supervisor_a: Actor, atena: str
) -> None:
    case = step(clerk_a, cases.open_case, PROBE, intake(atena, given_name="太ー"))
    review = open_task(step, supervisor_a, case.id, "review_")
    with pytest.raises(ValidationError):
        step(supervisor_a, cases.reject, review.id, "  ")
    step(supervisor_a, cases.reject, review.id, "長音記号の誤り")
    again = open_task(step, clerk_a, case.id, "intake_")
    assert step(clerk_a, runner.task_data, again.id)["rejection_reason"] == "長音記号の誤り"
    assert rows(step, clerk_a, PendingChange)[0].status == "rejected"
    step(clerk_a, cases.resubmit_intake, again.id, intake(atena))
    assert rows(step, clerk_a, PendingChange)[0].status == "provisional"
    step(supervisor_a, cases.approve, open_task(step, supervisor_a, case.id, "review_").id, [])
    assert given_name(step, clerk_a, atena) == "太一"


def test_a_second_case_for_the_same_person_is_refused_until_the_first_is_cancelled(
    step: Step, clerk_a: Actor, supervisor_a: Actor, atena: str
) -> None:
    first = step(clerk_a, cases.open_case, PROBE, intake(atena))
    with pytest.raises(ValidationError) as refused:
        step(clerk_a, cases.open_case, PROBE, intake(atena, given_name="次郎"))
    message = refused.value.problems[0].message
    assert (
        f"この住民（宛名番号{atena}）は処理中の案件 {first.case_number} があるため、異動できません" in message
    )
    assert len(rows(step, clerk_a, Case)) == 1
    step(clerk_a, cases.cancel, first.id, "申請者の取下げ")
    assert rows(step, clerk_a, SubjectLock) == []
    assert rows(step, clerk_a, PendingChange)[0].status == "cancelled"
    second = step(clerk_a, cases.open_case, PROBE, intake(atena, given_name="次郎"))
    assert second.status == "running"


def test_a_registration_that_raises_rolls_back_the_register_and_the_outbox(
    step: Step, clerk_a: Actor, supervisor_a: Actor, atena: str
) -> None:
    case = step(clerk_a, cases.open_case, PROBE, intake(atena, explode=True))
    review = open_task(step, supervisor_a, case.id, "review_")
    with pytest.raises(ValidationError, match="登録中に失敗しました"):
        step(supervisor_a, cases.approve, review.id, [])
    assert given_name(step, clerk_a, atena) == "太郎"
    assert rows(step, clerk_a, OutboxMessage) == []
    assert rows(step, clerk_a, PendingChange)[0].status == "provisional"
    assert open_task(step, supervisor_a, case.id, "review_").state == "ready"
    assert rows(step, clerk_a, Case)[0].status == "running"


def test_case_view_shows_the_difference_alerts_timeline_and_outbox(
    step: Step, clerk_a: Actor, supervisor_a: Actor, atena: str
) -> None:
    case = step(clerk_a, cases.open_case, PROBE, intake(atena, alert=True))
    view = step(supervisor_a, cases.case_view, case.id)
    assert view["case"]["case_number"] == case.case_number
    assert view["pending_change"]["diff"] == [
        {
            "subject": f"resident:{atena}",
            "field": "given_name",
            "label": "名",
            "before": "太郎",
            "after": "太一",
            "before_shown": "太郎",
            "after_shown": "太一",
        }
    ]
    assert view["pending_change"]["alerts"][0]["acknowledgement"] is None
    assert [e["kind"] for e in view["timeline"]][:3] == ["started", "task_claimed", "task_completed"]
    assert view["timeline"][1]["actor"] == clerk_a.login_id
    step(supervisor_a, cases.approve, open_task(step, supervisor_a, case.id, "review_").id, ["unusual_name"])
    view = step(supervisor_a, cases.case_view, case.id)
    assert [m["status"] for m in view["outbox"]] == ["pending"] * 3
    assert view["pending_change"]["alerts"][0]["acknowledgement"]["by_login"] == supervisor_a.login_id
    assert "case_viewed" in functions(step, clerk_a)


def test_another_municipality_cannot_see_or_approve_the_case(
    step: Step, clerk_a: Actor, users_b: dict[str, models.User], atena: str
) -> None:
    case = step(clerk_a, cases.open_case, PROBE, intake(atena))
    other = factories.actor_for(users_b["supervisor"])
    with pytest.raises(Exception) as refused:
        step(other, cases.case_view, case.id)
    assert getattr(refused.value, "status", None) == 404
