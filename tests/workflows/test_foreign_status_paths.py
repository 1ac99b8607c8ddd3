"""Paths through workflows/foreign_status_acquired_30_47.bpmn, naturalization.bpmn, nationality_acquisition.bpmn
and nationality_loss.bpmn (j920, j930, j940, j950), each step in its own unit of work."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from handlers.context import Actor
from handlers.db import Database
from tests.factories import foreign_member, japanese_member, make_household
from tests.workflows.conftest import Step
from tests.workflows.ex_officio_steps import (
    access_functions,
    approve,
    enter,
    history,
    issue_documents,
    outbox,
    pending,
    reject,
    resident,
    resubmit,
)
from tests.workflows.foreign_steps import arrival_intake, days_ago, fresh_card_number


def transitional_resident(db: Database, clerk: Actor) -> str:
    """A baby born here to foreign parents: a 出生による経過滞在者 without a status yet."""
    member = foreign_member(
        foreign_category="transitional_birth", residence_status=None, period_of_stay=None,
        stay_expiry_date=None, residence_card_number=None, birth_date=days_ago(20),
        became_resident_date=days_ago(20), address_set_date=days_ago(20), foreign_resident_date=days_ago(20),
    )  # fmt: skip
    return (
        make_household(db, clerk, [member], reason_code="birth", change_date=days_ago(20))
        .members[0]
        .atena_number
    )


@pytest.mark.req("j920", "j970")
def test_transitional_resident_granted_a_status_has_the_category_items_amended(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    atena = transitional_resident(db, clerk_a)
    card = fresh_card_number()
    intake = {
        "atena_number": atena, "change_date": days_ago(2), "foreign_category": "mid_long_term",
        "residence_status": "家族滞在", "period_of_stay": "1年", "stay_expiry_date": "2027-11-01",
        "residence_card_number": card,
    }  # fmt: skip
    case = enter(step, clerk_a, "foreign_status_acquired_30_47", intake)
    reject(step, supervisor_a, case, "foreign_status_acquired_30_47", "在留期間の確認")
    assert step(clerk_a, resident, atena).foreign_category == "transitional_birth"  # provisional only
    resubmit(step, clerk_a, case, "foreign_status_acquired_30_47", {**intake, "period_of_stay": "2年"})
    approve(step, supervisor_a, case, "foreign_status_acquired_30_47")
    issue_documents(step, clerk_a, case)

    person = step(clerk_a, resident, atena)
    assert (person.foreign_category, person.residence_card_number, person.period_of_stay) == (
        "mid_long_term", card, "2年",
    )  # fmt: skip
    assert person.foreign_resident_date.isoformat() == days_ago(20)  # already a foreign resident
    assert [r.change_reason for r in step(clerk_a, history, atena)] == ["birth", "ex_officio_correction"]
    notices = step(clerk_a, outbox, case.id)
    assert [(d, k, p["category"]) for d, k, p in notices] == [
        ("immigration", "municipality_notice", "住基法・入管法")
    ]
    assert step(clerk_a, access_functions, atena)[-3:] == [
        "resident_amended",
        "change_registered",
        "change_approved",
    ]


@pytest.mark.req("j920")
def test_person_living_here_not_yet_recorded_is_recorded_like_a_move_in_from_abroad(
    step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    case = enter(step, clerk_a, "foreign_status_acquired_30_47", arrival_intake(landing_permit_move_in=False))
    approve(step, supervisor_a, case, "foreign_status_acquired_30_47")
    atena = issue_documents(step, clerk_a, case)["registration"]["atena_numbers"][0]
    assert [r.change_reason for r in step(clerk_a, history, atena)] == ["move_in_from_abroad"]
    assert [d for d, _, _ in step(clerk_a, outbox, case.id)] == ["cs", "immigration"]


def naturalization_intake(atena: str, **overrides: Any) -> dict[str, Any]:
    intake = {
        "atena_number": atena, "change_date": days_ago(5), "notified_date": days_ago(1),
        "family_name": "須美須", "given_name": "譲", "family_name_kana": "すみす", "given_name_kana": "ジョン",
        "honseki": "神奈川県横浜市中区山下町10番地", "hittosha": "須美須 譲",
    }  # fmt: skip
    return intake | overrides


@pytest.mark.req("j930", "j940", "j210")
@pytest.mark.parametrize("code", ["naturalization", "nationality_acquisition"])
def test_naturalized_foreign_resident_continues_as_a_japanese_record_on_the_same_atena_number(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor, code: str
) -> None:
    member = foreign_member(residence_card_number=fresh_card_number(), foreign_resident_date="2012-07-09",
                            became_resident_date="2012-07-09", address_set_date="2019-04-01")  # fmt: skip
    foreign = make_household(db, clerk_a, [member]).members[0]
    case = enter(step, clerk_a, code, naturalization_intake(foreign.atena_number, hittosha="須美須"))
    reject(step, supervisor_a, case, code, "筆頭者の名の入力漏れ")
    with pytest.raises(Exception, match="本籍"):
        resubmit(step, clerk_a, case, code, naturalization_intake(foreign.atena_number, honseki=""))
    resubmit(step, clerk_a, case, code, naturalization_intake(foreign.atena_number))
    approve(step, supervisor_a, case, code)
    issue_documents(step, clerk_a, case)

    person = step(clerk_a, resident, foreign.atena_number)
    assert (person.resident_kind, person.status, person.family_name, person.family_name_kana) == (
        "japanese", "resident", "須美須", "スミス",
    )  # fmt: skip
    assert person.became_resident_date == dt.date(2012, 7, 9)  # 外国人住民となった年月日 → 住民となった年月日
    assert person.address_set_date == dt.date(2019, 4, 1)
    assert (person.resident_code, person.my_number, person.household_id) == (
        foreign.resident_code, foreign.my_number, foreign.household_id,
    )  # fmt: skip
    assert (
        person.residence_card_number is None and person.nationality is None and person.name_alphabet is None
    )
    rows = step(clerk_a, history, foreign.atena_number)
    assert [(r.change_reason, r.status, r.snapshot["resident_kind"]) for r in rows] == [
        ("domestic_move_in", "resident", "foreign"),
        ("naturalization_removal", "removed", "foreign"),
        ("naturalization_record", "resident", "japanese"),
    ]
    assert rows[1].case_id == rows[2].case_id == case.id
    notices = step(clerk_a, outbox, case.id)
    assert [(d, k) for d, k, _ in notices] == [
        ("cs", "identity_change"),
        ("immigration", "municipality_notice"),
    ]
    assert notices[1][2]["category"] == "住基法" and notices[1][2]["event"] == code
    assert notices[1][2]["residence_card_number"] == member["residence_card_number"]
    assert "resident_kind_switched" in step(clerk_a, access_functions, foreign.atena_number)


@pytest.mark.req("j950", "j210")
def test_lost_nationality_makes_a_transitional_foreign_record_from_the_later_date(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    japanese = make_household(db, clerk_a, [japanese_member(became_resident_date="2020-04-01")]).members[0]
    intake = {"atena_number": japanese.atena_number, "change_date": days_ago(10), "nationality": "アメリカ合衆国",
              "name_alphabet": "YAMADA TARO"}  # fmt: skip
    case = enter(step, clerk_a, "nationality_loss", intake)
    approve(step, supervisor_a, case, "nationality_loss")
    issue_documents(step, clerk_a, case)

    person = step(clerk_a, resident, japanese.atena_number)
    assert (person.resident_kind, person.foreign_category, person.honseki, person.hittosha) == (
        "foreign", "transitional_nationality_loss", None, None,
    )  # fmt: skip
    assert person.foreign_resident_date.isoformat() == days_ago(10)  # later than 2020-04-01
    assert person.became_resident_date == dt.date(2020, 4, 1)
    assert person.old_alien_registration_date is None  # j950 実装しない機能
    rows = step(clerk_a, history, japanese.atena_number)
    assert [(r.change_reason, r.snapshot["resident_kind"]) for r in rows][1:] == [
        ("nationality_loss_removal", "japanese"), ("nationality_loss_record", "foreign"),
    ]  # fmt: skip
    assert [d for d, _, _ in step(clerk_a, outbox, case.id)] == ["cs", "immigration"]


@pytest.mark.req("j950")
def test_lost_nationality_with_a_status_already_granted_needs_blank_items_acknowledged(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    japanese = make_household(db, clerk_a, [japanese_member()]).members[0]
    intake = {"atena_number": japanese.atena_number, "change_date": days_ago(10), "nationality": "フランス",
              "foreign_category": "mid_long_term", "residence_card_number": fresh_card_number(),
              "residence_status": "日本人の配偶者等"}  # fmt: skip
    case = enter(step, clerk_a, "nationality_loss", intake)
    alerts = step(clerk_a, lambda uow: pending(uow, case.id).alerts)
    assert [(a["field"], a["code"]) for a in alerts] == [
        ("period_of_stay", "blank_item"), ("stay_expiry_date", "blank_item"),
    ]  # fmt: skip
    with pytest.raises(Exception, match="確認されていません"):
        approve(step, supervisor_a, case, "nationality_loss")
    approve(step, supervisor_a, case, "nationality_loss", ("blank_item",))
    issue_documents(step, clerk_a, case)
    acks = step(clerk_a, lambda uow: pending(uow, case.id).acknowledgements)
    assert [a["field"] for a in acks] == ["period_of_stay", "stay_expiry_date"]
    assert step(clerk_a, resident, japanese.atena_number).residence_status == "日本人の配偶者等"
