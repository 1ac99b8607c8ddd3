"""連携先の設定 (j1090, j1150, j1190, j1200): the administrator views and edits the municipality's destinations
with validated forms; the HMAC secret is never shown and only replaced; every save is a ``setting`` row in the
access log without the secret; other roles and another municipality are refused."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.context import Actor
from handlers.db import Database
from handlers.destination_settings import destination_names
from handlers.labels import destination_label
from handlers.uow import unit_of_work
from models.audit import AccessLog
from models.change import OutboxMessage
from models.integration import IntegrationDestination
from models.tenant import Municipality

pytestmark = pytest.mark.req("j1090", "j1190")
SECRET = "subscriber-secret-0123456789"
SUBSCRIBER = {
    "name": "subscriber:tax", "kind": "http_json", "url": "https://tax.example.lg.jp/notices",
    "new_secret": SECRET, "subscription": "near_realtime_delta", "enabled": "y",
}  # fmt: skip


def destinations(db: Database, city: Municipality) -> list[IntegrationDestination]:
    with unit_of_work(db, Actor.system(city.id)) as uow:
        return list(uow.session.scalars(select(IntegrationDestination).order_by(IntegrationDestination.id)))


def saved_logs(db: Database, city: Municipality) -> list[AccessLog]:
    with unit_of_work(db, Actor.system(city.id)) as uow:
        query = select(AccessLog).where(AccessLog.function == "integration_destination_saved")
        return list(uow.session.scalars(query.order_by(AccessLog.id)))


def test_the_administrator_adds_a_subscriber_and_its_secret_is_kept_but_never_shown(
    sign_in: Any, users_a: dict[str, Any], db: Database, city_a: Municipality
) -> None:
    client = sign_in(users_a["administrator"])
    assert client.get("/settings/destinations").status_code == 200
    assert client.get("/settings/destinations/new").status_code == 200
    created = client.post("/settings/destinations/new", data=SUBSCRIBER)
    assert created.status_code == 302
    [row] = destinations(db, city_a)
    assert (row.name, row.kind, row.url, row.secret, row.subscription, row.enabled) == (
        "subscriber:tax", "http_json", "https://tax.example.lg.jp/notices", SECRET, "near_realtime_delta", True,
    )  # fmt: skip
    listing = client.get("/settings/destinations").get_data(as_text=True)
    edit = client.get(f"/settings/destinations/{row.id}").get_data(as_text=True)
    assert "宛名連携先「tax」" in listing and "準即時差分（10分以内）" in listing and "設定済み" in listing
    assert SECRET not in listing and SECRET not in edit
    assert 'value="https://tax.example.lg.jp/notices"' in edit
    [log] = saved_logs(db, city_a)
    assert (log.action, log.login_id) == ("setting", users_a["administrator"].login_id)
    assert SECRET not in str(log.detail) and log.detail["destination"] == "subscriber:tax"


@pytest.mark.req("j1200")
def test_a_blank_secret_keeps_the_old_one_and_an_entered_one_replaces_it(
    sign_in: Any, users_a: dict[str, Any], db: Database, city_a: Municipality
) -> None:
    client = sign_in(users_a["administrator"])
    client.post("/settings/destinations/new", data=SUBSCRIBER)
    [row] = destinations(db, city_a)
    kept = {**SUBSCRIBER, "new_secret": "", "subscription": "realtime_delta"}
    assert client.post(f"/settings/destinations/{row.id}", data=kept).status_code == 302
    [row] = destinations(db, city_a)
    assert (row.secret, row.subscription) == (SECRET, "realtime_delta")
    replaced = {**kept, "new_secret": "another-secret-9876543210", "enabled": ""}
    assert client.post(f"/settings/destinations/{row.id}", data=replaced).status_code == 302
    [row] = destinations(db, city_a)
    assert (row.secret, row.enabled) == ("another-secret-9876543210", False)
    changed = [log.detail["changed"] for log in saved_logs(db, city_a)]
    assert changed[1] == ["subscription"] and changed[2] == ["enabled", "secret"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"url": ""}, "送信先URL：入力されていません"),
        ({"url": "ftp//tax"}, "URLの形式で入力してください"),
        ({"subscription": ""}, "連携方式：選択されていません"),
        ({"name": "tax"}, "連携先の名前ではありません"),
        ({"new_secret": ""}, "HMAC鍵：設定されていません"),
        ({"kind": "file_drop", "directory": "outbox/tax"}, "/ で始まる絶対パスを入力してください"),
        ({"name": "cs", "subscription": "full"}, "地域情報PFの業務ユニットにだけ指定できます"),
    ],
)
def test_a_wrong_setting_is_explained_in_japanese_and_nothing_is_saved(
    sign_in: Any,
    users_a: dict[str, Any],
    db: Database,
    city_a: Municipality,
    change: dict[str, str],
    message: str,
) -> None:
    page = sign_in(users_a["administrator"]).post("/settings/destinations/new", data={**SUBSCRIBER, **change})
    assert page.status_code == 422
    assert message in page.get_data(as_text=True)
    assert destinations(db, city_a) == [] and saved_logs(db, city_a) == []


def test_a_second_destination_of_the_same_name_is_refused(
    sign_in: Any, users_a: dict[str, Any], db: Database, city_a: Municipality
) -> None:
    client = sign_in(users_a["administrator"])
    client.post("/settings/destinations/new", data=SUBSCRIBER)
    again = client.post("/settings/destinations/new", data=SUBSCRIBER)
    assert again.status_code == 422 and "同じ名前の連携先が既にあります" in again.get_data(as_text=True)
    assert len(destinations(db, city_a)) == 1


@pytest.mark.req("j1380")
def test_other_roles_and_another_municipality_cannot_see_or_change_the_settings(
    sign_in: Any,
    users_a: dict[str, Any],
    users_b: dict[str, Any],
    setup_session: Session,
    city_a: Municipality,
    db: Database,
) -> None:
    row = IntegrationDestination(tenant_id=city_a.id, name="cs", kind="relay", secret=SECRET, enabled=True)
    setup_session.add(row)
    setup_session.flush()
    for role in ("clerk", "supervisor", "auditor"):
        client = sign_in(users_a[role])
        assert client.get("/settings/destinations").status_code == 403
        assert (
            client.post(f"/settings/destinations/{row.id}", data={**SUBSCRIBER, "name": "cs"}).status_code
            == 403
        )
    other = sign_in(users_b["administrator"])
    assert "住基ネット CS" not in other.get("/settings/destinations").get_data(as_text=True)
    assert other.get(f"/settings/destinations/{row.id}").status_code == 404
    assert (
        other.post(f"/settings/destinations/{row.id}", data={**SUBSCRIBER, "name": "cs"}).status_code == 404
    )
    assert [(d.name, d.kind, d.secret) for d in destinations(db, city_a)] == [("cs", "relay", SECRET)]


def test_the_navigation_links_the_settings_for_the_administrator(
    sign_in: Any, users_a: dict[str, Any]
) -> None:
    body = sign_in(users_a["administrator"]).get("/account").get_data(as_text=True)
    assert 'href="/settings/destinations"' in body


def dead_letter(setup_session: Session, city: Municipality, destination: str, seq: int = 1) -> None:
    setup_session.add(OutboxMessage(tenant_id=city.id, destination=destination, kind="identity_change", payload={},
                                    idempotency_key=f"T-{city.id}-{seq}@{destination}", seq=seq, status="dead"))  # fmt: skip
    setup_session.flush()


def test_a_subscriber_is_named_by_the_display_name_the_administrator_gives_it(
    sign_in: Any, users_a: dict[str, Any], db: Database, city_a: Municipality
) -> None:
    client = sign_in(users_a["administrator"])
    assert (
        client.post(
            "/settings/destinations/new", data={**SUBSCRIBER, "display_name": "住民税システム"}
        ).status_code
        == 302
    )
    [row] = destinations(db, city_a)
    assert row.display_name == "住民税システム"
    listing = client.get("/settings/destinations").get_data(as_text=True)
    assert "宛名連携先「住民税システム」" in listing and "<code>subscriber:tax</code>" in listing
    edit = client.get(f"/settings/destinations/{row.id}").get_data(as_text=True)
    assert 'value="住民税システム"' in edit
    changed = {**SUBSCRIBER, "new_secret": "", "display_name": "市民税・県民税システム"}
    assert client.post(f"/settings/destinations/{row.id}", data=changed).status_code == 302
    assert "display_name" in saved_logs(db, city_a)[-1].detail["changed"]
    cleared = {**SUBSCRIBER, "new_secret": "", "display_name": "  "}
    assert client.post(f"/settings/destinations/{row.id}", data=cleared).status_code == 302
    assert destinations(db, city_a)[0].display_name is None
    assert "宛名連携先「tax」" in client.get("/settings/destinations").get_data(as_text=True)


def test_a_display_name_is_refused_for_a_destination_that_is_no_subscriber(
    sign_in: Any, users_a: dict[str, Any], db: Database, city_a: Municipality
) -> None:
    client = sign_in(users_a["administrator"])
    cs = {"name": "cs", "kind": "relay", "display_name": "CS", "subscription": "", "enabled": "y"}
    refused = client.post("/settings/destinations/new", data=cs)
    assert refused.status_code == 422 and '<a href="#display_name">' in refused.get_data(as_text=True)
    assert destinations(db, city_a) == []


def test_the_dead_letters_and_the_case_page_name_a_subscriber_by_its_own_municipalitys_display_name(
    sign_in: Any, users_a: dict[str, Any], db: Database, setup_session: Session,
    city_a: Municipality, city_b: Municipality,
) -> None:  # fmt: skip
    for city, shown in ((city_a, "住民税システム"), (city_b, "上田市の税務システム")):
        setup_session.add(IntegrationDestination(tenant_id=city.id, name="subscriber:tax", kind="http_json",
                                                 subscription="full", display_name=shown))  # fmt: skip
    dead_letter(setup_session, city_a, "subscriber:tax")
    dead_letter(setup_session, city_a, "subscriber:nhi", seq=2)  # no row: named from the catalogue
    dead_letter(setup_session, city_b, "subscriber:tax")
    page = sign_in(users_a["supervisor"]).get("/outbox").get_data(as_text=True)
    assert "宛名連携先「住民税システム」" in page and "宛名連携先「国民健康保険」" in page
    assert "上田市の税務システム" not in page
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        assert destination_names(uow, ["subscriber:tax", "subscriber:nhi", "cs", None]) == {
            "subscriber:tax": "住民税システム"
        }
        assert destination_names(uow, ["cs", "municipality:202118"]) == {}


def test_resending_a_dead_letter_names_its_destination_and_a_second_resend_is_refused_in_japanese(
    sign_in: Any, users_a: dict[str, Any], setup_session: Session, city_a: Municipality
) -> None:
    setup_session.add(IntegrationDestination(tenant_id=city_a.id, name="subscriber:tax", kind="http_json",
                                             subscription="full", display_name="住民税システム"))  # fmt: skip
    dead_letter(setup_session, city_a, "subscriber:tax")
    [message] = setup_session.scalars(select(OutboxMessage)).all()
    client = sign_in(users_a["supervisor"])
    resent = client.post(f"/outbox/{message.id}/resend", follow_redirects=True).get_data(as_text=True)
    assert "（送信先：宛名連携先「住民税システム」）を再送信しました" in resent
    again = client.post(f"/outbox/{message.id}/resend")
    assert (
        again.status_code == 409
        and "送信不能（デッドレター）となった通知だけを再送信できます" in again.get_data(as_text=True)
    )


def test_a_stored_display_name_names_only_a_subscriber() -> None:
    names = {"subscriber:tax": "住民税システム", "cs": "別名"}
    assert destination_label("subscriber:tax", names) == "宛名連携先「住民税システム」"
    assert destination_label("cs", names) == "住基ネット CS"
    assert destination_label("subscriber:kaigo", names) == "宛名連携先「kaigo」"
