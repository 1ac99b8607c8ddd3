"""Assessment rules of 異動の取消し (j980, j990): which change may be cancelled, and the kind of cancellation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

import handlers.changes.catalog  # noqa: F401
from handlers.changes.base import change_type
from handlers.changes.cancellation_restore import cancellation_kind
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.residents.registration import amend_resident
from handlers.uow import unit_of_work
from models.removed import RemovedRecordArchive
from models.resident import ResidentHistory
from models.tenant import Municipality
from tests.factories import make_household

TOMORROW = (japan_today() + dt.timedelta(days=1)).isoformat()
RECORD = {"ex_officio_record": "誤って登録した異動を取り消す"}


def _codes(db: Any, actor: Actor, intake: dict[str, Any]) -> list[str]:
    with unit_of_work(db, actor) as uow:
        return sorted(
            p.code for p in change_type("change_cancellation").assess(uow, {**RECORD, **intake}).problems
        )


@pytest.fixture
def amended(db: Any, clerk_a: Actor) -> list[str]:
    """A household whose head was renamed (history 1 = 転入, 2 = 職権修正) and whose wife's code was changed."""
    numbers = [m.atena_number for m in make_household(db, clerk_a).members]
    with unit_of_work(db, clerk_a) as uow:
        amend_resident(
            uow,
            numbers[0],
            {"given_name": "太朗"},
            reason_code="ex_officio_correction",
            change_date="2024-01-01",
        )
        amend_resident(
            uow,
            numbers[1],
            {"remarks": "x"},
            reason_code="resident_code_change_request",
            change_date="2024-01-01",
        )
    return numbers


@pytest.mark.req("j980", "j990")
@pytest.mark.parametrize(
    ("intake", "codes"),
    [
        ({"history_no": 2}, []),
        ({"history_no": 1}, ["not_latest"]),
        ({"history_no": 9}, ["history_not_found"]),
        ({"history_no": "x"}, ["history_not_found"]),
        ({"history_no": 2, "change_date": TOMORROW}, ["future_date"]),
        ({"history_no": 2, "ex_officio_record": ""}, ["required"]),
        ({"history_no": 2, "on_request": True, "requested_date": TOMORROW}, ["future_date"]),
        ({"history_no": 2, "atena_numbers": ["child"]}, ["history_not_found"]),  # not the same change
    ],
)
def test_only_the_latest_change_of_a_person_can_be_cancelled(
    db: Any, clerk_a: Actor, amended: list[str], intake: dict[str, Any], codes: list[str]
) -> None:
    intake = {"atena_number": amended[0], **intake}
    intake["atena_numbers"] = [amended[2] for _ in intake.get("atena_numbers", [])]
    assert _codes(db, clerk_a, intake) == codes


@pytest.mark.req("j980", "j880")
def test_a_code_change_is_corrected_not_cancelled(db: Any, clerk_a: Actor, amended: list[str]) -> None:
    assert _codes(db, clerk_a, {"atena_number": amended[1], "history_no": 2}) == ["not_cancellable"]


@pytest.mark.req("j980")
def test_an_archived_removed_record_is_restored_by_re_entering_it(
    db: Any, clerk_a: Actor, setup_session: Session, city_a: Municipality
) -> None:
    setup_session.add(
        RemovedRecordArchive(
            tenant_id=city_a.id,
            atena_number="0000000019",
            household_number="0000000019",
            removal_reason="domestic_move_out",
            removal_date=dt.date(2015, 4, 1),
            retain_until=dt.date(2165, 4, 1),
            display_name="山田 太郎",
            kana_key="ヤマダタロウ",
            name_key="山田太郎",
            record={},
            history=[],
        )
    )
    setup_session.flush()
    with unit_of_work(db, clerk_a) as uow:
        problems = (
            change_type("change_cancellation")
            .assess(uow, {**RECORD, "atena_number": "0000000019", "history_no": 2})
            .problems
        )
    assert [p.code for p in problems] == ["archived"]
    assert "入力し直して" in problems[0].remedy


def _row(reason: str, status: str) -> ResidentHistory:
    return ResidentHistory(change_reason=reason, status=status)


@pytest.mark.req("j980", "j210")
@pytest.mark.parametrize(
    ("reason", "status", "before", "kind"),
    [
        ("domestic_move_out", "moving_out", ("domestic_move_in", "resident"), "cancellation_increase"),
        ("death", "removed", ("domestic_move_in", "resident"), "cancellation_increase"),
        ("birth", "resident", None, "cancellation_decrease"),
        ("domestic_move_in", "resident", ("domestic_move_out", "removed"), "cancellation_decrease"),
        ("move_within", "resident", ("domestic_move_in", "resident"), "cancellation_amendment"),
        ("cancellation_amendment", "resident", ("move_within", "resident"), "cancellation_amendment"),
        ("move_in", "resident", None, "cancellation_decrease"),  # a code outside the list: by the statuses
        ("legacy_removal", "removed", ("move_in", "resident"), "cancellation_increase"),
        ("legacy_fix", "resident", ("move_in", "resident"), "cancellation_amendment"),
    ],
)
def test_kind_of_cancellation(reason: str, status: str, before: tuple[str, str] | None, kind: str) -> None:
    assert cancellation_kind(_row(reason, status), _row(*before) if before else None) == kind
