"""Every path through workflows/address_setting.bpmn (住所設定, j800)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from handlers.context import Actor
from models.tenant import Municipality
from tests.factories import japanese_member
from tests.workflows.conftest import Step
from tests.workflows.ex_officio_steps import (
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

pytestmark = pytest.mark.req("j800", "j750", "j870")


def intake(kind: str, **member: Any) -> dict[str, Any]:
    person = japanese_member(
        resident_code=None, address_set_date="2024-04-01", became_resident_date="2024-04-01"
    )
    person.update(member)
    return {
        "household": {"address": "神奈川県横浜市中区港町3丁目3番地"},
        "member": person,
        "previous_address_kind": kind,
        "ex_officio_record": "実態調査により居住を確認し、職権で住所を設定した",
    }


@pytest.mark.parametrize(("kind", "expected"), [("unknown", "不明"), ("none", None)])
def test_address_setting_records_the_person_with_the_previous_address_rule(
    step: Step,
    clerk_a: Actor,
    supervisor_a: Actor,
    setup_session: Session,
    city_a: Municipality,
    kind: str,
    expected: str | None,
) -> None:
    city_a.settings = {"resident_code_pool_alert": 0}
    setup_session.flush()
    fill_pool(step, supervisor_a, 1)
    case = enter(step, clerk_a, "address_setting", intake(kind, previous_address="東京都港区1-1"))
    approve(step, supervisor_a, case, "address_setting")
    data = issue_documents(step, clerk_a, case)
    assert data["registration"]["documents"] == ["resident_code_notice"]
    atena = step(clerk_a, lambda uow: pending(uow, case.id).result["atena_numbers"][0])
    person = step(clerk_a, resident, atena)
    assert person.previous_address == expected and person.status == "resident"
    assert [(r.change_reason, r.case_id) for r in step(clerk_a, history, atena)] == [
        ("ex_officio_record", case.id)
    ]
    assert [(d, k) for d, k, _ in step(clerk_a, outbox, case.id)] == [("cs", "identity_change")]


def test_rejected_address_setting_then_pool_alert_acknowledged(
    step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    fill_pool(step, supervisor_a, 1)
    case = enter(step, clerk_a, "address_setting", intake("unknown"))
    reject(step, supervisor_a, case, "address_setting", "方書の確認")
    resubmit(step, clerk_a, case, "address_setting", intake("known", previous_address="東京都港区芝1-1"))
    approve(step, supervisor_a, case, "address_setting", ("resident_code_pool_low",))
    atena = step(clerk_a, lambda uow: pending(uow, case.id).result["atena_numbers"][0])
    assert step(clerk_a, resident, atena).previous_address == "東京都港区芝1-1"
