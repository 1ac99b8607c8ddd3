"""The auditor's access-log screen: search by the form, results in Japan time, the chain status; clerks are
refused, another municipality's rows never show, and viewing the log is itself logged."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier
from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

import models
from handlers import audit
from handlers.audit import record_access
from handlers.clock import JST
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from models.audit import AccessLog
from tests import factories

pytestmark = pytest.mark.req("j1370")

# (Japan time, function, action, targets, 個人番号 shown)
ROWS = [
    (dt.datetime(2026, 6, 3, 10, 0, tzinfo=JST), "resident_viewed", "view", ["000000011"], False),
    (dt.datetime(2026, 6, 3, 23, 30, tzinfo=JST), "resident_searched", "search", [], False),
    (dt.datetime(2026, 6, 6, 11, 0, tzinfo=JST), "resident_viewed", "view", ["000000029"], True),
    (dt.datetime(2026, 5, 4, 14, 0, tzinfo=JST), "certificate_issued", "print", ["000000011"], False),
    (dt.datetime(2026, 6, 4, 9, 0, tzinfo=JST), "resident_viewed", "view", ["000000037"], True),
]


def sign_in_as(client: FlaskClient, user: models.User) -> None:
    """Write the Flask-Login session as a completed sign-in does (user id, freshness, the session-protection
    identifier, and the idle-timeout clock of webui.auth)."""
    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        session["_id"] = identifier
        session["last_seen"] = time.time()


def log_rows(
    db: Database, actor: Actor, monkeypatch: pytest.MonkeyPatch, function: str | None = None
) -> None:
    for when, logged_function, action, targets, my_number in ROWS:
        monkeypatch.setattr(audit, "_now", lambda when=when: when.astimezone(dt.UTC))
        with unit_of_work(db, actor) as uow:
            record_access(uow, function or logged_function, action, targets, my_number_shown=my_number)
    monkeypatch.undo()


@pytest.fixture
def logged(
    db: Database, clerk_a: Actor, users_b: dict[str, models.User], monkeypatch: pytest.MonkeyPatch
) -> None:
    log_rows(db, clerk_a, monkeypatch)
    log_rows(db, factories.actor_for(users_b["clerk"]), monkeypatch, function="city_b_function")


def result_count(html: str) -> int:
    match = re.search(r"検索結果（(\d+)件", html)
    assert match, "no results section"
    return int(match.group(1))


def result_rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)


def viewed_rows(session: Session, tenant_id: int) -> list[AccessLog]:
    return list(
        session.scalars(
            select(AccessLog)
            .where(AccessLog.tenant_id == tenant_id, AccessLog.function == "access_log_viewed")
            .execution_options(populate_existing=True)
        )
    )


def test_auditor_sees_the_log_newest_first_in_japan_time(
    client: FlaskClient, users_a: dict[str, models.User], logged: None
) -> None:
    sign_in_as(client, users_a["auditor"])
    html = client.get("/audit-log").get_data(as_text=True)
    assert "アクセスログ照会" in html
    assert result_count(html) == 5
    rows = result_rows(html)
    assert len(rows) == 5
    assert "<td>5</td>" in rows[0] and "令和8年6月4日 09:00:00" in rows[0]
    oldest = rows[-1]
    assert "令和8年6月3日 10:00:00" in oldest
    assert "clerk@141003" in oldest and "127.0.0.1" in oldest
    assert "住民記録照会" in oldest and "照会" in oldest and "000000011" in oldest and "なし" in oldest
    assert "夜間・休日" in rows[3]  # 23:30 on 2026-06-03


@pytest.mark.parametrize(
    ("query", "count", "must_show"),
    [
        ("target=000000029", 1, "000000029"),
        ("target=０００００００１１", 2, "000000011"),  # full-width digits are folded
        ("my_number_only=y", 2, "<td>あり</td>"),
        ("off_hours_only=y", 3, "夜間・休日"),
        ("action=print", 1, "帳票発行"),
        ("function=resident_searched", 1, "住民検索"),
        ("login_id=clerk@141003", 5, "clerk@141003"),
        ("occurred_from=令和8年6月3日&occurred_to=2026-06-04", 3, "令和8年6月"),
    ],
)
def test_search_form_filters(
    client: FlaskClient, users_a: dict[str, models.User], logged: None, query: str, count: int, must_show: str
) -> None:
    sign_in_as(client, users_a["auditor"])
    html = client.get(f"/audit-log?{query}").get_data(as_text=True)
    assert result_count(html) == count
    assert len(result_rows(html)) == count
    assert all(must_show in row for row in result_rows(html))


def test_bad_date_is_refused_in_japanese_and_nothing_is_searched(
    client: FlaskClient, setup_session: Session, users_a: dict[str, models.User], logged: None
) -> None:
    sign_in_as(client, users_a["auditor"])
    html = client.get("/audit-log?occurred_from=2026-13-45").get_data(as_text=True)
    assert "入力内容に誤りがあります" in html
    assert "期間（自）" in html
    assert "検索結果" not in html
    assert viewed_rows(setup_session, users_a["auditor"].tenant_id) == []


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("occurred_from=0001-01-01", 5),
        ("occurred_to=9999-12-31", 5),
        ("occurred_from=0001-01-01&occurred_to=9999-12-31&off_hours_only=y", 3),
    ],
)
def test_a_period_reaching_the_first_or_last_day_of_the_calendar_searches_everything(
    client: FlaskClient, users_a: dict[str, models.User], logged: None, query: str, count: int
) -> None:
    sign_in_as(client, users_a["auditor"])
    reply = client.get(f"/audit-log?{query}")
    assert reply.status_code == 200
    assert result_count(reply.get_data(as_text=True)) == count
    download = client.get(f"/audit-log/download?{query}")
    assert download.status_code == 200  # (the search itself was logged, so the file holds one row more)
    assert len(download.get_data(as_text=True).splitlines()) == 1 + count + 1


def test_viewing_the_log_is_itself_logged(
    client: FlaskClient, setup_session: Session, users_a: dict[str, models.User], logged: None
) -> None:
    auditor = users_a["auditor"]
    sign_in_as(client, auditor)
    assert client.get("/audit-log?target=000000029").status_code == 200
    (row,) = viewed_rows(setup_session, auditor.tenant_id)
    assert (row.action, row.login_id, row.targets) == ("view", "auditor@141003", ["000000029"])
    assert row.detail["hits"] == 1


def test_a_clerk_is_refused(
    client: FlaskClient, setup_session: Session, users_a: dict[str, models.User], logged: None
) -> None:
    sign_in_as(client, users_a["clerk"])
    response = client.get("/audit-log")
    assert response.status_code == 403
    assert viewed_rows(setup_session, users_a["clerk"].tenant_id) == []


def test_signed_out_visitor_is_sent_to_sign_in(client: FlaskClient, logged: None) -> None:
    response = client.get("/audit-log")
    assert response.status_code in (302, 401)


def test_city_b_auditor_never_sees_city_a_rows(
    client: FlaskClient, users_b: dict[str, models.User], logged: None
) -> None:
    sign_in_as(client, users_b["auditor"])
    html = client.get("/audit-log").get_data(as_text=True)
    assert result_count(html) == 5
    assert "clerk@141003" not in html
    assert "住民記録照会" not in html  # city A's function; city B logged only city_b_function
    assert all("clerk@202118" in row and "city_b_function" in row for row in result_rows(html))


def test_chain_status_line_shows_ok_and_then_the_break(
    client: FlaskClient, connection: Connection, users_a: dict[str, models.User], logged: None
) -> None:
    auditor = users_a["auditor"]
    sign_in_as(client, auditor)
    html = client.get("/audit-log").get_data(as_text=True)
    assert "改ざん検証：正常（最終連番 5、直近 5 件" in html

    trigger = (
        "access_log_append_only ON access_log"
        if connection.dialect.name == "postgresql"
        else "access_log_no_update"
    )
    connection.execute(text(f"DROP TRIGGER {trigger}"))
    connection.execute(
        text("UPDATE access_log SET targets = '[]' WHERE tenant_id = :t AND seq = 3"),
        {"t": auditor.tenant_id},
    )
    html = client.get("/audit-log").get_data(as_text=True)
    assert "改ざん検証：異常があります" in html
    assert "連番 3：行の内容が記録時のハッシュと一致しません" in html
