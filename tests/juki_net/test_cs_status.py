"""電子証明書のシリアル番号取得 (j1160): the serial number of a person's 利用者証明用電子証明書 asked of CS and
its answer taken in; 住基ネット's operating status and the 電文 that ended in error, in one place."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ValidationError
from handlers.juki_net.certificate_serials import request_certificate_serial
from handlers.juki_net.code_requests import request_code
from handlers.juki_net.cs_status import cs_errors, operating_status
from handlers.juki_net.person_requests import person_request_list
from handlers.outbox_delivery import DeliveryPolicy, deliver_destination
from handlers.uow import unit_of_work
from models import (
    CsPersonRequest,
    Household,
    IntegrationDestination,
    Municipality,
    OutboxMessage,
    Resident,
    User,
)
from tests import factories
from tests.juki_net.fake_cs import FakeCs, take_files
from tests.web.conftest import login_as

pytestmark = pytest.mark.req("j1160")
SERIALS = ("certificate_serial",)


def serials(db: Database, actor: Actor) -> list[tuple[str | None, str, str | None, str | None]]:
    with unit_of_work(db, actor) as uow:
        return [
            (r.atena_number, r.status, r.serial_number, r.error) for r in person_request_list(uow, SERIALS)
        ]


@pytest.mark.req("j1160", "j10", "j20")
def test_the_serial_number_of_a_persons_certificate_is_asked_of_cs_and_the_answer_is_taken_in(
    cs_line: Database, city_a: Municipality, clerk_a: Actor, family: Household, fake_cs: FakeCs
) -> None:
    taro, hanako = family.members[0], family.members[1]
    with unit_of_work(cs_line, clerk_a) as uow:
        request_certificate_serial(uow, taro.atena_number)
        request_certificate_serial(uow, hanako.atena_number)
    asked = fake_cs.received("certificate_serial")
    assert [(f.payload["atena_number"], f.payload["resident_code"]) for f in asked] == [
        (taro.atena_number, taro.resident_code), (hanako.atena_number, hanako.resident_code),
    ]  # fmt: skip
    assert asked[0].payload["certificate"] == "user_authentication"  # 利用者証明用電子証明書
    assert serials(cs_line, clerk_a) == [
        (hanako.atena_number, "sent", None, None),
        (taro.atena_number, "sent", None, None),
    ]

    fake_cs.answer_requests(
        "certificate_serial",
        {taro.atena_number: {"serial_number": "0A1B2C3D4E5F"},
         hanako.atena_number: {"result": "refused", "error": "有効な利用者証明用電子証明書がありません"}},
        "certificate_serial_result",
    )  # fmt: skip
    assert "シリアル番号取得要求の応答 2 件" in take_files(cs_line, city_a, fake_cs)
    assert serials(cs_line, clerk_a) == [
        (hanako.atena_number, "failed", None, "CSでエラー：有効な利用者証明用電子証明書がありません"),
        (taro.atena_number, "done", "0A1B2C3D4E5F", None),
    ]
    with unit_of_work(cs_line, clerk_a) as uow:  # kept as the person's item too (j10)
        kept = dict(
            uow.session.execute(select(Resident.atena_number, Resident.user_certificate_serial)).all()
        )
    assert (kept[taro.atena_number], kept[hanako.atena_number]) == ("0A1B2C3D4E5F", None)


def test_an_answer_without_a_serial_number_refuses_the_file_and_keeps_nothing(
    cs_line: Database, city_a: Municipality, clerk_a: Actor, family: Household, fake_cs: FakeCs
) -> None:
    taro = family.members[0]
    with unit_of_work(cs_line, clerk_a) as uow:
        request_certificate_serial(uow, taro.atena_number)
    fake_cs.answer_requests("certificate_serial", {}, "certificate_serial_result")
    output = take_files(cs_line, city_a, fake_cs)
    assert (
        "取込不可（要求番号 " in output and "：シリアル番号がないか、英数字40桁以内ではありません" in output
    )
    assert serials(cs_line, clerk_a) == [(taro.atena_number, "sent", None, None)]


@pytest.mark.parametrize(
    ("atena", "reason"),
    [
        ("", "宛名番号：入力されていません"),
        ("9999999999", "宛名番号 9999999999 の住民は住民記録にありません"),
    ],
)
def test_a_serial_request_for_no_resident_is_refused_and_queues_nothing(
    db: Database, clerk_a: Actor, family: Household, atena: str, reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason), unit_of_work(db, clerk_a) as uow:
        request_certificate_serial(uow, atena)
    with unit_of_work(db, clerk_a) as uow:
        assert uow.session.scalars(select(CsPersonRequest)).all() == []
        assert (
            uow.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "certificate_serial")).all()
            == []
        )


def test_the_operating_status_shows_the_last_success_what_waits_and_what_cs_says_of_itself(
    cs_line: Database, city_a: Municipality, clerk_a: Actor, family: Household, fake_cs: FakeCs
) -> None:
    with unit_of_work(cs_line, clerk_a) as uow:
        before = operating_status(uow)
    assert (before.last_sent_at, before.waiting, before.cs_state, before.healthy) == (None, 0, None, True)
    with unit_of_work(cs_line, clerk_a) as uow:
        request_certificate_serial(uow, family.members[0].atena_number)
    fake_cs.send_status("maintenance", "定期保守のため23時に停止します")
    assert "CSの稼働状況：保守作業中" in take_files(cs_line, city_a, fake_cs)
    with unit_of_work(cs_line, clerk_a) as uow:
        after = operating_status(uow)
    assert after.last_sent_at is not None and (after.waiting, after.failing, after.dead) == (0, 0, 0)
    assert (after.cs_state, after.cs_message) == ("保守作業中", "定期保守のため23時に停止します")
    assert (
        after.cs_as_of == "令和8年11月27日 09:00"
    )  # CS's "2026-11-27T09:00", its own (Japan) clock, in 和暦
    assert not after.healthy


def test_failed_messages_cs_refusals_and_refused_files_are_shown_in_one_place(
    db: Database, setup_session: Session, city_a: Municipality, clerk_a: Actor, family: Household,
    fake_cs: FakeCs, tmp_path: Path,
) -> None:  # fmt: skip
    blocked = tmp_path / "not_a_folder"
    blocked.write_text("a file where CS's folder should be")
    setup_session.add(IntegrationDestination(tenant_id=city_a.id, name="cs", kind="file_drop",
                                             directory=str(blocked), enabled=True))  # fmt: skip
    setup_session.flush()
    taro, hanako = family.members[0], family.members[1]
    with unit_of_work(db, clerk_a) as uow:
        request_certificate_serial(uow, taro.atena_number)
        request_code(uow, hanako.atena_number)
    deliver_destination(db, city_a.id, "cs", DeliveryPolicy(max_attempts=1, base_delay=0))
    fake_cs.send("certificate_serial_result", {"results": [{"request_key": "x"}]})
    take_files(db, city_a, fake_cs)
    with unit_of_work(db, clerk_a) as uow:
        status, errors = operating_status(uow), cs_errors(uow)
    assert (status.waiting, status.failing, status.dead) == (1, 0, 1)  # the 符号取得要求 waits behind
    assert status.last_error is not None and "Not a directory" in status.last_error and not status.healthy
    sending = [e for e in errors if e.source == "送信"]
    assert [(e.label, e.atena_number, e.resendable) for e in sending] == [
        ("シリアル番号取得要求（通番 1）", taro.atena_number, True)
    ]
    assert sending[0].error.startswith("送信不能（再送信が必要）：")
    [refused_file] = [e for e in errors if e.source == "受信ファイル"]
    assert refused_file.error.startswith("取込不可：1件目：要求キーまたは結果")


def test_staff_see_the_status_page_with_errors_and_request_a_serial_on_its_page(
    cs_line: Database, setup_session: Session, city_a: Municipality, users_a: dict[str, User], clerk_a: Actor,
    family: Household, fake_cs: FakeCs, client: FlaskClient,
) -> None:  # fmt: skip
    single = factories.make_household(
        cs_line, clerk_a, [factories.japanese_member(family_name="鈴木", given_name="次郎")]
    )
    login_as(client, users_a["clerk"])
    jiro, hanako = single.members[0], family.members[1]
    for atena in (jiro.atena_number, hanako.atena_number):
        assert client.post("/juki-net/certificate-serials", data={"atena_number": atena}).status_code == 302
    fake_cs.answer_requests("certificate_serial", {hanako.atena_number: {"result": "refused", "error": "証明書失効"},
                                                   jiro.atena_number: {"serial_number": "SN0001"}},
                            "certificate_serial_result")  # fmt: skip
    take_files(cs_line, city_a, fake_cs)
    factories.protect(setup_session, city_a, hanako.atena_number)
    page = client.get("/juki-net/certificate-serials").get_data(as_text=True)
    assert "SN0001" in page and "鈴木 次郎" in page and "支援措置対象者のため表示しません" in page
    assert "山田 花子" not in page and hanako.atena_number not in page
    status = client.get("/juki-net/status").get_data(as_text=True)
    assert "最後に送信できた日時" in status and "CSでエラー：証明書失効" in status
    assert hanako.atena_number not in status  # the refusal is shown, not whom it is about
    refused = client.post(
        "/juki-net/certificate-serials", data={"atena_number": "9999999999"}, follow_redirects=True
    )
    assert "宛名番号 9999999999 の住民は住民記録にありません" in refused.get_data(as_text=True)
