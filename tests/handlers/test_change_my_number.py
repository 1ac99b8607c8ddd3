"""Assessment rules of 個人番号の異動 (j900)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import handlers.changes.catalog  # noqa: F401
from handlers.changes.base import change_type
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.uow import unit_of_work
from tests.factories import make_household, valid_my_number

TOMORROW = (japan_today() + dt.timedelta(days=1)).isoformat()
RECORD = {"ex_officio_record": "職権で行う"}


@pytest.mark.req("j900")
@pytest.mark.parametrize(
    ("intake", "codes"),
    [
        ({"kind": "change_request", "my_number": ""}, []),
        ({"kind": "change_request"}, ["generated_by_cs"]),  # the new number is CS's, never typed (j1130)
        ({"kind": "ex_officio_correction", **RECORD}, []),
        ({"kind": "ex_officio_correction"}, ["required"]),
        ({"kind": "ex_officio_correction", **RECORD, "my_number": ""}, ["required"]),
        ({"kind": "ex_officio_record", **RECORD}, ["my_number_already_recorded"]),
        ({"kind": "renumber"}, ["required", "required"]),
        ({"kind": "change_request", "my_number": "", "claim_date": TOMORROW}, ["future_date"]),
        ({"kind": "change_request", "my_number": "", "change_date": TOMORROW}, ["future_date"]),
        ({"kind": "ex_officio_correction", **RECORD, "my_number": "123456789012"}, ["check_digit"]),
        ({"kind": "ex_officio_correction", **RECORD, "my_number": "１２３"}, ["check_digit"]),
        ({"kind": "ex_officio_correction", **RECORD, "my_number": "own"}, ["unchanged"]),
        ({"kind": "ex_officio_correction", **RECORD, "my_number": "wife"}, ["my_number_in_use"]),
    ],
)
def test_my_number_change_assessment(
    db: Any, clerk_a: Actor, intake: dict[str, Any], codes: list[str]
) -> None:
    members = make_household(db, clerk_a).members
    number = {"own": members[0].my_number, "wife": members[1].my_number}
    full = {"atena_number": members[0].atena_number, "my_number": valid_my_number(), **intake}
    full["my_number"] = number.get(full["my_number"], full["my_number"])
    with unit_of_work(db, clerk_a) as uow:
        problems = change_type("my_number_change").assess(uow, full).problems
    assert sorted(p.code for p in problems) == sorted(codes)
