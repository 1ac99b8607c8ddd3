"""The review screen's difference shows entered dates as the record does (j90): 和暦 whatever form the clerk
typed, except a foreign resident's 生年月日 and 在留期間の満了の日 (西暦); the raw values stay for the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from handlers import cases
from handlers.clock import japan_today
from handlers.context import Actor
from tests import factories
from tests.conftest import Step
from tests.workflows.ex_officio_steps import enter

pytestmark = pytest.mark.req("j90", "j540")


def day(offset: int) -> str:
    return (japan_today() + dt.timedelta(days=offset)).isoformat()


def family_with_a_foreign_member() -> dict[str, Any]:
    head = factories.japanese_member(
        family_name="転入", family_name_kana="テンニュウ", birth_date="1982-06-15"
    )
    lodger = factories.foreign_member(relation_to_head="同居人", birth_date="1988-09-12")
    for member in (head, lodger):
        for key in ("became_resident_date", "address_set_date", "previous_address"):
            member.pop(key, None)
    return {
        "kind": "domestic", "change_date": day(-5), "notified_date": day(-1),
        "household": factories.default_address(),
        "former_address": {"address": "長野県佐久市中込1番地", "municipality_code": "202177"},
        "move_out_certificate": {"planned_move_out_date": day(-5)}, "members": [head, lodger],
    }  # fmt: skip


def shown(diff: list[dict[str, Any]], subject: str, field: str) -> tuple[Any, str]:
    row = next(r for r in diff if r["subject"] == subject and r["field"] == field)
    return row["after"], row["after_shown"]


def test_entered_dates_are_shown_in_wareki_but_a_foreign_residents_birth_and_stay_expiry_in_seireki(
    step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    case = enter(step, clerk_a, "move_in", family_with_a_foreign_member())
    diff = step(supervisor_a, cases.case_view, case.id)["pending_change"]["diff"]
    assert shown(diff, "new:1", "birth_date") == ("1982-06-15", "昭和57年6月15日")
    assert shown(diff, "new:2", "birth_date") == ("1988-09-12", "1988年9月12日")
    assert shown(diff, "new:2", "stay_expiry_date") == ("2026-03-31", "2026年3月31日")
    assert shown(diff, "new:2", "foreign_resident_date") == ("2023-04-01", "令和5年4月1日")
    assert shown(diff, "new:1", "sex") == ("1", "男")
    assert shown(diff, "new:2", "foreign_category") == ("mid_long_term", "中長期在留者")  # as the record page
    assert not any(str(r["after_shown"]).count("-") == 2 and r["after_shown"][:4].isdigit() for r in diff), (
        "an ISO date reached the screen"
    )
