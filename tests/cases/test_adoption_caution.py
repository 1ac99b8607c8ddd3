"""特別養子縁組 (j140): a 留意事項 with that wording on the 転出 of the adoptee must be linked to 転出先住所（予定）
and 転出先住所（確定）; otherwise the intake is refused with nothing kept."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers import cases
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ValidationError
from models.case import Case, CaseTask
from models.resident import ResidentHistory
from tests import factories
from tests.cases.conftest import Step
from tests.cases.test_case_framework import rows

pytestmark = pytest.mark.req("j140")


def test_an_adoption_move_out_caution_must_name_both_destination_items_at_intake(
    step: Step, clerk_a: Actor, supervisor_a: Actor, db: Database
) -> None:
    household = factories.make_household(db, clerk_a)
    child = household.members[-1].atena_number
    values = {"atena_numbers": [child], "change_date": (japan_today() + dt.timedelta(days=5)).isoformat(),
              "notified_date": japan_today().isoformat(), "destination": {"municipality_code": "202177"},
              "caution": "特別養子縁組", "caution_items": ["destination_planned_address"]}  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        step(clerk_a, cases.open_case, "move_out", values)
    assert [p.code for p in refused.value.problems] == ["adoption_items"]
    assert rows(step, clerk_a, Case) == []
    values["caution_items"] = ["destination_planned_address", "destination_confirmed_address"]
    case = step(clerk_a, cases.open_case, "move_out", values)
    [review] = [
        t
        for t in rows(step, supervisor_a, CaseTask, CaseTask.case_id == case.id)
        if t.state == "ready" and t.bpmn_id.startswith("review")
    ]
    step(supervisor_a, cases.approve, review.id, [])
    [row] = rows(step, clerk_a, ResidentHistory, ResidentHistory.case_id == case.id)
    assert (row.change_reason, row.caution) == ("domestic_move_out", "特別養子縁組")
    assert row.caution_items == "destination_planned_address,destination_confirmed_address"
