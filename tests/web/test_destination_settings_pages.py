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
from handlers.uow import unit_of_work
from models.audit import AccessLog
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
