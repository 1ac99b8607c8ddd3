"""Signing in through the real pages (password, then the TOTP code), for any web test.

    from tests.web.auth_helpers import sign_in
    sign_in(client, users_a["clerk"].login_id)

Works with CSRF on or off: the token is read from the page when the form carries one.
"""

from __future__ import annotations

import re
import time

import pyotp
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.factories import DEFAULT_PASSWORD, TEST_TOTP_SECRET

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str | None:
    match = _CSRF.search(client.get(path).get_data(as_text=True))
    return match.group(1) if match else None


def post_form(
    client: FlaskClient, path: str, data: dict[str, str], *, page: str | None = None
) -> TestResponse:
    """POST ``data`` to ``path`` with the CSRF token of the form shown at ``page`` (default: ``path``)."""
    token = csrf_token(client, page or path)
    return client.post(path, data={**data, "csrf_token": token} if token else data)


def submit_password(client: FlaskClient, login_id: str, password: str = DEFAULT_PASSWORD) -> TestResponse:
    return post_form(client, "/login", {"login_id": login_id, "password": password})


def submit_code(client: FlaskClient, code: str, path: str = "/login/totp") -> TestResponse:
    return post_form(client, path, {"code": code})


def sign_in(
    client: FlaskClient, login_id: str, password: str = DEFAULT_PASSWORD, *, secret: str = TEST_TOTP_SECRET
) -> TestResponse:
    """Sign in with the password and a TOTP code; fail the test if either step is refused."""
    response = submit_password(client, login_id, password)
    assert response.status_code == 302 and response.location.endswith("/login/totp"), (
        f"password step refused for {login_id}: {response.status_code}"
    )
    totp = pyotp.TOTP(secret)
    # A code is accepted once: if this user already used the current step in this test, use the next one
    # (still inside the accepted window).
    for offset in (0, 30):
        response = submit_code(client, totp.at(time.time() + offset))
        if response.status_code == 302:
            return response
    raise AssertionError(f"TOTP step refused for {login_id}")
