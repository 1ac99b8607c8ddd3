"""Security headers on every answer, HSTS behind TLS, and rate limits on sign-in and public verification
(counted where every worker sees them: the database here, Redis when configured)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from handlers import rate_limit
from handlers.db import Database


def test_every_page_gets_a_strict_content_security_policy(client: FlaskClient) -> None:
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS


def test_hsts_is_sent_over_tls(client: FlaskClient) -> None:
    response = client.get("/login", base_url="https://jumin.example.lg.jp")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_behind_a_trusted_proxy_the_forwarded_scheme_counts(
    monkeypatch: pytest.MonkeyPatch, db: Database, setup_session
) -> None:
    from webui.app import create_app

    setup_session.flush()
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    app = create_app({"TESTING": True, "SECRET_KEY": "t"}, db=db)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers


def test_untrusted_forwarded_scheme_is_ignored(client: FlaskClient) -> None:
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


@pytest.fixture
def limited(app: Flask) -> Flask:
    app.config["RATE_LIMITS_ENABLED"] = True
    limits = app.extensions["jumin.rate_limits"]
    limits["login"] = rate_limit.Limit("login", 3, 60)
    limits["verify"] = rate_limit.Limit("verify", 2, 60)
    return app


@pytest.mark.req("j1420")
def test_sign_in_attempts_beyond_the_limit_get_a_japanese_429(limited: Flask, client: FlaskClient) -> None:
    statuses = [
        client.post("/login", data={"login_id": "nobody", "password": "x"}).status_code for _ in range(4)
    ]
    assert all(s != 429 for s in statuses[:3]) and statuses[3] == 429
    page = client.post("/login", data={"login_id": "nobody", "password": "x"})
    assert page.status_code == 429 and "試行回数が多すぎます" in page.get_data(as_text=True)
    assert int(page.headers["Retry-After"]) > 0
    assert client.get("/login").status_code == 200  # showing the form is not limited


def test_public_verification_is_limited_with_json_for_the_api(limited: Flask, client: FlaskClient) -> None:
    for _ in range(2):
        assert client.get("/verify/api?municipality=141003&number=X").status_code != 429
    refused = client.get("/verify/api?municipality=141003&number=X")
    assert refused.status_code == 429
    assert refused.get_json()["error"] == "too_many_requests"
    assert "試行回数" in refused.get_json()["message"]


def test_the_database_counter_is_shared_and_windowed(db: Database) -> None:
    store = rate_limit.DatabaseCounters(db)
    limit = rate_limit.Limit("login", 2, 60)
    verdicts = [rate_limit.check(store, limit, "10.0.0.1", now=600.0).allowed for _ in range(3)]
    assert verdicts == [True, True, False]
    assert rate_limit.check(store, limit, "10.0.0.2", now=600.0).allowed  # another client
    assert rate_limit.check(store, limit, "10.0.0.1", now=661.0).allowed  # the next window
    assert rate_limit.current_hits(db, "login:10.0.0.1") == 1


def test_the_redis_counter_when_redis_answers() -> None:
    import uuid

    store = rate_limit.RedisCounters("redis://127.0.0.1:6379/15")
    try:
        store.client.ping()
    except Exception:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    limit = rate_limit.Limit(f"test-{uuid.uuid4().hex}", 1, 60)
    assert rate_limit.check(store, limit, "c").allowed
    assert not rate_limit.check(store, limit, "c").allowed
