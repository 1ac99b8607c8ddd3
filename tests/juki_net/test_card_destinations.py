"""カード管理システム連携 (j1120): 送付先情報 made with the changes that affect it and sent to CS automatically,
made for CS's list of persons to update, a 居所 as the destination of 番号通知書類, and the searchable history
of what was sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.batches import run_batch_now
from handlers.cases import doors
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ValidationError
from handlers.juki_net.card_destinations import set_mailing_residence
from handlers.juki_net.card_history import card_destination_history
from handlers.uow import UnitOfWork, unit_of_work
from models import AccessLog, CardDestinationSent, CaseTask, Household, Municipality, User
from tests import factories
from tests.juki_net.fake_cs import FakeCs
from tests.web.conftest import login_as

pytestmark = pytest.mark.req("j1120")
NEW = {"address": "神奈川県横浜市中区山下町2番地", "postal_code": "231-0023"}
RESIDENCE = {"address": "東京都港区芝公園1丁目1番", "address_katagaki": "さくら荘101", "postal_code": "105-0011",
             "reason": "単身赴任先で受け取るため"}  # fmt: skip


def move_within(db: Database, clerk: Actor, supervisor: Actor, numbers: list[str]) -> int:
    """A 転居 of ``numbers`` to NEW, entered and approved (本登録, notices queued)."""
    intake = {"atena_numbers": numbers, "change_date": (japan_today() - dt.timedelta(days=3)).isoformat(),
              "notified_date": japan_today().isoformat(), "address": dict(NEW)}  # fmt: skip
    with unit_of_work(db, clerk) as uow:
        case = doors.open_case(uow, "move_within", intake)
        case_id = case.id
    with unit_of_work(db, supervisor) as uow:
        task = uow.session.scalars(
            select(CaseTask).where(CaseTask.case_id == case_id, CaseTask.bpmn_id == "review_move_within")
        ).one()
        doors.approve(uow, task.id, [])
    return case_id


def sent_to_cs(fake_cs: FakeCs) -> list[tuple[str, str, Any]]:
    return [(f.kind, f.payload["atena_number"], f.payload.get("address")) for f in fake_cs.received()]


def test_a_registered_move_sends_each_persons_new_destination_to_cs_right_after_the_change(
    cs_line: Database, clerk_a: Actor, supervisor_a: Actor, family: Household, fake_cs: FakeCs
) -> None:
    numbers = [m.atena_number for m in family.members]
    case_id = move_within(cs_line, clerk_a, supervisor_a, numbers)
    sent = sent_to_cs(fake_cs)
    assert sent == [("identity_change", n, NEW["address"]) for n in numbers] + [
        ("card_destination", n, NEW["address"]) for n in numbers
    ]
    with unit_of_work(cs_line, clerk_a) as uow:
        kept = uow.session.scalars(select(CardDestinationSent).order_by(CardDestinationSent.id)).all()
        assert [(k.atena_number, k.trigger, k.case_id, k.address, k.postal_code) for k in kept] == [
            (n, "change", case_id, NEW["address"], "2310023") for n in numbers
        ]


def test_a_residence_set_for_number_notices_is_sent_at_once_and_used_by_the_next_change(
    cs_line: Database, clerk_a: Actor, supervisor_a: Actor, family: Household, fake_cs: FakeCs
) -> None:
    taro = family.members[0].atena_number
    with unit_of_work(cs_line, clerk_a) as uow:
        set_mailing_residence(uow, taro, RESIDENCE)
    assert sent_to_cs(fake_cs) == [("card_destination", taro, RESIDENCE["address"])]
    [sent] = fake_cs.received("card_destination")
    assert sent.payload["is_residence"] == "True" and sent.payload["address_katagaki"] == "さくら荘101"
    move_within(cs_line, clerk_a, supervisor_a, [m.atena_number for m in family.members])
    cards = [(a, address) for kind, a, address in sent_to_cs(fake_cs) if kind == "card_destination"]
    assert cards[1:] == [(taro, RESIDENCE["address"]), (family.members[1].atena_number, NEW["address"]),
                         (family.members[2].atena_number, NEW["address"])]  # fmt: skip


@pytest.mark.parametrize(
    ("values", "reason"),
    [({**RESIDENCE, "address": " "}, "居所：入力されていません"), ({**RESIDENCE, "postal_code": "1234"}, "7桁の数字"),
     ({**RESIDENCE, "reason": ""}, "理由：入力されていません")],
)  # fmt: skip
def test_a_residence_without_its_items_is_refused_and_nothing_is_sent(
    db: Database, clerk_a: Actor, family: Household, values: dict[str, str], reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason), unit_of_work(db, clerk_a) as uow:
        set_mailing_residence(uow, family.members[0].atena_number, values)
    with unit_of_work(db, clerk_a) as uow:
        assert uow.session.scalars(select(CardDestinationSent)).all() == []


def test_cs_persons_to_update_are_matched_by_resident_code_and_each_found_gets_its_destination(
    cs_line: Database, city_a: Municipality, clerk_a: Actor, family: Household, fake_cs: FakeCs
) -> None:
    hanako, ichiro = family.members[1], family.members[2]
    stranger = factories.valid_resident_code()
    fake_cs.send("card_destination_targets", {"persons": [{"resident_code": ichiro.resident_code},
                                                          {"resident_code": stranger},
                                                          {"resident_code": hanako.resident_code}]})  # fmt: skip
    run = run_batch_now(
        cs_line, city_a.id, "cs_received_files", {"directory": str(fake_cs.inbound)}, started_by="t"
    )
    assert run.status == "succeeded"
    assert "更新対象者 3 人、送信 2 人、該当なし 1 人" in (run.output or "") and stranger in (
        run.output or ""
    )
    assert sorted(sent_to_cs(fake_cs)) == sorted([("card_destination", hanako.atena_number, family.address),
                                                  ("card_destination", ichiro.atena_number, family.address)])  # fmt: skip
    with unit_of_work(cs_line, clerk_a) as uow:
        assert {k.trigger for k in uow.session.scalars(select(CardDestinationSent))} == {"cs_request"}
        matched = uow.session.scalars(
            select(AccessLog).where(AccessLog.function == "card_targets_matched")
        ).one()
        assert sorted(matched.targets) == sorted([hanako.atena_number, ichiro.atena_number])


def history(uow: UnitOfWork, **filters: Any) -> list[tuple[str | None, str, str | None, str]]:
    return [(r.atena_number, r.trigger_label, r.address, r.delivery_label)
            for r in card_destination_history(uow, **filters)]  # fmt: skip


def test_the_history_of_destinations_sent_is_searched_by_person_period_and_reason(
    cs_line: Database, clerk_a: Actor, supervisor_a: Actor, family: Household, fake_cs: FakeCs
) -> None:
    taro, hanako, ichiro = (m.atena_number for m in family.members)
    move_within(cs_line, clerk_a, supervisor_a, [taro, hanako, ichiro])
    with unit_of_work(cs_line, clerk_a) as uow:
        set_mailing_residence(uow, taro, RESIDENCE)
    today = japan_today()
    with unit_of_work(cs_line, clerk_a) as uow:
        assert history(uow, atena_number=taro) == [
            (taro, "居所の設定", "東京都港区芝公園1丁目1番 さくら荘101", "送信済み"),
            (taro, "異動", NEW["address"], "送信済み"),
        ]
        assert [row[0] for row in history(uow, trigger="change")] == [ichiro, hanako, taro]
        assert len(history(uow, date_from=today, date_to=today)) == 4
        assert history(uow, date_to=today - dt.timedelta(days=1)) == []
    with unit_of_work(cs_line, clerk_a) as uow:
        searched = uow.session.scalars(
            select(AccessLog).where(AccessLog.function == "card_destinations_searched")
        )
        assert len(list(searched)) == 4


def test_the_history_page_withholds_a_protected_persons_household_and_sets_a_residence(
    cs_line: Database, setup_session: Session, city_a: Municipality, users_a: dict[str, User],
    family: Household, fake_cs: FakeCs, client: FlaskClient,
) -> None:  # fmt: skip
    single = factories.make_household(cs_line, factories.actor_for(users_a["clerk"]),
                                      [factories.japanese_member(family_name="鈴木", given_name="次郎")])  # fmt: skip
    login_as(client, users_a["clerk"])
    for person in (single.members[0], family.members[0]):
        form = {"atena_number": person.atena_number, **RESIDENCE}
        assert client.post("/juki-net/card-destinations/residence", data=form).status_code == 302
    factories.protect(setup_session, city_a, family.members[1].atena_number)
    page = client.get("/juki-net/card-destinations").get_data(as_text=True)
    assert "鈴木 次郎" in page and single.members[0].atena_number in page
    assert "山田 太郎" not in page and "支援措置対象者のため表示しません" in page
    refused = client.post("/juki-net/card-destinations/residence", data={**RESIDENCE, "atena_number": "9999999999"},
                          follow_redirects=True)  # fmt: skip
    assert "宛名番号 9999999999 の住民は住民記録にありません" in refused.get_data(as_text=True)


def test_ending_the_residence_sends_the_address_again_and_the_page_shows_the_residence_in_force(
    cs_line: Database, users_a: dict[str, User], family: Household, fake_cs: FakeCs, client: FlaskClient
) -> None:
    taro = family.members[0].atena_number
    login_as(client, users_a["clerk"])
    client.post("/juki-net/card-destinations/residence", data={"atena_number": taro, **RESIDENCE})
    page = client.get("/juki-net/card-destinations", query_string={"atena_number": taro}).get_data(
        as_text=True
    )
    assert "番号通知書類の送付先とする居所" in page and "単身赴任先で受け取るため" in page
    ended = client.post(
        "/juki-net/card-destinations/residence/end", data={"atena_number": taro}, follow_redirects=True
    )
    assert "居所の設定を終了し" in ended.get_data(
        as_text=True
    ) and "単身赴任先で受け取るため" not in ended.get_data(as_text=True)
    assert sent_to_cs(fake_cs) == [("card_destination", taro, RESIDENCE["address"]),
                                   ("card_destination", taro, family.address)]  # fmt: skip
    again = client.post(
        "/juki-net/card-destinations/residence/end", data={"atena_number": taro}, follow_redirects=True
    )
    assert "番号通知書類の送付先とする居所は設定されていません" in again.get_data(as_text=True)
    assert len(fake_cs.received()) == 2


def test_a_residence_set_in_the_transaction_that_created_the_person_is_the_destination_sent(
    db: Database, clerk_a: Actor
) -> None:
    """A person created in this transaction is taken as the session holds them and has no 居所 to read, until
    one is set for them in the same transaction: from then on it is read and sent."""
    from handlers.juki_net.card_notices import current_persons_numbered, residences_of
    from handlers.residents.created_here import created_here
    from handlers.residents.registration import register_household
    from models import OutboxMessage

    with unit_of_work(db, clerk_a) as uow:
        household = register_household(uow, factories.default_address(), factories.japanese_family(),
                                       reason_code="domestic_move_in", change_date="2020-04-01")  # fmt: skip
        numbers = sorted(m.atena_number for m in household.members)
        assert created_here(uow.session, numbers) is not None
        assert [r.atena_number for r, _h in current_persons_numbered(uow, numbers)] == numbers
        assert residences_of(uow, numbers) == {}
        set_mailing_residence(uow, numbers[0], RESIDENCE)
        assert created_here(uow.session, numbers) is None  # the person with a 居所 is read again
        assert list(residences_of(uow, numbers)) == [numbers[0]]
        [sent] = uow.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "card_destination"))
        assert (sent.payload["atena_number"], sent.payload["address"], sent.payload["is_residence"]) == (
            numbers[0],
            RESIDENCE["address"],
            True,
        )


def test_a_refused_residence_keeps_what_was_typed_and_names_the_field_in_japanese(
    cs_line: Database, users_a: dict[str, User], family: Household, fake_cs: FakeCs, client: FlaskClient
) -> None:
    taro = family.members[0].atena_number
    login_as(client, users_a["clerk"])
    refused = client.post("/juki-net/card-destinations/residence",
                          data={**RESIDENCE, "atena_number": taro, "postal_code": "123-45678"})  # fmt: skip
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "郵便番号：" in page  # WTForms' length message said nothing of which field
    assert RESIDENCE["address"] in page and RESIDENCE["reason"] in page and 'value="123-45678"' in page
    assert fake_cs.received() == []
