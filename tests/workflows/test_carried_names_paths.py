"""旧氏・通称 carried over at a 再転入 from abroad (j70), through the real workflows/move_in.bpmn: a person who
moved abroad from here and comes back from abroad takes the 旧氏/通称 of the 除票; any other 再転入 does not."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from handlers.clock import japan_today
from handlers.context import Actor
from handlers.errors import ValidationError
from handlers.residents.registration import remove_resident
from handlers.uow import UnitOfWork
from tests.factories import default_address, foreign_member, japanese_member, make_household
from tests.workflows.conftest import Step
from tests.workflows.ex_officio_steps import approve, enter, history, pending, resident
from tests.workflows.foreign_steps import arrival_intake

pytestmark = pytest.mark.req("j70", "j600")
LEFT = japan_today() - dt.timedelta(days=400)
BACK = (japan_today() - dt.timedelta(days=3)).isoformat()
CARRIED = ("former_names_carried_over",)


def _gone(db: Any, step: Step, clerk: Actor, member: dict[str, Any], reason: str, **names: Any) -> str:
    """A one-person household whose member, with ``names`` recorded, moved out on LEFT (a 除票)."""
    atena = make_household(db, clerk, [member]).members[0].atena_number

    def leave(uow: UnitOfWork) -> None:
        for key, value in names.items():
            setattr(resident(uow, atena), key, value)
        remove_resident(uow, atena, reason_code=reason, removal_date=LEFT)

    step(clerk, leave)
    return atena


def _back(atena: str, member: dict[str, Any], kind: str = "abroad", **extra: Any) -> dict[str, Any]:
    entered = {k: v for k, v in member.items() if k not in ("became_resident_date", "address_set_date")}
    return {
        "kind": kind, "change_date": BACK, "notified_date": BACK, "household": default_address(),
        "former_address": {"address": "アメリカ合衆国カリフォルニア州"},
        "members": [{**entered, "re_move_in_of": atena, **extra}],
    }  # fmt: skip


def test_a_japanese_resident_back_from_abroad_takes_the_former_surname_of_the_move_out(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    member = japanese_member(given_name="花子", given_name_kana="ハナコ", sex="2")
    atena = _gone(db, step, clerk_a, member, "move_out_abroad", former_surname="佐藤",
                  former_surname_kana="サトウ")  # fmt: skip
    case = enter(step, clerk_a, "move_in", _back(atena, member))
    proposed = step(clerk_a, pending, case.id)
    assert proposed.proposal["members"][0]["former_surname"] == "佐藤"  # shown before approval
    assert [a["code"] for a in proposed.alerts] == list(CARRIED)
    approve(step, supervisor_a, case, "move_in", CARRIED)
    person = step(clerk_a, resident, atena)
    assert (person.status, person.former_surname, person.former_surname_kana) == (
        "resident",
        "佐藤",
        "サトウ",
    )
    last = step(clerk_a, history, atena)[-1]
    assert (last.change_reason, last.snapshot["former_surname"]) == ("move_in_from_abroad", "佐藤")


def test_a_foreign_resident_back_from_abroad_takes_the_alias_with_where_and_when_it_was_recorded(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    member = foreign_member()
    recorded = dt.date(2023, 5, 1)
    atena = _gone(db, step, clerk_a, member, "move_out_abroad", alias="須見 譲", alias_kana="スミ ジョウ",
                  alias_recorded_date=recorded, alias_recorded_municipality="141003")  # fmt: skip
    case = enter(step, clerk_a, "move_in", _back(atena, member))
    approve(step, supervisor_a, case, "move_in", CARRIED)
    person = step(clerk_a, resident, atena)
    assert (person.alias, person.alias_kana, person.alias_recorded_date, person.alias_recorded_municipality) == (
        "須見 譲", "スミ\u3000ジョウ", recorded, "141003",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("reason", "kind", "extra"),
    [
        ("domestic_move_out", "domestic", {}),  # a 国内転入: the 旧氏 comes from the 転出証明書
        ("move_out_abroad", "domestic", {}),
        ("move_out_abroad", "abroad", {"carry_over_names": False}),  # the clerk declines
    ],
)
def test_other_re_move_ins_carry_no_former_surname_over(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor, reason: str, kind: str, extra: dict[str, Any]
) -> None:
    member = japanese_member(given_name="花子", given_name_kana="ハナコ", sex="2")
    atena = _gone(db, step, clerk_a, member, reason, former_surname="佐藤")
    intake = _back(atena, member, kind, **extra)
    if kind == "domestic":
        intake["former_address"] = {"address": "長野県佐久市中込1番地", "municipality_code": "202118"}
    case = enter(step, clerk_a, "move_in", intake)
    assert step(clerk_a, pending, case.id).alerts == []
    approve(step, supervisor_a, case, "move_in")
    person = step(clerk_a, resident, atena)
    assert (person.status, person.former_surname) == ("resident", None)


def test_a_foreign_resident_back_by_a_30_46_arrival_is_readmitted_with_the_alias_of_the_move_out(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    intake = arrival_intake()
    member = dict(intake["members"][0])
    atena = _gone(db, step, clerk_a, foreign_member(residence_card_number=member["residence_card_number"]),
                  "move_out_abroad", alias="須見 譲", alias_recorded_date=dt.date(2023, 5, 1),
                  alias_recorded_municipality="141003")  # fmt: skip
    with pytest.raises(ValidationError) as refused:  # the same 在留カード番号 as the 除票 (j600)
        enter(step, clerk_a, "foreign_move_in_30_46", intake)
    assert "re_move_in_required" in [p.code for p in refused.value.problems]
    intake["members"] = [{**member, "re_move_in_of": atena}]
    case = enter(step, clerk_a, "foreign_move_in_30_46", intake)
    assert [a["code"] for a in step(clerk_a, pending, case.id).alerts] == list(CARRIED)
    approve(step, supervisor_a, case, "foreign_move_in_30_46", CARRIED)
    person = step(clerk_a, resident, atena)
    assert (person.status, person.alias, person.alias_recorded_date) == (
        "resident",
        "須見 譲",
        dt.date(2023, 5, 1),
    )
    assert [r.change_reason for r in step(clerk_a, history, atena)][-2:] == [
        "move_out_abroad",
        "move_in_from_abroad",
    ]
