"""Adapters: the CS character hook, the fixed-layout file drop, the relay service's HMAC door, the 宛名連携
subscribers (j1190, j1150, j1200) and the supervisors' dead-letter page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from handlers.context import Actor
from handlers.db import Database
from handlers.integration.charset import to_network_charset
from handlers.integration.file_drop import HEADER, ITEM_WIDTH, VALUE_WIDTH
from handlers.integration.messages import encode, sign
from handlers.integration.subscribers import request_full_extract
from handlers.outbox_sweep import sweep
from handlers.uow import unit_of_work
from models.tenant import Municipality
from tests.factories import make_household
from tests.integration.conftest import configure, messages, queue_messages
from tests.integration.receiver import Receiver
from webui.relay.views import create_relay_app


@pytest.mark.req("j1090")
@pytest.mark.parametrize(
    ("name", "network"),
    [
        ("髙橋 一郎", "高橋 一郎"),  # 髙 is outside JIS X 0208
        ("葛\U000e0100飾", "葛飾"),  # the variation selector is dropped
        ("𠮷野", "吉野"),
        ("渡邊", "渡邊"),  # in JIS X 0208: kept as it is
        ("𪚥", "〓"),  # no fallback: 下駄記号
        (None, None),
    ],
)
def test_names_for_cs_are_made_jis_x0208_safe(name: str | None, network: str | None) -> None:
    assert to_network_charset(name) == network


@pytest.mark.req("j1200")
def test_the_file_drop_writes_one_fixed_width_shift_jis_file_per_message(
    delivering: Database, setup_session: Session, city_a: Municipality, clerk_a: Actor, tmp_path: Path
) -> None:
    configure(setup_session, city_a.id, "koseki_fuhyo", "file_drop", directory=str(tmp_path))
    queue_messages(delivering, clerk_a, "koseki_fuhyo", 2)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["141003_koseki_fuhyo_0000000001.dat", "141003_koseki_fuhyo_0000000002.dat"]
    lines = (tmp_path / files[0]).read_bytes().split(b"\r\n")
    assert lines[-1] == b""
    header, *items, trailer = lines[:-1]
    assert len(header) == 1 + sum(width for _, width in HEADER)
    assert header[:7] == b"H141003" and header[77:87] == b"0000000001"
    assert all(len(line) == 1 + ITEM_WIDTH + VALUE_WIDTH and line[:1] == b"D" for line in items)
    assert trailer == b"T" + f"{len(items):06d}".encode()
    by_item = {line[1:61].decode("cp932").strip(): line[61:].decode("cp932").strip() for line in items}
    assert by_item["name"] == "高橋 一郎" and by_item["atena_number"] == "0000000019"
    assert [m.status for m in messages(delivering, clerk_a, "koseki_fuhyo")] == ["sent", "sent"]
    assert not list(tmp_path.glob(".*.tmp"))  # written under a temporary name and renamed


@pytest.mark.req("j1090")
def test_the_relay_service_accepts_only_bodies_signed_with_the_senders_secret(
    db: Database, setup_session: Session, city_a: Municipality, city_b: Municipality
) -> None:
    configure(setup_session, city_b.id, "cs", "relay", url="http://relay.invalid", secret="b-secret")
    client = create_relay_app(db).test_client()
    body = encode(
        {
            "sender": {"code": city_b.code, "name": city_b.name},
            "destination": "cs",
            "kind": "move_out_certificate_info",
            "seq": 1,
            "idempotency_key": "R-1:1",
            "payload": {
                "destination_planned_code": city_a.code,
                "resident_code": "12345678901",
                "name": "山田 花子",
            },
        }
    )
    headers = {"X-Jumin-Sender": city_b.code, "Content-Type": "application/json"}
    forged = client.post(
        "/relay/messages", data=body, headers={**headers, "X-Jumin-Signature": sign("wrong", body)}
    )
    assert forged.status_code == 403
    posing = client.post(
        "/relay/messages",
        data=body,
        headers={**headers, "X-Jumin-Sender": city_a.code, "X-Jumin-Signature": sign("b-secret", body)},
    )
    assert posing.status_code == 403
    good = client.post(
        "/relay/messages", data=body, headers={**headers, "X-Jumin-Signature": sign("b-secret", body)}
    )
    assert (good.status_code, good.get_json()) == (200, {"routed_to": city_a.code, "duplicate": False})
    again = client.post(
        "/relay/messages", data=body, headers={**headers, "X-Jumin-Signature": sign("b-secret", body)}
    )
    assert again.get_json()["duplicate"] is True


@pytest.mark.req("j1190", "j1150")
def test_addressee_notices_reach_realtime_subscribers_at_once_and_near_realtime_ones_in_the_batch_run(
    delivering: Database, setup_session: Session, city_a: Municipality, clerk_a: Actor
) -> None:
    with Receiver("s") as realtime, Receiver("s") as batched, Receiver("s") as addressee:
        configure(setup_session, city_a.id, "addressee", url=addressee.url, secret="s")
        configure(
            setup_session,
            city_a.id,
            "subscriber:tax",
            url=realtime.url,
            secret="s",
            subscription="realtime_delta",
        )
        configure(
            setup_session,
            city_a.id,
            "subscriber:nhi",
            url=batched.url,
            secret="s",
            subscription="near_realtime_delta",
        )
        keys = queue_messages(delivering, clerk_a, "addressee", 2)
        assert addressee.state.keys_in_order() == keys  # 団体内統合宛名 (j1150)
        assert realtime.state.keys_in_order() == [f"{k}@subscriber:tax" for k in keys]
        assert batched.state.received == []
        assert [
            r.destination for r in sweep(delivering)
        ] == []  # the minute sweep leaves the batch subscriber
        assert [r.destination for r in sweep(delivering, near_realtime=True)] == ["subscriber:nhi"]
        [batch] = batched.state.received  # one request for the run (handlers.outbox_batch)
        assert [m["idempotency_key"] for m in batch.body["payload"]["messages"]] == [
            f"{k}@subscriber:nhi" for k in keys
        ]
        assert realtime.state.received[0].body["payload"]["name"] == "髙橋 一郎"  # MJ characters kept (j1190)


@pytest.mark.req("j1190")
def test_a_full_subscriber_gets_a_full_extract_on_request(
    delivering: Database, setup_session: Session, city_a: Municipality, clerk_a: Actor, users_a: dict
) -> None:
    from tests.factories import actor_for

    make_household(delivering, clerk_a)
    with Receiver("s") as full:
        configure(setup_session, city_a.id, "subscriber:stats", url=full.url, secret="s", subscription="full")
        with unit_of_work(delivering, actor_for(users_a["administrator"])) as uow:
            request_full_extract(uow, "subscriber:stats")
        [extract] = full.state.received
    assert extract.body["kind"] == "full_extract"
    residents = extract.body["payload"]["residents"]
    assert [r["name"] for r in residents] == ["山田 太郎", "山田 花子", "山田 一郎"]


@pytest.mark.req("j1090", "j1160")
def test_supervisors_see_the_dead_letters_page_and_resend_from_it(
    app: Flask,
    delivering: Database,
    setup_session: Session,
    city_a: Municipality,
    clerk_a: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.web.auth_helpers import sign_in

    monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "1")
    configure(setup_session, city_a.id, "cs", url="http://127.0.0.1:9/nowhere", secret="s")
    queue_messages(delivering, clerk_a, "cs", 1)
    client = app.test_client()
    sign_in(client, "supervisor@141003")
    page = client.get("/outbox")
    assert page.status_code == 200 and "T:1" in page.get_data(as_text=True)
    [dead] = messages(delivering, clerk_a, "cs")
    answer = client.post(f"/outbox/{dead.id}/resend")
    assert answer.status_code == 302
    [again] = messages(delivering, clerk_a, "cs")
    assert (again.status, again.attempts) == ("dead", 1)  # resent, failed again at once (receiver still down)
    assert json.dumps(again.payload) == json.dumps(dead.payload)
