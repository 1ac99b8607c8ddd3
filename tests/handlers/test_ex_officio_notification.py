"""Assessment rules of a 届出 procedure done ex officio (届出の準用, j760): the procedure's own rules, no 届出日,
the 職権記録書 required, 特例転入・特例転出 refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import handlers.changes.catalog  # noqa: F401
from handlers.changes.base import Assessment, change_type
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.uow import unit_of_work
from tests.factories import default_address, japanese_member, make_household

pytestmark = pytest.mark.req("j760")
TODAY = japan_today()
LONG_AGO = (TODAY - dt.timedelta(days=40)).isoformat()
RECORD = {"ex_officio": True, "ex_officio_record": "実態調査により確認", "change_date": LONG_AGO}
DESTINATION = {"municipality_code": "202177", "address": "中込1番地"}


def _intakes(db: Any, clerk: Actor) -> dict[str, dict[str, Any]]:
    """One valid 届出 intake per procedure of 4.1, without its 届出日."""
    home = make_household(db, clerk)
    taro, hanako, ichiro = (m.atena_number for m in home.members)
    newcomer = japanese_member(family_name="職権")  # with its 住民票コード: no pool needed
    return {
        "move_in": {"kind": "domestic", "household": default_address(), "members": [newcomer]},
        "move_within": {"atena_numbers": [ichiro], "destination": {"kind": "new", "relations": {ichiro: "世帯主"}},
                        "address": {"address": "神奈川県横浜市中区山下町2番地", "postal_code": "231-0023"}},
        "move_out": {"atena_numbers": [ichiro], "destination": DESTINATION},
        "household_change": {"kind": "head_change", "household_number": home.household_number,
                             "new_head": hanako, "relations": {taro: "夫", ichiro: "子"}},
    }  # fmt: skip


def _assess(db: Any, clerk: Actor, code: str, intake: dict[str, Any]) -> Assessment:
    with unit_of_work(db, clerk) as uow:
        return change_type(code).assess(uow, intake)


@pytest.mark.parametrize("code", ["move_in", "move_within", "move_out", "household_change"])
def test_each_notification_procedure_done_ex_officio_keeps_no_notified_date_and_raises_no_late_alert(
    db: Any, clerk_a: Actor, code: str
) -> None:
    intake = _intakes(db, clerk_a)[code]
    notified = _assess(db, clerk_a, code, {**intake, "change_date": LONG_AGO})
    assert notified.proposal["notified_date"] == TODAY.isoformat()  # a notification: today (j570)
    assert {"late_notification", "ex_officio_move_out"} & {a.code for a in notified.alerts}
    found = _assess(db, clerk_a, code, {**intake, **RECORD})
    assert [p.code for p in found.problems] == []
    assert not {"late_notification", "ex_officio_move_out"} & {a.code for a in found.alerts}
    assert (found.proposal["ex_officio"], found.proposal["notified_date"]) == (True, None)
    assert found.proposal["note"] == "職権記録書：実態調査により確認"


@pytest.mark.parametrize(
    ("code", "extra", "codes"),
    [
        ("move_in", {"notified_date": TODAY.isoformat()}, ["notified_date_ex_officio"]),
        ("move_within", {"ex_officio_record": ""}, ["required"]),
        ("household_change", {"on_request": True, "requested_date": "2099-01-01"}, ["future_date"]),
        ("move_in", {"kind": "special"}, ["special_not_ex_officio"]),
        ("move_out", {"special_move_out": True}, ["special_not_ex_officio"]),
        ("move_out", {"change_date": (TODAY + dt.timedelta(days=5)).isoformat()}, []),  # 転出's own rule
    ],
)
def test_ex_officio_intake_problems(
    db: Any, clerk_a: Actor, code: str, extra: dict[str, Any], codes: list[str]
) -> None:
    intake = {**_intakes(db, clerk_a)[code], **RECORD, **extra}
    found = [p.code for p in _assess(db, clerk_a, code, intake).problems]
    if code == "move_in" and extra.get("kind") == "special":
        found = [c for c in found if c == "special_not_ex_officio"]  # the 転出証明書情報 is missing too
    assert found == codes
