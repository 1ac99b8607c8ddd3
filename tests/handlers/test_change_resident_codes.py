"""Assessment rules of 住民票コードの付番・変更請求・修正 (j870, j880) and the reprint of their notices (j890)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import handlers.changes.catalog  # noqa: F401
from handlers.changes.base import change_type
from handlers.changes.resident_codes import reprint_resident_code_notice
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.errors import ValidationError
from handlers.residents.resident_code_pool import load_pool
from handlers.uow import unit_of_work
from models.resident import Resident
from tests.factories import make_household, valid_resident_code

TOMORROW = (japan_today() + dt.timedelta(days=1)).isoformat()
RECORD = {"ex_officio_record": "職権で行う"}


def _assess(db: Any, actor: Actor, code: str, intake: dict[str, Any]) -> list[str]:
    with unit_of_work(db, actor) as uow:
        return sorted(p.code for p in change_type(code).assess(uow, intake).problems)


@pytest.fixture
def family(db: Any, clerk_a: Actor, supervisor_a: Actor) -> list[Resident]:
    household = make_household(db, clerk_a)
    with unit_of_work(db, supervisor_a) as uow:
        load_pool(uow, [valid_resident_code()])
    return list(household.members)


@pytest.mark.req("j870")
def test_issue_needs_a_person_without_a_code_and_a_record(
    db: Any, clerk_a: Actor, family: list[Resident]
) -> None:
    head = family[0].atena_number
    assert _assess(db, clerk_a, "resident_code_issue", {"atena_number": head, **RECORD}) == [
        "resident_code_already_issued"
    ]
    assert _assess(db, clerk_a, "resident_code_issue", {"atena_number": "9999999999"}) == [
        "not_found",
        "required",
    ]


@pytest.mark.req("j870")
def test_issue_and_change_refuse_an_empty_pool(db: Any, clerk_a: Actor) -> None:
    head = make_household(db, clerk_a).members[0].atena_number
    assert _assess(db, clerk_a, "resident_code_change", {"atena_number": head}) == [
        "resident_code_pool_empty"
    ]


@pytest.mark.req("j880")
@pytest.mark.parametrize(
    ("intake", "codes"),
    [
        ({}, []),
        ({"claim_date": TOMORROW}, ["future_date"]),
        ({"change_date": TOMORROW}, ["future_date"]),
        ({"claim_date": "令和6年2月30日"}, ["date_invalid"]),
    ],
)
def test_change_request_assessment(
    db: Any, clerk_a: Actor, family: list[Resident], intake: dict[str, Any], codes: list[str]
) -> None:
    assert (
        _assess(db, clerk_a, "resident_code_change", {"atena_number": family[0].atena_number, **intake})
        == codes
    )


@pytest.mark.req("j880")
@pytest.mark.parametrize(
    ("right", "codes"),
    [
        ("fresh", []),
        ("12345678901", ["check_digit"]),
        ("", ["check_digit"]),
        ("own", ["unchanged"]),
        ("wife", ["resident_code_in_use"]),
    ],
)
def test_correction_needs_a_valid_code_held_by_nobody_else(
    db: Any, clerk_a: Actor, family: list[Resident], right: str, codes: list[str]
) -> None:
    value = {"fresh": valid_resident_code(), "own": family[0].resident_code, "wife": family[1].resident_code}
    intake = {"atena_number": family[0].atena_number, "resident_code": value.get(right, right), **RECORD}
    assert _assess(db, clerk_a, "resident_code_correction", intake) == codes


@pytest.mark.req("j890")
def test_reprint_is_refused_for_an_unknown_document(
    db: Any, supervisor_a: Actor, family: list[Resident]
) -> None:
    with pytest.raises(ValidationError) as refused, unit_of_work(db, supervisor_a) as uow:
        reprint_resident_code_notice(uow, family[0].atena_number, "resident_code_confirmation")
    assert (
        refused.value.problems[0].code == "unknown_document"
    )  # 住民票コード確認票 is not implemented (j890)
