"""住民票コード変更通知票 / 修正通知票 (j870–j890): the replaced code printed beside the new one."""

from __future__ import annotations

import datetime as dt

import pytest

import models
from handlers.changes.resident_codes import CodeChange, register_code
from handlers.context import Actor
from handlers.db import Database
from handlers.residents.history import HistoryDates
from handlers.uow import unit_of_work
from tests import factories
from tests.certificates.conftest import FIXED_NOW, atena_numbers, issue
from tests.certificates.pdf_tools import flat, has_item, pdf_text

CHANGED_ON = dt.date(2026, 11, 20)


def change_code(db: Database, actor: Actor, atena_number: str, kind: str, reason: str) -> tuple[str, str]:
    """Register a code change through the change types' shared door; (previous code, new code)."""
    new_code = factories.valid_resident_code()
    proposal = {"atena_number": atena_number, "change_date": CHANGED_ON.isoformat()}
    with unit_of_work(db, actor) as uow:
        result = register_code(
            uow, proposal, new_code, CodeChange(kind, reason, "テスト"), HistoryDates(claim_date=CHANGED_ON)
        )
    notice = result.notices[0]
    previous = str(notice.payload["previous_resident_code"])
    assert notice.payload["resident_code"] == new_code and previous and previous != new_code
    return previous, new_code


@pytest.mark.req("j880", "j890", "j1000")
def test_the_change_notice_prints_the_previous_code_beside_the_new_one(
    db: Database, clerk_a: Actor, family: models.Household
) -> None:
    taro = atena_numbers(family)[0]
    before = flat(pdf_text(issue(db, clerk_a, "resident_code_change_notice", [taro], now=FIXED_NOW).pdf))
    assert "変更前の住民票コード" not in before, "control: no change registered yet, no previous code"

    previous, new = change_code(db, clerk_a, taro, "change", "resident_code_change_request")
    text = pdf_text(issue(db, clerk_a, "resident_code_change_notice", [taro], now=FIXED_NOW).pdf)
    assert "住民票コード変更通知票" in flat(text)
    assert has_item(text, "住民票コード", new)
    assert has_item(text, "変更前の住民票コード", previous)
    assert flat(text).index(flat(new)) < flat(text).index("変更前の住民票コード"), (
        "new code first, then the old"
    )

    issued_before = pdf_text(
        issue(
            db,
            clerk_a,
            "resident_code_change_notice",
            [taro],
            now=FIXED_NOW,
            as_of=CHANGED_ON - dt.timedelta(days=1),
        ).pdf
    )
    assert has_item(issued_before, "住民票コード", previous) and "変更前" not in flat(issued_before)


@pytest.mark.req("j890", "j1000")
def test_the_correction_notice_prints_the_corrected_code_and_a_plain_notice_does_not(
    db: Database, clerk_a: Actor, family: models.Household
) -> None:
    hanako = atena_numbers(family)[1]
    previous, new = change_code(db, clerk_a, hanako, "correction", "ex_officio_correction")
    text = pdf_text(issue(db, clerk_a, "resident_code_correction_notice", [hanako], now=FIXED_NOW).pdf)
    assert has_item(text, "住民票コード", new) and has_item(text, "修正前の住民票コード", previous)
    plain = flat(pdf_text(issue(db, clerk_a, "resident_code_notice", [hanako], now=FIXED_NOW).pdf))
    assert f"住民票コード{new}" in plain and previous not in plain
