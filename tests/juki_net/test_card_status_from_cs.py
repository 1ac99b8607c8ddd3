"""個人番号カード・住基カードの発行状況 (j1110): CS's ``card_status`` file sets each person's 個人番号カード等の
交付状況, which the record and 交付履歴照会 show; persons not in the register are reported, a malformed entry
refuses the whole file."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.certificates.history_query import card_status_of
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from models import AccessLog, Municipality, Resident
from tests import factories
from tests.juki_net.fake_cs import FakeCs, take_files

pytestmark = pytest.mark.req("j1110", "j1140")


def card_states(db: Database, actor: Actor) -> dict[str, str | None]:
    with unit_of_work(db, actor) as uow:
        return dict(uow.session.execute(select(Resident.atena_number, Resident.card_status)).all())


def test_the_card_states_cs_sends_become_the_persons_card_status(
    db: Database, city_a: Municipality, clerk_a: Actor, fake_cs: FakeCs
) -> None:
    taro, hanako, ichiro = factories.make_household(db, clerk_a).members
    fake_cs.send("card_status", {"cards": [
        {"resident_code": taro.resident_code, "card": "my_number_card", "status": "issued", "date": "2026-11-20"},
        {"resident_code": hanako.resident_code, "card": "juki_card", "status": "revoked", "date": "2026-11-21"},
        {"resident_code": factories.valid_resident_code(), "card": "my_number_card", "status": "issued",
         "date": "2026-11-21"},
    ]})  # fmt: skip
    output = take_files(db, city_a, fake_cs)
    assert "カードの発行状況 3 人、更新 2 人、該当なし 1 人" in output
    states = card_states(db, clerk_a)
    assert (states[taro.atena_number], states[hanako.atena_number]) == (
        "個人番号カード交付済",
        "住基カード廃止",
    )
    assert states[ichiro.atena_number] == ichiro.card_status  # not in the file: unchanged
    with unit_of_work(db, clerk_a) as uow:
        assert (
            card_status_of(uow.session, taro.atena_number) == "個人番号カード交付済"
        )  # shown in 交付履歴照会
        logged = uow.session.scalars(
            select(AccessLog.targets).where(AccessLog.function == "card_status_received")
        )
        assert [sorted(t) for t in logged] == [sorted([taro.atena_number, hanako.atena_number])]


def test_a_file_with_a_malformed_entry_is_refused_and_changes_no_one(
    db: Database, city_a: Municipality, clerk_a: Actor, fake_cs: FakeCs
) -> None:
    taro = factories.make_household(db, clerk_a).members[0]
    before = card_states(db, clerk_a)
    fake_cs.send("card_status", {"cards": [
        {"resident_code": taro.resident_code, "card": "my_number_card", "status": "issued", "date": "2026-11-20"},
        {"resident_code": taro.resident_code, "card": "passport", "status": "issued", "date": "2026-11-20"},
    ]})  # fmt: skip
    output = take_files(db, city_a, fake_cs)
    assert "取込不可" in output and "2件目" in output
    assert card_states(db, clerk_a) == before
