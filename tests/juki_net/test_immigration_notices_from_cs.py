"""出入国在留管理庁長官通知 (法第30条の50, j960) arrive from CS in the receiving folder: the ``cs_received_files``
batch adds them to the pending list the 入管通知 intake offers; a file with a bad notice adds none of them."""

from __future__ import annotations

import pytest
from flask import Flask

from handlers.context import Actor
from handlers.db import Database
from handlers.immigration_notices import pending_immigration_notices
from handlers.uow import unit_of_work
from models import Municipality, User
from tests import factories
from tests.juki_net.fake_cs import FakeCs, take_files
from tests.web.test_counter_pages import signed_in

pytestmark = pytest.mark.req("j960", "j1140")


def pending(db: Database, actor: Actor) -> list[tuple[str, str | None]]:
    with unit_of_work(db, actor) as uow:
        return [(n.kind, n.residence_card_number) for n in pending_immigration_notices(uow)]


def test_the_notices_cs_relays_join_the_pending_list_once(
    db: Database, city_a: Municipality, clerk_a: Actor, fake_cs: FakeCs
) -> None:
    foreign = factories.make_household(db, clerk_a, foreign=True).members[0]
    fake_cs.send("immigration_notice", {"notices": [
        {"kind": "period_extension", "event_date": "2026-11-20", "residence_card_number": foreign.residence_card_number,
         "payload": {"period_of_stay": "5年", "stay_expiry_date": "2031-11-20"}},
    ]})  # fmt: skip
    assert "出入国在留管理庁長官通知 1 件" in take_files(db, city_a, fake_cs)
    assert pending(db, clerk_a) == [("period_extension", foreign.residence_card_number)]
    assert "新しい受信ファイルはありません" in take_files(db, city_a, fake_cs), "a file is taken once"
    assert len(pending(db, clerk_a)) == 1


def test_a_file_with_a_notice_of_an_unknown_kind_is_refused_and_adds_none(
    db: Database, city_a: Municipality, clerk_a: Actor, fake_cs: FakeCs
) -> None:
    fake_cs.send("immigration_notice", {"notices": [
        {"kind": "period_extension", "event_date": "2026-11-20", "residence_card_number": "AB12345678CD"},
        {"kind": "no_such_kind", "event_date": "2026-11-20", "residence_card_number": "AB12345679CD"},
    ]})  # fmt: skip
    output = take_files(db, city_a, fake_cs)
    assert "取込不可" in output and "通知の種類" in output
    assert pending(db, clerk_a) == []


def test_the_intake_offers_a_notice_cs_relayed(
    app: Flask, db: Database, city_a: Municipality, clerk_a: Actor, fake_cs: FakeCs, users_a: dict[str, User]
) -> None:
    foreign = factories.make_household(db, clerk_a, foreign=True).members[0]
    fake_cs.send("immigration_notice", {"notices": [
        {"kind": "card_reissue", "event_date": "2026-11-21", "residence_card_number": foreign.residence_card_number},
    ]})  # fmt: skip
    take_files(db, city_a, fake_cs)
    client = signed_in(app, users_a["clerk"])
    page = client.get("/cases/new/immigration_notice").get_data(as_text=True)
    assert "在留カードの再交付" in page and str(foreign.residence_card_number) in page
