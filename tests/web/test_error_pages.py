"""Every error page a browser may meet is in Japanese: an expired or missing CSRF token, a wrong method and an
unexpected failure (with the request id to quote), never Werkzeug's English pages; the API answers JSON."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from handlers.db import Database
from tests import factories
from webui.errors import CSRF_MESSAGE


def _japanese_page(body: str) -> None:
    assert '<html lang="ja"' in body and "処理できませんでした" in body
    for english in ("Bad Request", "Method Not Allowed", "Internal Server Error", "CSRF token"):
        assert english not in body


def test_a_form_sent_without_its_csrf_token_gets_a_japanese_page_saying_to_open_it_again(
    db: Database, setup_session: Any, users_a: dict[str, Any]
) -> None:
    from webui.app import create_app

    setup_session.flush()
    app: Flask = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True, "SECRET_KEY": "test"}, db=db)
    data = {"login_id": users_a["clerk"].login_id, "password": factories.DEFAULT_PASSWORD}
    refused = app.test_client().post("/login", data=data)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400
    _japanese_page(body)
    assert CSRF_MESSAGE.split("（")[0] in body


def test_a_wrong_method_gets_a_japanese_page_and_the_api_gets_json(client: FlaskClient) -> None:
    page = client.delete("/login")
    assert page.status_code == 405
    _japanese_page(page.get_data(as_text=True))
    api = client.delete("/api/me")
    assert api.status_code == 405 and api.get_json()["error"] == "method_not_allowed"


def test_an_unexpected_failure_gets_a_japanese_page_with_the_request_id(
    db: Database, setup_session: Any
) -> None:
    from webui.app import create_app

    setup_session.flush()
    app: Flask = create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False, "SECRET_KEY": "test"}, db=db)

    def broken() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    reply = app.test_client().get("/broken-for-test", headers={"X-Request-Id": "abc123def456"})
    body = reply.get_data(as_text=True)
    assert reply.status_code == 500
    _japanese_page(body)
    assert "内容は保存されていません" in body and "boom" not in body
    assert "問い合わせ番号：" in body
