"""届出の準用 (j760): each 届出 procedure of 4.1 — 転入, 転居, 転出, 世帯変更 — done ex officio (職権) without a
notification, through its real BPMN file: the procedure's rules apply, no 届出日 is asked or kept (so no 届出期間
alert arises), the case says it was 職権 and the history rows carry the 職権記録書."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from handlers.clock import japan_today
from handlers.context import Actor
from handlers.uow import UnitOfWork
from models.case import Case
from models.resident import Resident
from tests.factories import default_address, japanese_member, make_household
from tests.workflows.conftest import Step
from tests.workflows.ex_officio_steps import fill_pool
from tests.workflows.household_steps import (
    approve,
    enter,
    history_rows,
    issue_documents,
    members,
    pending,
    reject,
    resident,
    resubmit,
)

pytestmark = pytest.mark.req("j760")
TODAY = japan_today()
LONG_AGO = (TODAY - dt.timedelta(days=40)).isoformat()  # a notification this late would raise an alert
RECORD = "実態調査により居住を確認したため職権で記載した"
NEW = {"address": "神奈川県横浜市中区山下町2番地", "postal_code": "231-0023"}


def ex_officio(**extra: Any) -> dict[str, Any]:
    return {"ex_officio": True, "ex_officio_record": RECORD, "change_date": LONG_AGO, **extra}


def _case_record(step: Step, clerk: Actor, case_id: int) -> tuple[dict[str, Any], list[Any], dict[str, Any]]:
    found = step(clerk, pending, case_id)
    return found.proposal, found.alerts, (found.result or {}).get("summary") or {}


def _assert_ex_officio(step: Step, clerk: Actor, case_id: int, numbers: list[str], reason: str) -> None:
    """The case says 職権 without a 届出日; each person's last history row has no 届出日 and the 職権記録書."""
    proposal, alerts, summary = _case_record(step, clerk, case_id)
    assert (proposal["ex_officio"], proposal["notified_date"], summary["ex_officio"]) == (True, None, True)
    assert proposal["ex_officio_record"] == RECORD
    for number in numbers:
        row = step(clerk, history_rows, number)[-1]
        assert (row.change_reason, row.notified_date, row.case_id) == (reason, None, case_id)
        assert row.note.startswith(f"職権記録書：{RECORD}")


def _due_date(step: Step, clerk: Actor, case_id: int) -> dt.date | None:
    return step(clerk, lambda uow: uow.session.get(Case, case_id).due_date)


def _named(uow: UnitOfWork, family_name: str) -> list[str]:
    return list(uow.session.scalars(select(Resident.atena_number).where(Resident.family_name == family_name)))


def test_a_move_in_without_notification_is_recorded_ex_officio_with_the_notice_to_the_person(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    fill_pool(step, supervisor_a)
    member = {k: v for k, v in japanese_member(family_name="職権", family_name_kana="ショッケン").items()
              if k not in ("became_resident_date", "address_set_date", "resident_code")}  # fmt: skip
    intake = ex_officio(kind="domestic", household=default_address(), members=[member], notify_person=True,
                        former_address={"address": "長野県佐久市中込1番地", "municipality_code": "202177"})  # fmt: skip
    case = enter(step, clerk_a, "move_in", {**intake, "ex_officio_record": "実態調査"})
    reject(step, supervisor_a, case, "move_in", "職権記録書に調査の内容を書いてください")
    resubmit(step, clerk_a, case, "move_in", intake)
    codes = [alert["code"] for alert in _case_record(step, clerk_a, case.id)[1]]
    assert "late_notification" not in codes  # 40 days after the move: no 届出期間 alert (j570 not applied)
    approve(step, supervisor_a, case, "move_in", tuple(codes))
    assert issue_documents(step, clerk_a, case) == ["resident_code_notice", "ex_officio_notice"]
    [person] = step(clerk_a, _named, "職権")
    _assert_ex_officio(step, clerk_a, case.id, [person], "domestic_move_in")
    assert _due_date(step, clerk_a, case.id) is None  # the 14 days bind a notifier; there was none
    recorded = step(clerk_a, resident, person)
    assert (recorded.became_resident_date.isoformat(), recorded.notified_date) == (LONG_AGO, None)  # j590


def test_a_move_within_without_notification_moves_the_household_ex_officio(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    numbers = [m.atena_number for m in home.members]
    case = enter(step, clerk_a, "move_within", ex_officio(atena_numbers=numbers, address=dict(NEW)))
    approve(step, supervisor_a, case, "move_within")
    assert issue_documents(step, clerk_a, case) == []
    _assert_ex_officio(step, clerk_a, case.id, numbers, "move_within")
    assert _due_date(step, clerk_a, case.id) is None
    moved = step(clerk_a, lambda uow: resident(uow, numbers[0]).address_set_date)
    assert (moved, step(clerk_a, members, home.household_number)[0]) == (
        dt.date.fromisoformat(LONG_AGO), ("太郎", "世帯主"),
    )  # fmt: skip
    assert step(clerk_a, lambda uow: resident(uow, numbers[0]).household.address) == NEW["address"]


def test_a_move_out_without_notification_is_removed_ex_officio_with_the_equivalent_certificate(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    ichiro = make_household(db, clerk_a).members[2].atena_number
    intake = ex_officio(
        atena_numbers=[ichiro], destination={"municipality_code": "202177", "address": "中込1番地"}
    )
    case = enter(step, clerk_a, "move_out", intake)
    assert _case_record(step, clerk_a, case.id)[1] == []  # no 「14日を過ぎた届出」 alert: there was none
    approve(step, supervisor_a, case, "move_out")
    assert issue_documents(step, clerk_a, case) == ["move_out_certificate_equivalent"]
    assert _due_date(step, clerk_a, case.id) == dt.date.fromisoformat(LONG_AGO)  # 転出 keeps its planned date
    person = step(clerk_a, resident, ichiro)
    assert (person.status, person.removal_date.isoformat()) == ("removed", LONG_AGO)
    rows = step(clerk_a, history_rows, ichiro)
    assert [(r.change_reason, r.status, r.notified_date) for r in rows[1:]] == [
        ("domestic_move_out", "moving_out", None),
        ("domestic_move_out", "removed", None),
    ]
    assert rows[1].note == f"職権記録書：{RECORD}"  # not the late notification's wording
    proposal, _alerts, summary = _case_record(step, clerk_a, case.id)
    assert (proposal["ex_officio"], proposal["notified_date"], summary["ex_officio"]) == (True, None, True)


def test_a_head_change_without_notification_is_made_ex_officio_on_request_with_the_notice(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    taro, hanako, ichiro = (m.atena_number for m in home.members)
    intake = ex_officio(kind="head_change", household_number=home.household_number, new_head=hanako,
                        relations={taro: "夫", ichiro: "子"}, on_request=True, notify_person=True)  # fmt: skip
    case = enter(step, clerk_a, "household_change", intake)
    approve(step, supervisor_a, case, "household_change")
    assert issue_documents(step, clerk_a, case) == ["ex_officio_notice"]
    _assert_ex_officio(step, clerk_a, case.id, [taro, hanako, ichiro], "head_change")
    assert _due_date(step, clerk_a, case.id) is None
    assert sorted(step(clerk_a, members, home.household_number)) == [
        ("一郎", "子"),
        ("太郎", "夫"),
        ("花子", "世帯主"),
    ]
    row = step(clerk_a, history_rows, hanako)[-1]
    assert f"申出による職権記載等、申出日 {TODAY.isoformat()}" in row.note
