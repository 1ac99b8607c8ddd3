"""符号の取得 (j1140): a 符号取得要求 goes to CS over the 住基ネット line (the outbox, file drop to the fake CS);
staff see for each request whether it was queued, sent, acknowledged by CS, or failed and why."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.batches import run_batch_now
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ValidationError
from handlers.juki_net.code_requests import code_request_list, request_code
from handlers.outbox_delivery import DeliveryPolicy, deliver_destination
from handlers.uow import unit_of_work
from models import (
    AccessLog,
    CodeRequest,
    Household,
    IntegrationDestination,
    Municipality,
    OutboxMessage,
    User,
)
from tests import factories
from tests.juki_net.fake_cs import FakeCs
from tests.web.conftest import login_as

pytestmark = pytest.mark.req("j1140")


def statuses(db: Database, actor: Actor) -> list[tuple[str | None, str, str | None]]:
    with unit_of_work(db, actor) as uow:
        return [(r.atena_number, r.status, r.error) for r in code_request_list(uow)]


def take_answers(db: Database, city: Municipality, fake_cs: FakeCs) -> str:
    run = run_batch_now(
        db, city.id, "cs_received_files", {"directory": str(fake_cs.inbound)}, started_by="test"
    )
    assert run.status == "succeeded", run.output
    return run.output or ""


def test_a_code_request_is_sent_to_cs_and_shown_acknowledged_once_cs_answers(
    cs_line: Database, city_a: Municipality, clerk_a: Actor, family: Household, fake_cs: FakeCs
) -> None:
    taro, hanako = family.members[0], family.members[1]
    with unit_of_work(cs_line, clerk_a) as uow:
        request_code(uow, taro.atena_number)
        request_code(uow, hanako.atena_number)
    [first, second] = fake_cs.received("code_request")  # delivered after commit, in order
    assert (first.payload["atena_number"], first.payload["resident_code"]) == (
        taro.atena_number,
        taro.resident_code,
    )
    assert second.payload["atena_number"] == hanako.atena_number
    assert statuses(cs_line, clerk_a) == [
        (hanako.atena_number, "sent", None),
        (taro.atena_number, "sent", None),
    ]

    fake_cs.answer_code_requests(refuse={hanako.atena_number: "住民票コードが一致しません"})
    assert "符号取得要求の応答 2 件" in take_answers(cs_line, city_a, fake_cs)
    assert statuses(cs_line, clerk_a) == [
        (hanako.atena_number, "failed", "CSでエラー：住民票コードが一致しません"),
        (taro.atena_number, "acknowledged", None),
    ]
    with unit_of_work(cs_line, clerk_a) as uow:
        logged = set(uow.session.scalars(select(AccessLog.function).where(AccessLog.function.like("code_%"))))
    assert logged == {"code_requested", "code_results_received", "code_requests_listed"}


def test_a_request_cs_cannot_be_reached_for_shows_failed_with_the_transport_error(
    db: Database,
    setup_session: Session,
    city_a: Municipality,
    clerk_a: Actor,
    family: Household,
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "not_a_folder"
    blocked.write_text("a file where CS's folder should be")
    setup_session.add(IntegrationDestination(tenant_id=city_a.id, name="cs", kind="file_drop",
                                             directory=str(blocked), enabled=True))  # fmt: skip
    setup_session.flush()
    with unit_of_work(db, clerk_a) as uow:
        request_code(uow, family.members[0].atena_number)
    assert statuses(db, clerk_a) == [(family.members[0].atena_number, "queued", None)]  # no delivery yet

    run = deliver_destination(db, city_a.id, "cs", DeliveryPolicy(max_attempts=2, base_delay=0))
    assert run.state == "retry"
    [(number, status, error)] = statuses(db, clerk_a)
    assert status == "failed" and error is not None and error.startswith("送信失敗（1回、再試行中）：")
    assert "Not a directory" in error
    deliver_destination(db, city_a.id, "cs", DeliveryPolicy(max_attempts=2, base_delay=0))
    [(number, status, error)] = statuses(db, clerk_a)
    assert status == "failed" and error is not None and error.startswith("送信不能（再送信が必要）")


@pytest.mark.parametrize(
    ("atena", "reason"),
    [
        ("", "宛名番号：入力されていません"),
        ("9999999999", "宛名番号 9999999999 の住民は住民記録にありません"),
    ],
)
def test_a_request_for_no_resident_is_refused_and_queues_nothing(
    db: Database, clerk_a: Actor, family: Household, atena: str, reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason), unit_of_work(db, clerk_a) as uow:
        request_code(uow, atena)
    with unit_of_work(db, clerk_a) as uow:
        assert uow.session.scalars(select(CodeRequest)).all() == []
        assert (
            uow.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "code_request")).all() == []
        )


def test_an_answer_file_without_a_result_is_refused_whole(
    cs_line: Database, city_a: Municipality, clerk_a: Actor, family: Household, fake_cs: FakeCs
) -> None:
    with unit_of_work(cs_line, clerk_a) as uow:
        request_code(uow, family.members[0].atena_number)
    key = fake_cs.received("code_request")[0].payload["request_key"]
    fake_cs.send(
        "code_result", {"results": [{"request_key": key, "result": "accepted"}, {"request_key": key}]}
    )
    assert "取込不可（2件目：要求キーまたは結果" in take_answers(cs_line, city_a, fake_cs)
    assert statuses(cs_line, clerk_a)[0][1] == "sent"


def test_staff_request_a_code_on_the_page_and_see_its_status_without_a_protected_persons_name(
    cs_line: Database, setup_session: Session, city_a: Municipality, users_a: dict[str, User], family: Household,
    client: FlaskClient,
) -> None:  # fmt: skip
    single = factories.make_household(cs_line, factories.actor_for(users_a["clerk"]),
                                      [factories.japanese_member(family_name="鈴木", given_name="次郎")])  # fmt: skip
    factories.protect(setup_session, city_a, family.members[1].atena_number)
    login_as(client, users_a["clerk"])
    for person in (single.members[0], family.members[0]):
        answer = client.post("/juki-net/code-requests", data={"atena_number": person.atena_number})
        assert answer.status_code == 302
    page = client.get("/juki-net/code-requests", follow_redirects=True).get_data(as_text=True)
    assert "鈴木 次郎" in page and page.count("<td>送信済み（応答待ち）</td>") == 2
    assert "山田 太郎" not in page and "支援措置対象者のため表示しません" in page
    refused = client.post(
        "/juki-net/code-requests", data={"atena_number": "9999999999"}, follow_redirects=True
    )
    assert "宛名番号 9999999999 の住民は住民記録にありません" in refused.get_data(as_text=True)
