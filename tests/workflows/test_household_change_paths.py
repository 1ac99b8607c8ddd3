"""Every path through workflows/household_change.bpmn (世帯変更等, j720–j740, j490), on the real file."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from handlers.clock import japan_today
from handlers.context import Actor
from handlers.errors import ValidationError
from tests.factories import default_address, make_household
from tests.workflows.conftest import Step
from tests.workflows.household_steps import (
    access_functions,
    approve,
    enter,
    history,
    history_rows,
    household,
    issue_documents,
    members,
    outbox,
    pending,
    reject,
    resident,
    resubmit,
)

pytestmark = pytest.mark.req("j720", "j530", "j540")
CODE = "household_change"
TODAY = japan_today()


def base(**extra: Any) -> dict[str, Any]:
    return {
        "change_date": (TODAY - dt.timedelta(days=2)).isoformat(),
        "notified_date": TODAY.isoformat(),
        **extra,
    }


def test_split_forms_a_new_household_at_the_same_address_and_notifies_the_addressee_system_only(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    ichiro = home.members[2].atena_number
    case = enter(
        step,
        clerk_a,
        CODE,
        base(kind="household_split", atena_numbers=[ichiro], relations={ichiro: "世帯主"}),
    )
    assert step(clerk_a, resident, ichiro).household_id == home.id  # provisional (j530)

    approve(step, supervisor_a, case, CODE)
    assert issue_documents(step, clerk_a, case) == []
    new = step(clerk_a, lambda uow: resident(uow, ichiro).household)
    assert new.household_number != home.household_number and new.address == home.address
    assert step(clerk_a, members, new.household_number) == [("一郎", "世帯主")]
    assert step(clerk_a, history, ichiro)[-1] == (2, "household_split", new.household_number, "resident")
    sent = step(clerk_a, outbox, case.id)
    assert [(d, k, p["household_number"]) for d, k, p in sent] == [
        ("addressee", "household_change", home.household_number),
        ("addressee", "household_change", new.household_number),
    ]  # no CS notice: the 本人確認情報 did not change
    assert {"change_registered", "household_members_moved"} <= set(step(clerk_a, access_functions, ichiro))


@pytest.mark.req("j740", "j140")
def test_rejected_head_change_is_corrected_and_resets_every_relation_to_the_new_head(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    taro, hanako, ichiro = (m.atena_number for m in home.members)
    wrong = base(kind="head_change", household_number=home.household_number, new_head=ichiro,
                 relations={taro: "父", hanako: "父"})  # fmt: skip
    case = enter(step, clerk_a, CODE, wrong)
    reject(step, supervisor_a, case, CODE, "母の続柄が誤り")
    assert step(clerk_a, lambda uow: pending(uow, case.id).status) == "rejected"
    resubmit(step, clerk_a, case, CODE, {**wrong, "relations": {taro: "父", hanako: "母"},
                                         "de_facto_head": "施設長 佐藤 一"})  # fmt: skip
    approve(step, supervisor_a, case, CODE)
    issue_documents(step, clerk_a, case)
    assert step(clerk_a, members, home.household_number) == [
        ("一郎", "世帯主"),
        ("太郎", "父"),
        ("花子", "母"),
    ]
    for number in (taro, hanako, ichiro):
        assert step(clerk_a, history, number)[-1] == (2, "head_change", home.household_number, "resident")
    assert step(clerk_a, resident, taro).remarks == "事実上の世帯主：施設長 佐藤 一"  # j740
    assert step(clerk_a, history_rows, taro)[-1].snapshot["remarks"] == "事実上の世帯主：施設長 佐藤 一"


def test_split_of_the_head_from_two_members_needs_the_alert_and_leaves_the_head_unset(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    taro = home.members[0].atena_number
    case = enter(
        step, clerk_a, CODE, base(kind="household_split", atena_numbers=[taro], relations={taro: "世帯主"})
    )
    with pytest.raises(ValidationError):
        approve(step, supervisor_a, case, CODE)
    approve(step, supervisor_a, case, CODE, ("head_leaving",))
    assert issue_documents(step, clerk_a, case) == ["head_change_request_notice"]
    assert step(clerk_a, lambda uow: household(uow, home.household_number).head_resident_id) is None


def test_late_merge_alert_acknowledged_dissolves_the_joining_household(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    ours = make_household(db, clerk_a)
    theirs = make_household(db, clerk_a, household=default_address(address_katagaki="離れ"))
    joiners = [m.atena_number for m in theirs.members]
    intake = base(kind="household_merge", household_number=theirs.household_number,
                  target_household_number=ours.household_number, relations={n: "縁故者" for n in joiners},
                  change_date=(TODAY - dt.timedelta(days=30)).isoformat())  # fmt: skip
    case = enter(step, clerk_a, CODE, intake)
    approve(step, supervisor_a, case, CODE, ("late_notification",))
    issue_documents(step, clerk_a, case)
    assert len(step(clerk_a, members, ours.household_number)) == 6
    assert step(clerk_a, lambda uow: household(uow, theirs.household_number).status) == "dissolved"
    assert step(clerk_a, history, joiners[0])[-1] == (2, "household_merge", ours.household_number, "resident")


def test_a_household_change_with_an_address_is_refused_with_nothing_written(
    db: Any, step: Step, clerk_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    ichiro = home.members[2].atena_number
    intake = base(kind="household_split", atena_numbers=[ichiro], relations={ichiro: "世帯主"},
                  address="神奈川県横浜市中区山下町2番地")  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        enter(step, clerk_a, CODE, intake)
    problem = refused.value.problems[0]
    assert problem.code == "address_change_forbidden" and "転居" in problem.remedy
    assert len(step(clerk_a, history, ichiro)) == 1
