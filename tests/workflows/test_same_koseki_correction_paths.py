"""世帯内の同じ本籍・筆頭者の一括修正 (j510): the 本籍・筆頭者 corrected for the first person is quoted to every
member of the household with the same 本籍・筆頭者, in one case, one review and one registration; members of
another 戸籍 are left alone; anything beside 本籍・筆頭者 refuses the quoting."""

from __future__ import annotations

from typing import Any

import pytest

import handlers.changes.catalog  # noqa: F401
from handlers.changes.base import change_type
from handlers.context import Actor
from handlers.uow import unit_of_work
from tests.factories import japanese_family, japanese_member, make_household
from tests.workflows.conftest import Step
from tests.workflows.ex_officio_steps import approve, enter, history, issue_documents, outbox, resident

pytestmark = pytest.mark.req("j510")
RECORD = "本籍地からの住民票記載事項通知（法第9条第2項）による"
NEW = {"honseki": "神奈川県横浜市中区港町1丁目1番地", "hittosha": "山田 太郎"}


def intake(atena_number: str, changes: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"atena_number": atena_number, "changes": changes, "ex_officio_record": RECORD,
            "koseki_event": "転籍", "same_koseki_household": True, **extra}  # fmt: skip


def test_a_transfer_of_domicile_entered_for_the_head_is_quoted_to_the_whole_family_in_one_case(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    members = japanese_family()
    members[1]["hittosha"] = "山田　太郎"  # the same 筆頭者, typed with a 全角 space
    members.append(japanese_member(given_name="ハル", given_name_kana="ハル", relation_to_head="母",
                                   birth_date="昭和20年1月1日", sex="2", honseki="静岡県静岡市葵区追手町1番",
                                   hittosha="山田 一"))  # fmt: skip
    household = make_household(db, clerk_a, members)
    head, wife, child, mother = (m.atena_number for m in household.members)
    case = enter(step, clerk_a, "koseki_notice", intake(head, NEW))
    assert step(clerk_a, resident, wife).honseki == "東京都千代田区千代田1番"  # provisional until approved
    approve(step, supervisor_a, case, "koseki_notice")
    issue_documents(step, clerk_a, case)
    for number in (head, wife, child):
        person = step(clerk_a, resident, number)
        assert (person.honseki, person.hittosha) == (NEW["honseki"], NEW["hittosha"])
        assert step(clerk_a, history, number)[-1].case_id == case.id
    assert step(clerk_a, resident, mother).honseki == "静岡県静岡市葵区追手町1番"  # another 戸籍
    assert len(step(clerk_a, history, mother)) == 1
    assert f"宛名番号 {head} の本籍・筆頭者の修正を引用" in step(clerk_a, history, wife)[-1].note
    assert sorted(row[2]["atena_number"] for row in step(clerk_a, outbox, case.id)) == sorted(
        [head, wife, child]
    )


@pytest.mark.parametrize(
    ("changes", "extra", "code"),
    [
        ({"honseki": NEW["honseki"], "family_name": "佐藤"}, {}, "same_koseki_other_items"),
        ({"honseki": NEW["honseki"]}, {"household_changes": {"address": "神奈川県横浜市中区港町2丁目1番地"}},
         "same_koseki_other_items"),
    ],
)  # fmt: skip
def test_quoting_is_refused_with_anything_beside_honseki_and_hittosha(
    db: Any, clerk_a: Actor, changes: dict[str, Any], extra: dict[str, Any], code: str
) -> None:
    head = make_household(db, clerk_a).members[0].atena_number
    with unit_of_work(db, clerk_a) as uow:
        assessment = change_type("ex_officio_correction").assess(uow, intake(head, changes, **extra))
    assert code in [p.code for p in assessment.problems]


def test_quoting_is_refused_when_nobody_shares_the_honseki(db: Any, clerk_a: Actor) -> None:
    alone = make_household(db, clerk_a, [japanese_member()]).members[0].atena_number
    with unit_of_work(db, clerk_a) as uow:
        assessment = change_type("koseki_notice").assess(uow, intake(alone, NEW))
    assert [p.code for p in assessment.problems] == ["no_same_koseki_members"]


def test_the_members_quoted_are_named_in_the_proposal_and_among_the_case_lock_keys(
    db: Any, clerk_a: Actor
) -> None:
    household = make_household(db, clerk_a)
    head, wife, child = (m.atena_number for m in household.members)
    with unit_of_work(db, clerk_a) as uow:
        assessment = change_type("koseki_notice").assess(uow, intake(head, NEW))
    assert assessment.proposal["same_koseki_members"] == [wife, child]
    assert {f"resident:{n}" for n in (head, wife, child)} <= set(assessment.subjects)
