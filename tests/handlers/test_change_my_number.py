"""Assessment rules of 個人番号の異動 (j900, j1130): no kind takes a number typed at the counter, each takes its
own date and items, and the number CS answers is checked before it is written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import handlers.changes.catalog  # noqa: F401
from handlers.changes.base import change_type
from handlers.changes.my_number_change import new_number_problems
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.residents.lookup import find_resident
from handlers.uow import unit_of_work
from tests.factories import make_household, valid_my_number

TOMORROW = (japan_today() + dt.timedelta(days=1)).isoformat()
RECORD = {"ex_officio_record": "職権で行う"}


@pytest.mark.req("j900", "j1130")
@pytest.mark.parametrize(
    ("intake", "codes"),
    [
        ({"kind": "change_request", "my_number": ""}, []),
        ({"kind": "change_request"}, ["generated_by_cs"]),  # the new number is CS's, never typed (j1130)
        ({"kind": "ex_officio_change", **RECORD, "my_number": ""}, []),
        ({"kind": "ex_officio_change", **RECORD}, ["generated_by_cs"]),
        ({"kind": "ex_officio_change", "my_number": ""}, ["required"]),  # the 職権記録書 says why
        (
            {"kind": "ex_officio_change", **RECORD, "my_number": "", "decision_date": TOMORROW},
            ["future_date"],
        ),
        (
            {"kind": "ex_officio_change", **RECORD, "my_number": "", "decision_date": "2026-02-30"},
            ["date_invalid"],
        ),
        ({"kind": "ex_officio_correction", **RECORD, "my_number": ""}, []),
        ({"kind": "ex_officio_correction", **RECORD}, ["held_by_cs"]),  # J-LIS holds the true number
        ({"kind": "ex_officio_correction", "my_number": ""}, ["required"]),
        ({"kind": "ex_officio_record", **RECORD, "my_number": ""}, ["my_number_already_recorded"]),
        ({"kind": "renumber"}, ["required"]),
        ({"kind": "change_request", "my_number": "", "claim_date": TOMORROW}, ["future_date"]),
        ({"kind": "change_request", "my_number": "", "change_date": TOMORROW}, ["future_date"]),
    ],
)
def test_my_number_change_assessment(
    db: Any, clerk_a: Actor, intake: dict[str, Any], codes: list[str]
) -> None:
    members = make_household(db, clerk_a).members
    full = {"atena_number": members[0].atena_number, "my_number": valid_my_number(), **intake}
    with unit_of_work(db, clerk_a) as uow:
        problems = change_type("my_number_change").assess(uow, full).problems
    assert sorted(p.code for p in problems) == sorted(codes)


@pytest.mark.req("j900")
def test_an_ex_officio_change_keeps_its_decision_date_and_record_and_no_claim_date(
    db: Any, clerk_a: Actor
) -> None:
    head = make_household(db, clerk_a).members[0].atena_number
    decided = (japan_today() - dt.timedelta(days=3)).isoformat()
    intake = {"atena_number": head, "kind": "ex_officio_change", "decision_date": decided,
              "ex_officio_record": "個人番号の漏えいを確認した", "claim_date": "2020-01-01"}  # fmt: skip
    with unit_of_work(db, clerk_a) as uow:
        assessment = change_type("my_number_change").assess(uow, intake)
    assert assessment.problems == []
    proposal = assessment.proposal
    assert (proposal["decision_date"], proposal["ex_officio_record"], "claim_date" in proposal) == (
        decided, "個人番号の漏えいを確認した", False)  # fmt: skip
    assert "my_number" not in proposal


@pytest.mark.req("j1130")
@pytest.mark.parametrize(
    ("number", "codes"),
    [("fresh", []), ("123456789012", ["check_digit"]), ("１２３", ["check_digit"]), ("own", ["unchanged"]),
     ("wife", ["my_number_in_use"])],
)  # fmt: skip
def test_a_number_cs_answers_is_checked_before_it_is_written(
    db: Any, clerk_a: Actor, number: str, codes: list[str]
) -> None:
    members = make_household(db, clerk_a).members
    given = {"own": members[0].my_number, "wife": members[1].my_number, "fresh": valid_my_number()}
    with unit_of_work(db, clerk_a) as uow:
        resident = find_resident(uow.session, members[0].atena_number)
        problems = new_number_problems(uow.session, resident, str(given.get(number, number)))
    assert [p.code for p in problems] == codes
