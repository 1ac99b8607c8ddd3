"""Every path through workflows/koseki_notice.bpmn (戸籍通知 j770, j780, j790)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from handlers.clock import japan_today
from handlers.context import Actor
from tests.factories import make_household
from tests.workflows.conftest import Step
from tests.workflows.ex_officio_steps import (
    access_functions,
    approve,
    enter,
    history,
    issue_documents,
    outbox,
    reject,
    resident,
    resubmit,
)

CODE = "koseki_notice"
RECORD = "本籍地からの住民票記載事項通知（法第9条第2項）による"


def notice_intake(atena_number: str, changes: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"atena_number": atena_number, "changes": changes, "ex_officio_record": RECORD, **extra}


@pytest.mark.req("j770", "j780")
def test_notice_of_a_transfer_of_domicile_updates_honseki_and_hittosha(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    household = make_household(db, clerk_a)
    wife = household.members[1].atena_number
    notified = (japan_today() - dt.timedelta(days=3)).isoformat()
    changes = {"honseki": "神奈川県横浜市中区港町1丁目1番地", "hittosha": "山田 太郎"}
    case = enter(step, clerk_a, CODE, notice_intake(wife, changes, koseki_event="転籍", koseki_date=notified))
    assert step(clerk_a, resident, wife).honseki == "東京都千代田区千代田1番"  # provisional only (j530)
    approve(step, supervisor_a, case, CODE)
    data = issue_documents(step, clerk_a, case)
    assert data["registration"]["documents"] == []
    assert step(clerk_a, resident, wife).honseki == "神奈川県横浜市中区港町1丁目1番地"
    rows = step(clerk_a, history, wife)
    assert [(r.change_reason, r.case_id) for r in rows] == [
        ("domestic_move_in", None),
        ("ex_officio_correction", case.id),
    ]
    last = rows[-1]
    assert (last.notice_date, last.requested_date) == (dt.date.fromisoformat(notified), None)
    assert (
        last.snapshot["honseki"] == "神奈川県横浜市中区港町1丁目1番地"
        and rows[0].snapshot["honseki"] != last.snapshot["honseki"]
    )
    assert "職権記録書" in last.note and "戸籍通知：転籍" in last.note
    assert step(clerk_a, outbox, case.id) == [
        ("cs", "identity_change", {"atena_number": wife, "history_no": 2, "reason": "ex_officio_correction"})
    ]
    assert "change_registered" in step(clerk_a, access_functions, wife)


@pytest.mark.req("j770", "j790", "j840")
def test_head_married_on_request_renames_him_in_every_snapshot_after_a_rejection(
    db: Any, step: Step, clerk_a: Actor, supervisor_a: Actor
) -> None:
    household = make_household(db, clerk_a)
    head, wife, child = (m.atena_number for m in household.members)
    intake = notice_intake(
        head,
        {"family_name": "佐藤", "family_name_kana": "サトウ", "hittosha": "佐藤 花子"},
        koseki_event="婚姻",
        on_request=True,
        notify_person=True,
    )
    case = enter(step, clerk_a, CODE, intake)
    reject(step, supervisor_a, case, CODE, "申出日を確認してください")
    requested = (japan_today() - dt.timedelta(days=1)).isoformat()
    resubmit(step, clerk_a, case, CODE, {**intake, "requested_date": requested})
    approve(step, supervisor_a, case, CODE)
    data = issue_documents(step, clerk_a, case)
    assert data["registration"]["documents"] == ["ex_officio_notice"]
    head_row = step(clerk_a, history, head)[-1]
    assert (head_row.requested_date, head_row.notice_date) == (
        dt.date.fromisoformat(requested),
        japan_today(),
    )
    assert "申出による職権記載等" in head_row.note and head_row.snapshot["family_name"] == "佐藤"
    for member in (wife, child):
        row = step(clerk_a, history, member)[-1]
        assert (row.change_reason, row.case_id, row.snapshot["head_name"]) == (
            "ex_officio_correction",
            case.id,
            "佐藤 太郎",
        )
    assert sorted(p["atena_number"] for _, _, p in step(clerk_a, outbox, case.id)) == sorted(
        [head, wife, child]
    )
