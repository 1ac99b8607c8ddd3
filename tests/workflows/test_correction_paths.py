"""Paths through workflows/ex_officio_correction.bpmn, minor_correction.bpmn and clerical_correction.bpmn
(j840, j850, j860), and the 成年被後見人 setting (j1310)."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.changes.base import change_type
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

RECORD = {"ex_officio_record": "戸籍の記載と相違するため職権で修正した"}


@pytest.mark.req("j840")
def test_head_renamed_ex_officio_carries_the_name_into_every_members_snapshot(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    household = make_household(db, clerk_a)
    head, wife, child = (m.atena_number for m in household.members)
    intake = {
        "atena_number": head,
        "changes": {"family_name": "山本", "family_name_kana": "ヤマモト"},
        **RECORD,
    }
    case = enter(step, clerk_a, "ex_officio_correction", intake)
    reject(step, supervisor_a, case, "ex_officio_correction", "フリガナの確認")
    resubmit(step, clerk_a, case, "ex_officio_correction", intake)
    approve(step, supervisor_a, case, "ex_officio_correction")
    issue_documents(step, clerk_a, case)
    assert step(clerk_a, resident, head).family_name == "山本"
    for number in (wife, child):
        rows = step(clerk_a, history, number)
        assert [(r.change_reason, r.case_id) for r in rows][-1] == ("ex_officio_correction", case.id)
        assert rows[-1].snapshot["head_name"] == "山本 太郎" and rows[0].snapshot["head_name"] == "山田 太郎"
    head_rows = step(clerk_a, history, head)
    assert head_rows[-1].snapshot["family_name_kana"] == "ヤマモト" and "職権記録書" in head_rows[-1].note
    assert sorted(p["atena_number"] for _, _, p in step(clerk_a, outbox, case.id)) == sorted(
        [head, wife, child]
    )


@pytest.mark.req("j850")
def test_minor_correction_of_the_address_for_a_residence_indication(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    household = make_household(db, clerk_a)
    head = household.members[0].atena_number
    intake = {
        "atena_number": head,
        "household_changes": {"address": "神奈川県横浜市中区港町一丁目2番3号"},
        "minor_category": "residence_indication",
        **RECORD,
    }
    case = enter(step, clerk_a, "minor_correction", intake)
    approve(step, supervisor_a, case, "minor_correction")
    issue_documents(step, clerk_a, case)
    for member in household.members:
        row = step(clerk_a, history, member.atena_number)[-1]
        assert (row.change_reason, row.snapshot["household_address"]) == (
            "minor_correction",
            "神奈川県横浜市中区港町一丁目2番3号",
        )
        assert "住居表示" in row.note
    assert step(clerk_a, resident, head).address_set_date == household.members[0].address_set_date


@pytest.mark.req("j850")
def test_minor_correction_needs_a_category_of_the_rule(db: Any, step: Step, clerk_a: Actor) -> None:
    household = make_household(db, clerk_a)
    intake = {"atena_number": household.members[0].atena_number, "changes": {"given_name": "太朗"}, **RECORD}
    assessment = step(clerk_a, change_type("minor_correction").assess, intake)
    assert [p.code for p in assessment.problems] == ["minor_category"]


@pytest.mark.req("j860")
def test_clerical_correction_appends_and_leaves_the_erroneous_row_unchanged(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    household = make_household(db, clerk_a)
    child = household.members[2].atena_number
    before = step(clerk_a, history, child)
    erroneous = [(r.id, r.history_no, r.change_reason, dict(r.snapshot), r.note) for r in before]
    intake = {"atena_number": child, "changes": {"given_name": "壱郎"}, "corrected_history_no": 1, **RECORD}
    case = enter(step, clerk_a, "clerical_correction", intake)
    approve(step, supervisor_a, case, "clerical_correction")
    issue_documents(step, clerk_a, case)
    after = step(clerk_a, history, child)
    assert [(r.id, r.history_no, r.change_reason, dict(r.snapshot), r.note) for r in after[:-1]] == erroneous
    assert (after[-1].history_no, after[-1].change_reason) == (2, "clerical_correction")
    assert after[-1].snapshot["given_name"] == "壱郎" and "履歴番号1の誤記" in after[-1].note


@pytest.mark.req("j860")
def test_clerical_correction_must_name_an_existing_history_row(db: Any, step: Step, clerk_a: Actor) -> None:
    household = make_household(db, clerk_a)
    intake = {
        "atena_number": household.members[0].atena_number,
        "changes": {"given_name": "太朗"},
        "corrected_history_no": 7,
        **RECORD,
    }
    assessment = step(clerk_a, change_type("clerical_correction").assess, intake)
    assert [p.code for p in assessment.problems] == ["history_not_found"]


@pytest.mark.req("j840", "j750")
@pytest.mark.parametrize(
    ("intake", "codes"),
    [
        ({"changes": {}}, ["required"]),
        ({"changes": {"atena_number": "1"}}, ["not_amendable"]),
        ({"changes": {"sex": "9"}}, ["format"]),
        ({"changes": {"given_name": "太朗"}, "ex_officio_record": ""}, ["required"]),
        ({"changes": {"given_name": "太朗"}, "change_date": "2999-01-01"}, ["future_date"]),
        ({"household_changes": {"address": ""}}, ["required"]),
    ],
)
def test_correction_assessment(
    db: Any, step: Step, clerk_a: Actor, intake: dict[str, Any], codes: list[str]
) -> None:
    household = make_household(db, clerk_a)
    full = {"atena_number": household.members[0].atena_number, **RECORD, **intake}
    assessment = step(clerk_a, change_type("ex_officio_correction").assess, full)
    assert sorted(p.code for p in assessment.problems) == sorted(codes)


@pytest.mark.req("j1310")
def test_a_person_is_set_as_an_adult_ward_by_an_ex_officio_correction(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    wife = make_household(db, clerk_a).members[1].atena_number
    assert step(clerk_a, resident, wife).adult_guardianship is False
    intake = {"atena_number": wife, "changes": {"adult_guardianship": True}, **RECORD}
    case = enter(step, clerk_a, "ex_officio_correction", intake)
    approve(step, supervisor_a, case, "ex_officio_correction")
    issue_documents(step, clerk_a, case)
    assert step(clerk_a, resident, wife).adult_guardianship is True
    assert step(clerk_a, history, wife)[-1].snapshot["adult_guardianship"] is True


@pytest.mark.req("j10", "j20", "j840")
def test_the_serial_numbers_of_the_card_certificates_are_set_and_corrected_ex_officio(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    head = make_household(db, clerk_a).members[0].atena_number
    serials = {"signing_certificate_serial": "5A6B7C8D9E0F", "user_certificate_serial": "0A1B2C3D4E5F"}
    case = enter(step, clerk_a, "ex_officio_correction", {"atena_number": head, "changes": serials, **RECORD})
    approve(step, supervisor_a, case, "ex_officio_correction")
    issue_documents(step, clerk_a, case)
    person = step(clerk_a, resident, head)
    assert (person.signing_certificate_serial, person.user_certificate_serial) == (
        "5A6B7C8D9E0F",
        "0A1B2C3D4E5F",
    )
    assert step(clerk_a, history, head)[-1].snapshot["signing_certificate_serial"] == "5A6B7C8D9E0F"
    too_long = {"atena_number": head, "changes": {"user_certificate_serial": "0" * 41}, **RECORD}
    assessment = step(clerk_a, change_type("ex_officio_correction").assess, too_long)
    assert [p.field for p in assessment.problems] == ["user_certificate_serial"]
