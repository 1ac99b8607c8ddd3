"""Every path through workflows/former_surname.bpmn and workflows/alias.bpmn (旧氏・通称 j70): intake →
仮登録 (invisible until approval) → 審査 (差戻し back to the intake) → 本登録 → notices → 交付."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from handlers.clock import japan_today
from handlers.context import Actor
from tests.factories import make_household
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

pytestmark = pytest.mark.req("j70")
CLAIMED = (japan_today() - dt.timedelta(days=2)).isoformat()


def _run(step: Step, clerk: Actor, supervisor: Actor, code: str, intake: dict[str, Any]) -> int:
    case = enter(step, clerk, code, intake)
    approve(step, supervisor, case, code)
    assert issue_documents(step, clerk, case)["registration"]["documents"] == []
    return case.id


def test_former_surname_is_recorded_changed_and_deleted_on_request_keeping_the_claim_date(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    wife = make_household(db, clerk_a).members[1].atena_number
    record = {"atena_number": wife, "kind": "record", "former_surname": "佐藤", "former_surname_kana": "さとう",
              "claim_date": CLAIMED}  # fmt: skip
    case = enter(step, clerk_a, "former_surname", {**record, "former_surname": "佐籐"})
    assert step(clerk_a, resident, wife).former_surname is None  # provisional only (j530)
    reject(step, supervisor_a, case, "former_surname", "旧氏の確認")
    resubmit(step, clerk_a, case, "former_surname", record)
    approve(step, supervisor_a, case, "former_surname")
    issue_documents(step, clerk_a, case)
    person = step(clerk_a, resident, wife)
    assert (person.former_surname, person.former_surname_kana) == ("佐藤", "サトウ")
    change = {
        "atena_number": wife,
        "kind": "change",
        "former_surname": "鈴木",
        "former_surname_kana": "スズキ",
    }
    changed_case = _run(step, clerk_a, supervisor_a, "former_surname", change)
    _run(step, clerk_a, supervisor_a, "former_surname", {"atena_number": wife, "kind": "delete"})
    rows = step(clerk_a, history, wife)[-3:]
    assert [(r.change_reason, r.snapshot["former_surname"], r.claim_date) for r in rows] == [
        ("former_surname_record", "佐藤", dt.date.fromisoformat(CLAIMED)),
        ("former_surname_change", "鈴木", japan_today()),
        ("former_surname_delete", None, japan_today()),
    ]
    assert rows[0].case_id == case.id and "請求日" in (rows[0].note or "")
    assert step(clerk_a, resident, wife).former_surname is None
    sent = step(clerk_a, outbox, changed_case)
    assert [(d, k, p["reason"], p["atena_number"]) for d, k, p in sent] == [
        ("cs", "identity_change", "former_surname_change", wife)
    ]


def test_alias_is_recorded_and_deleted_on_application_with_where_and_when(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    person = make_household(db, clerk_a, foreign=True).members[0].atena_number
    record = {"atena_number": person, "kind": "record", "alias": "須見 譲", "alias_kana": "スミ ジョウ",
              "requested_date": CLAIMED}  # fmt: skip
    case = enter(step, clerk_a, "alias", record)
    assert step(clerk_a, resident, person).alias is None  # provisional only (j530)
    reject(step, supervisor_a, case, "alias", "通称の確認")
    resubmit(step, clerk_a, case, "alias", record)
    approve(step, supervisor_a, case, "alias")
    issue_documents(step, clerk_a, case)
    recorded = step(clerk_a, resident, person)
    assert (recorded.alias, recorded.alias_recorded_date, recorded.alias_recorded_municipality) == (
        "須見 譲", japan_today(), "141003",
    )  # fmt: skip
    step(clerk_a, lambda uow: setattr(resident(uow, person), "name_priority", "alias"))
    deleted_case = _run(step, clerk_a, supervisor_a, "alias", {"atena_number": person, "kind": "delete"})
    deleted = step(clerk_a, resident, person)
    assert (deleted.alias, deleted.alias_deleted_date, deleted.alias_deleted_municipality) == (
        None, japan_today(), "141003",
    )  # fmt: skip
    assert (deleted.alias_recorded_date, deleted.name_priority) == (japan_today(), "name")
    rows = step(clerk_a, history, person)[-2:]
    assert [(r.change_reason, r.snapshot["alias"], r.requested_date) for r in rows] == [
        ("alias_record", "須見 譲", dt.date.fromisoformat(CLAIMED)),
        ("alias_delete", None, japan_today()),
    ]
    assert [(d, k, p["reason"]) for d, k, p in step(clerk_a, outbox, deleted_case)] == [
        ("cs", "identity_change", "alias_delete")
    ]
