"""The review shows what 本登録 of a 転居・転出・世帯変更・死亡・失踪 will write (j530, j540): their proposals name
persons and where they go, and the supervisor saw 「登録内容との差分はありません」 for every one of them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from handlers.cases.doors import open_case
from handlers.cases.view import case_view
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from models.change import PendingChange
from tests.factories import make_household

TODAY = japan_today()
AGO = (TODAY - dt.timedelta(days=2)).isoformat()


def reviewed(db: Database, clerk: Actor, code: str, intake: dict[str, Any]) -> list[dict[str, Any]]:
    """The difference rows the review of a freshly entered ``code`` case shows."""
    with unit_of_work(db, clerk) as uow:
        case_id = open_case(uow, code, {"notified_date": TODAY.isoformat(), **intake}).id
    with unit_of_work(db, clerk) as uow:
        assert uow.session.scalars(select(PendingChange.status)).all()[-1] == "provisional"
        return list(case_view(uow, case_id)["pending_change"]["diff"])


def shown(rows: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(r["subject"], r["label"], r["after_shown"]) for r in rows}


@pytest.mark.req("j530", "j630")
def test_the_review_of_a_move_within_shows_the_new_address_and_the_date_the_address_was_set(
    db: Database, clerk_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    rows = reviewed(db, clerk_a, "move_within", {
        "atena_numbers": [m.atena_number for m in home.members], "change_date": AGO,
        "address": {"address": "神奈川県横浜市中区山下町2番地", "postal_code": "231-0023"},
    })  # fmt: skip
    found = shown(rows)
    assert (f"household:{home.household_number}", "住所", "神奈川県横浜市中区山下町2番地") in found
    assert (f"household:{home.household_number}", "郵便番号", "231-0023") in found
    wareki_day = f"令和{TODAY.year - 2018}年"
    dated = [r for r in rows if r["label"] == "住所を定めた年月日"]
    assert len(dated) == len(home.members) and all(r["after_shown"].startswith(wareki_day) for r in dated)


@pytest.mark.req("j530", "j640")
def test_the_review_of_a_move_out_shows_the_planned_destination_and_date_of_each_mover(
    db: Database, clerk_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    child = home.members[2].atena_number
    rows = reviewed(db, clerk_a, "move_out", {
        "atena_numbers": [child], "change_date": AGO,
        "destination": {"address": "長野県佐久市中込1番地", "municipality_code": "202177", "postal_code": "385-0051"},
    })  # fmt: skip
    found = shown(rows)
    assert (f"resident:{child}", "転出先住所（予定）", "長野県佐久市中込1番地") in found
    assert (f"resident:{child}", "転出先郵便番号（予定）", "385-0051") in found
    assert any(r["label"] == "転出予定年月日" and r["after_shown"].startswith("令和") for r in rows)
    assert all(r["subject"] == f"resident:{child}" for r in rows), "only the mover changes"


@pytest.mark.req("j530", "j720")
def test_the_review_of_a_household_split_shows_the_new_household_and_the_relation(
    db: Database, clerk_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    ichiro = home.members[2].atena_number
    rows = reviewed(db, clerk_a, "household_change", {
        "kind": "household_split", "atena_numbers": [ichiro], "relations": {ichiro: "世帯主"}, "change_date": AGO,
    })  # fmt: skip
    found = shown(rows)
    assert (f"resident:{ichiro}", "世帯", "新しい世帯") in found
    assert (f"resident:{ichiro}", "世帯主との続柄", "世帯主") in found


@pytest.mark.req("j530", "j740", "j490")
def test_the_review_of_the_heads_move_out_names_the_new_head(db: Database, clerk_a: Actor) -> None:
    home = make_household(db, clerk_a)
    head, wife, child = home.members
    rows = reviewed(db, clerk_a, "move_out", {  # the wife stays alone: she becomes the head (j490)
        "atena_numbers": [head.atena_number, child.atena_number], "change_date": AGO,
        "destination": {"address": "長野県佐久市中込1番地", "municipality_code": "202177", "postal_code": "385-0051"},
    })  # fmt: skip
    [row] = [r for r in rows if r["label"] == "世帯主"]
    assert wife.given_name in row["after_shown"] and head.given_name in row["before_shown"]


@pytest.mark.req("j530", "j820", "j830")
@pytest.mark.parametrize(("code", "reason"), [("death", "死亡"), ("disappearance", "職権消除")])
def test_the_review_of_a_removal_shows_the_reason_and_its_date(
    db: Database, clerk_a: Actor, code: str, reason: str
) -> None:
    person = make_household(db, clerk_a).members[1].atena_number
    rows = reviewed(db, clerk_a, code, {
        "atena_number": person, "event_date": AGO, "ex_officio_record": "本籍地からの通知により職権で消除した",
    })  # fmt: skip
    by_label = {r["label"]: r["after_shown"] for r in rows}
    assert reason in by_label["消除事由"], by_label
    assert by_label["消除事由の生じた年月日"].startswith("令和")
