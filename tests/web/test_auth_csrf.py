"""Every form carries a CSRF token: a POST without it is refused (400), with it the form works."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from handlers.api_tokens import issue_token
from handlers.uow import unit_of_work
from tests import factories
from tests.web.auth_helpers import csrf_token, sign_in


@pytest.fixture
def csrf_client(db, setup_session) -> FlaskClient:
    from webui.app import create_app

    setup_session.flush()
    app: Flask = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True, "SECRET_KEY": "test"}, db=db)
    return app.test_client()


@pytest.mark.req("j1380")
def test_sign_in_without_the_csrf_token_is_refused(csrf_client, users_a):
    data = {"login_id": users_a["clerk"].login_id, "password": factories.DEFAULT_PASSWORD}
    assert csrf_client.post("/login", data=data).status_code == 400
    token = csrf_token(csrf_client, "/login")
    assert token
    response = csrf_client.post("/login", data={**data, "csrf_token": token})
    assert response.status_code == 302 and response.location == "/login/totp"


@pytest.mark.req("j1380")
def test_sign_out_and_admin_actions_without_the_token_are_refused(csrf_client, users_a):
    sign_in(csrf_client, users_a["administrator"].login_id)  # the helper reads the token from each page
    clerk_id = users_a["clerk"].id
    assert csrf_client.post(f"/admin/users/{clerk_id}/unlock").status_code == 400
    assert csrf_client.post("/logout").status_code == 400
    assert csrf_client.get("/account").status_code == 200  # still signed in
    token = csrf_token(csrf_client, f"/admin/users/{clerk_id}")
    assert csrf_client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert csrf_client.get("/account").status_code == 302


@pytest.mark.req("j1380")
def test_the_api_needs_no_csrf_token(csrf_client, db, users_a):
    with unit_of_work(db, factories.actor_for(users_a["administrator"])) as uow:
        secret = issue_token(uow, name="batch", roles=["clerk"])
    headers = {"Authorization": f"Bearer {secret}"}
    assert csrf_client.get("/api/me", headers=headers).status_code == 200
    app = csrf_client.application
    posts = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and "POST" in (rule.methods or ()) and not rule.arguments
    ]
    if not posts:
        pytest.skip("the API has no POST endpoint yet")
    response = csrf_client.post(posts[0], json={}, headers=headers)
    assert response.is_json and "CSRF" not in response.get_data(as_text=True)  # the handler answered
