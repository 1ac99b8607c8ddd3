"""A sign-in with a login id no municipality has (j1370: 認証ログ — ログインのエラー; イベントログ): it belongs to no
municipality's access log, so it is a WARNING on the ``jumin.security`` log (address, the login id as typed and
truncated, never the password) and a Prometheus counter; the page says exactly what a wrong password gets, and a
password hash is checked all the same so the time does not tell which login ids exist."""

from __future__ import annotations

import json
import logging
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client import REGISTRY
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import models
from handlers import auth
from handlers.db import Database
from handlers.observability import JsonFormatter, RequestIdFilter
from handlers.security_events import LOGIN_ID_KEPT, UNKNOWN_LOGIN_EVENT
from handlers.uow import unit_of_work
from tests.web.auth_helpers import submit_password

pytestmark = pytest.mark.req("j1370", "j1380")
ADDRESS = "198.51.100.7"
PASSWORD = "Tr0ub4dor&3-never-logged"
METRIC = "jumin_sign_in_unknown_login_total"


def unknown_count() -> float:
    return REGISTRY.get_sample_value(METRIC) or 0.0


def security_events(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "jumin.security" and getattr(r, "event", "") == UNKNOWN_LOGIN_EVENT
    ]


def check(db: Database, login_id: str, password: str = PASSWORD) -> auth.PasswordResult:
    with unit_of_work(db, auth.door_actor(login_id, ADDRESS), cross_tenant=True) as uow:
        return auth.check_password(uow.session, login_id, password, ADDRESS)


def test_an_unknown_login_id_is_a_security_event_with_the_address_and_never_the_password(
    db: Database, setup_session: Session, users_a: dict[str, models.User], caplog: pytest.LogCaptureFixture
) -> None:
    before = unknown_count()
    caplog.set_level(logging.INFO, logger="jumin.security")

    result = check(db, "nobody@999999")

    assert not result.accepted and result.message == auth.REFUSAL_MESSAGE
    [record] = security_events(caplog)
    assert record.levelno == logging.WARNING
    assert (record.client_address, record.login_id) == (ADDRESS, "nobody@999999")  # type: ignore[attr-defined]
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["client_address"] == ADDRESS and line["event"] == UNKNOWN_LOGIN_EVENT and line["time"]
    assert PASSWORD not in JsonFormatter().format(record) and PASSWORD not in caplog.text
    assert unknown_count() == before + 1
    assert setup_session.scalar(select(func.count()).select_from(models.AccessLog)) == 0  # no one's chain


def test_a_known_users_wrong_password_stays_in_its_municipalitys_log_and_is_not_counted(
    db: Database, users_a: dict[str, models.User], caplog: pytest.LogCaptureFixture
) -> None:
    before = unknown_count()
    caplog.set_level(logging.INFO, logger="jumin.security")
    assert not check(db, users_a["clerk"].login_id).accepted
    assert security_events(caplog) == [] and unknown_count() == before


def test_the_login_id_is_kept_truncated_and_without_control_characters(
    db: Database, users_a: dict[str, models.User], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="jumin.security")
    typed = "admin\n2026-01-01 INFO forged line " + "x" * 100
    check(db, typed)
    [record] = security_events(caplog)
    shown = record.login_id  # type: ignore[attr-defined]
    assert len(shown) == LOGIN_ID_KEPT and "\n" not in shown and shown.startswith("admin?2026")
    assert "\n" not in record.getMessage()


def test_a_dummy_hash_is_verified_for_an_unknown_login_id(
    db: Database, users_a: dict[str, models.User], monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []
    real = auth.verify_password

    def counting(stored: str, password: str) -> bool:
        verified.append(stored)
        return real(stored, password)

    monkeypatch.setattr(auth, "verify_password", counting)
    check(db, "nobody@999999")
    assert verified == [auth._dummy_hash()]
    check(db, users_a["clerk"].login_id)
    assert len(verified) == 2 and verified[1] == users_a["clerk"].password_hash  # the same one check each


def _refusal(page: str) -> str:
    return re.sub(r"\s+", " ", page.split("<main", 1)[-1])


def test_the_page_says_the_same_for_an_unknown_login_id_as_for_a_wrong_password_and_metrics_count_it(
    app: Flask, client: FlaskClient, users_a: dict[str, models.User], caplog: pytest.LogCaptureFixture
) -> None:
    app.config["METRICS_TOKEN"] = None  # the test client scrapes from the loopback
    caplog.set_level(logging.INFO, logger="jumin.security")
    before = unknown_count()

    unknown = submit_password(client, "nobody@999999", PASSWORD)
    wrong = submit_password(client, users_a["clerk"].login_id, PASSWORD)

    assert unknown.status_code == wrong.status_code == 200
    unknown_page, wrong_page = unknown.get_data(as_text=True), wrong.get_data(as_text=True)
    assert auth.REFUSAL_MESSAGE in unknown_page and auth.REFUSAL_MESSAGE in wrong_page
    strip_token = re.compile(r'name="csrf_token"[^>]*value="[^"]*"|value="[^"]*"')
    assert strip_token.sub("", _refusal(unknown_page)) == strip_token.sub("", _refusal(wrong_page))
    [record] = security_events(caplog)
    assert record.client_address == "127.0.0.1"  # type: ignore[attr-defined]
    scraped = client.get("/metrics").get_data(as_text=True)
    assert re.search(rf"^{METRIC} {before + 1}$", scraped, re.MULTILINE)


def test_the_dummy_hash_is_made_with_the_app_so_the_first_unknown_login_id_costs_no_more(
    db: Database, setup_session: Session, users_a: dict[str, models.User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from webui.app import create_app

    auth._dummy_hash.cache_clear()  # as in a process that has just started
    create_app({"TESTING": True, "SECRET_KEY": "test"}, db=db)
    assert auth._dummy_hash.cache_info().currsize == 1, "made when the app is created, before any sign-in"
    hashed: list[str] = []

    def counting(password: str) -> str:
        hashed.append(password)
        return ""

    monkeypatch.setattr(auth, "hash_password", counting)
    check(db, "nobody@999999")
    assert hashed == [], "the first unknown login id only verifies, as a wrong password does"
