"""転入 through the real workflows/move_in.bpmn (j560–j620): each step in its own unit of work."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from handlers import cases
from handlers.changes.move_in import MOVE_IN
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ValidationError
from handlers.residents.registration import remove_resident
from handlers.uow import unit_of_work
from models.audit import AccessLog
from models.case import Case, CaseTask
from models.change import OutboxMessage, SubjectLock
from models.resident import Household, Resident, ResidentHistory
from tests import factories
from tests.cases.conftest import Step

pytestmark = pytest.mark.req("j530", "j560", "j590")

TODAY = japan_today()
MOVED = (TODAY - dt.timedelta(days=5)).isoformat()


def intake(**extra: Any) -> dict[str, Any]:
    members = [
        factories.japanese_member(family_name="転入", family_name_kana="テンニュウ"),
        factories.japanese_member(family_name="転入", family_name_kana="テンニュウ", given_name="花子",
                                  given_name_kana="ハナコ", sex="2", relation_to_head="妻", birth_date="1982-06-15"),
        factories.japanese_member(family_name="転入", family_name_kana="テンニュウ", given_name="一郎",
                                  given_name_kana="イチロウ", relation_to_head="子", birth_date="2010-01-20"),
    ]  # fmt: skip
    for member in members:
        for key in ("became_resident_date", "address_set_date", "previous_address"):
            member.pop(key)
    data: dict[str, Any] = {
        "kind": "domestic",
        "change_date": MOVED,
        "notified_date": TODAY.isoformat(),
        "household": factories.default_address(),
        "former_address": {"address": "長野県佐久市中込1番地", "municipality_code": "202118"},
        "move_out_certificate": {"planned_move_out_date": MOVED},
        "members": members,
    }
    data.update(extra)
    return data


def task(step: Step, actor: Actor, case_id: int, prefix: str) -> CaseTask:
    def find(uow):  # noqa: ANN001, ANN202
        rows = uow.session.scalars(select(CaseTask).where(CaseTask.case_id == case_id)).all()
        return next(t for t in rows if t.bpmn_id.startswith(prefix) and t.state in ("ready", "claimed"))

    return step(actor, find)


def all_rows(step: Step, actor: Actor, model: type, *where: Any) -> list[Any]:
    return step(actor, lambda uow: list(uow.session.scalars(select(model).where(*where))))


def newcomers(step: Step, actor: Actor) -> list[Resident]:
    return all_rows(step, actor, Resident, Resident.family_name == "転入")


def moved_out_in_2021(db: Database, clerk_a: Actor) -> Resident:
    """転入 テンニュウ, who moved out of the city in 2021 (a 除票 a 再転入 can match)."""
    old = factories.make_household(
        db, clerk_a, [factories.japanese_member(family_name="転入", family_name_kana="テンニュウ")]
    )
    person = old.members[0]
    with unit_of_work(db, clerk_a) as uow:
        remove_resident(uow, person.atena_number, reason_code="domestic_move_out", removal_date="2021-01-01")
    return person


def test_a_family_of_three_is_registered_only_after_approval_with_notices(
    step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    case = step(clerk_a, cases.open_case, "move_in", intake())
    assert newcomers(step, clerk_a) == [] and all_rows(step, clerk_a, OutboxMessage) == []  # invisible (j530)
    step(supervisor_a, cases.approve, task(step, supervisor_a, case.id, "review_").id, [])
    people = sorted(newcomers(step, clerk_a), key=lambda r: r.household_order)
    assert [p.given_name for p in people] == ["太郎", "花子", "一郎"]
    for person in people:
        assert person.became_resident_date.isoformat() == MOVED == person.address_set_date.isoformat()  # j590
        assert person.previous_address == "長野県佐久市中込1番地"
        [row] = all_rows(step, clerk_a, ResidentHistory, ResidentHistory.atena_number == person.atena_number)
        assert (row.change_reason, row.case_id) == ("domestic_move_in", case.id)
    household = all_rows(step, clerk_a, Household, Household.id == people[0].household_id)[0]
    assert household.head_resident_id == people[0].id
    outbox = sorted(all_rows(step, clerk_a, OutboxMessage), key=lambda m: m.id)
    assert [(m.destination, m.kind) for m in outbox] == [("cs", "identity_change")] * 3 + [
        ("municipality:202118", "move_in_notice")
    ] + [("cs", "card_destination")] * 3  # each newcomer's 送付先情報 after the change (j1120)
    step(clerk_a, lambda uow: None)
    docs = task(step, clerk_a, case.id, "issue_documents")
    from workflows.engine import runner

    step(clerk_a, runner.claim_task, docs.id)
    step(clerk_a, runner.complete_task, docs.id, {"issued": []})
    assert all_rows(step, clerk_a, Case)[0].status == "completed"


@pytest.mark.req("j140", "j1120")
def test_a_move_in_numbers_its_destinations_after_its_notices_and_fills_in_the_reasons_caution(
    step: Step, clerk_a: Actor, supervisor_a: Actor, users_a: dict[str, Any]
) -> None:
    """The 送付先情報 follow the case's own notices in one numbering of the CS messages; the 留意事項 registered
    for 国内転入 is on every newcomer's row; each 送付先情報 kept names the case and the new address."""
    from handlers.residents.cautions import save_template
    from models.juki_net import CardDestinationSent

    admin = factories.actor_for(users_a["administrator"])
    step(admin, save_template, {"change_reason": "domestic_move_in", "caution": "転入の定型文"})
    case = step(clerk_a, cases.open_case, "move_in", intake())
    step(supervisor_a, cases.approve, task(step, supervisor_a, case.id, "review_").id, [])
    people = sorted(newcomers(step, clerk_a), key=lambda r: r.atena_number)
    rows = all_rows(step, clerk_a, ResidentHistory, ResidentHistory.case_id == case.id)
    assert sorted((r.atena_number, r.caution) for r in rows) == [
        (p.atena_number, "転入の定型文") for p in people
    ]
    to_cs = sorted(
        (m for m in all_rows(step, clerk_a, OutboxMessage) if m.destination == "cs"), key=lambda m: m.seq
    )
    assert [(m.seq, m.kind) for m in to_cs] == [(1, "identity_change"), (2, "identity_change"),
        (3, "identity_change"), (4, "card_destination"), (5, "card_destination"), (6, "card_destination")]  # fmt: skip
    kept = all_rows(step, clerk_a, CardDestinationSent)
    assert sorted((k.atena_number, k.case_id, k.address) for k in kept) == [
        (p.atena_number, case.id, factories.default_address()["address"]) for p in people
    ]


def test_the_approval_writes_the_case_once_with_its_subjects_and_the_time_of_the_save(
    step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    case = step(clerk_a, cases.open_case, "move_in", intake())
    [opened] = all_rows(step, clerk_a, Case, Case.id == case.id)
    step(supervisor_a, cases.approve, task(step, supervisor_a, case.id, "review_").id, [])
    [approved] = all_rows(step, clerk_a, Case, Case.id == case.id)
    people = newcomers(step, clerk_a)
    assert sorted(approved.subject_atena_numbers) == sorted(p.atena_number for p in people)
    assert approved.updated_at > opened.updated_at
    assert approved.version == opened.version + 1  # the subjects and the time in one UPDATE


@pytest.mark.req("j200", "j460", "j1010")
def test_a_family_entered_child_first_is_registered_at_once_with_the_final_head_and_order_in_every_snapshot(
    step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    data = intake()
    data["members"] = list(reversed(data["members"]))  # 一郎 (子), 花子 (妻), 太郎 (世帯主)
    case = step(clerk_a, cases.open_case, "move_in", data)
    step(supervisor_a, cases.approve, task(step, supervisor_a, case.id, "review_").id, [])
    people = sorted(newcomers(step, clerk_a), key=lambda r: r.household_order)
    assert [(p.given_name, p.household_order, p.history_no) for p in people] == [
        ("太郎", 1, 1), ("花子", 2, 1), ("一郎", 3, 1)
    ]  # fmt: skip
    assert sorted(p.atena_number for p in people) == [p.atena_number for p in reversed(people)]  # entry order
    for person in people:
        [row] = all_rows(step, clerk_a, ResidentHistory, ResidentHistory.atena_number == person.atena_number)
        assert (row.history_no, row.case_id) == (1, case.id)
        assert row.snapshot["head_atena_number"] == people[0].atena_number  # the head, also for the child's
        assert row.snapshot["household_order"] == person.household_order
    [added] = all_rows(step, clerk_a, AccessLog, AccessLog.function == "household_members_added")
    assert added.targets == [p.atena_number for p in reversed(people)]  # one row naming the three


@pytest.mark.req("j600")
def test_a_re_move_in_among_new_members_registers_each_in_the_order_entered(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    person = moved_out_in_2021(db, clerk_a)
    data = intake()
    data["members"] = [
        dict(data["members"][0], my_number=person.my_number, re_move_in_of=person.atena_number),
        data["members"][2],
    ]
    with pytest.raises(ValidationError) as refused:  # the child's number is the removed person's: error
        step(clerk_a, cases.open_case, "move_in", {**data, "members": [data["members"][0], dict(
            data["members"][1], my_number=person.my_number)]})  # fmt: skip
    assert [(p.field, p.code) for p in refused.value.problems if p.code == "re_move_in_required"] == [
        ("members[1].re_move_in_of", "re_move_in_required")
    ]
    case = step(clerk_a, cases.open_case, "move_in", data)
    step(supervisor_a, cases.approve, task(step, supervisor_a, case.id, "review_").id, [])
    back, child = sorted(newcomers(step, clerk_a), key=lambda r: r.household_order)
    assert back.atena_number == person.atena_number and back.status == "resident"
    [done] = all_rows(step, clerk_a, Case, Case.id == case.id)
    assert done.subject_atena_numbers == [back.atena_number, child.atena_number]  # in the order entered
    assert child.given_name == "一郎" and child.household_id == back.household_id
    child_rows = all_rows(step, clerk_a, ResidentHistory, ResidentHistory.atena_number == child.atena_number)
    assert [(h.history_no, h.case_id) for h in child_rows] == [(1, case.id)]


@pytest.mark.req("j600")
def test_a_removed_person_matched_by_number_must_be_entered_as_re_move_in_and_keeps_the_number(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    person = moved_out_in_2021(db, clerk_a)
    data = intake()
    data["members"] = [dict(data["members"][0], my_number=person.my_number)]
    with pytest.raises(ValidationError) as refused:
        step(clerk_a, cases.open_case, "move_in", data)
    assert "re_move_in_required" in [p.code for p in refused.value.problems]
    data["members"][0]["re_move_in_of"] = person.atena_number
    case = step(clerk_a, cases.open_case, "move_in", data)
    step(supervisor_a, cases.approve, task(step, supervisor_a, case.id, "review_").id, [])
    back = all_rows(step, clerk_a, Resident, Resident.atena_number == person.atena_number)[0]
    assert back.status == "resident" and back.removal_date is None
    history = all_rows(step, clerk_a, ResidentHistory, ResidentHistory.atena_number == person.atena_number)
    assert [h.change_reason for h in sorted(history, key=lambda h: h.history_no)] == [
        "domestic_move_in", "domestic_move_out", "domestic_move_in"
    ]  # fmt: skip


@pytest.mark.req("j600", "j1440")
def test_alerts_for_a_name_match_and_a_late_notification_must_be_acknowledged(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    moved_out_in_2021(db, clerk_a)  # the intake's name matches this 除票
    late = (TODAY - dt.timedelta(days=40)).isoformat()
    case = step(clerk_a, cases.open_case, "move_in", intake(change_date=late))
    review = task(step, supervisor_a, case.id, "review_")
    with pytest.raises(ValidationError) as refused:
        step(supervisor_a, cases.approve, review.id, ["late_notification"])
    assert [p.code for p in refused.value.problems] == ["alert_not_acknowledged"]
    step(supervisor_a, cases.approve, review.id, ["late_notification", "re_move_in_candidate"])
    assert len(newcomers(step, clerk_a)) == 4  # the removed one stays removed, three new persons


@pytest.mark.req("j620")
def test_unnotified_move_in_records_the_unnotified_address_and_the_last_registered_one(
    step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    case = step(
        clerk_a, cases.open_case, "move_in", intake(kind="unnotified", unnotified_address="東京都港区芝1番")
    )
    step(supervisor_a, cases.approve, task(step, supervisor_a, case.id, "review_").id, [])
    person = newcomers(step, clerk_a)[0]
    assert person.previous_address == "東京都港区芝1番（未届）"
    assert person.last_registered_address == "長野県佐久市中込1番地"


@pytest.mark.req("j470")
def test_a_person_joining_an_existing_household_takes_the_given_relation(
    db: Database, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    family = factories.make_household(db, clerk_a)
    data = intake(household_number=family.household_number, household=None)
    data["members"] = [dict(data["members"][2], relation_to_head="同居人")]
    case = step(clerk_a, cases.open_case, "move_in", data)
    step(supervisor_a, cases.approve, task(step, supervisor_a, case.id, "review_").id, [])
    [person] = newcomers(step, clerk_a)
    assert person.household_id == family.id and person.relation_to_head == "同居人"


def test_a_second_case_for_the_same_newcomer_is_refused_and_cancelling_releases_it(
    step: Step, clerk_a: Actor
) -> None:
    data = intake()
    first = step(clerk_a, cases.open_case, "move_in", data)
    with pytest.raises(ValidationError, match=first.case_number):
        step(clerk_a, cases.open_case, "move_in", data)
    step(clerk_a, cases.cancel, first.id, "取下げ")
    assert all_rows(step, clerk_a, SubjectLock) == []
    step(clerk_a, cases.open_case, "move_in", data)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"kind": "elsewhere"}, "required"),
        ({"kind": "unnotified"}, "required"),
        ({"change_date": (TODAY + dt.timedelta(days=1)).isoformat()}, "future_date"),
        ({"household": {}}, "required"),
        ({"members": []}, "required"),
        ({"household_number": "999999999"}, "not_found"),
    ],
)
def test_assess_refuses_impossible_intakes(
    db: Database, clerk_a: Actor, change: dict[str, Any], code: str
) -> None:
    with unit_of_work(db, clerk_a) as uow:
        assessment = MOVE_IN.assess(uow, intake(**change))
    assert code in [p.code for p in assessment.problems]


def test_assess_gives_a_clean_intake_no_problem_and_locks_the_newcomers(db: Database, clerk_a: Actor) -> None:
    with unit_of_work(db, clerk_a) as uow:
        assessment = MOVE_IN.assess(uow, intake())
    assert assessment.problems == [] and assessment.alerts == []
    assert assessment.event_date.isoformat() == MOVED
    assert all(s.startswith("resident_code:") for s in assessment.subjects) and len(assessment.subjects) == 3
