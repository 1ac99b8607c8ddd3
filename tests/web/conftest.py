"""Web-test helpers: sign a user in by writing the Flask-Login session directly."""

from __future__ import annotations

import uuid

import pytest
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier

from models import User


def login_as(client: FlaskClient, user: User) -> None:
    """Store ``user`` in the client's session as Flask-Login 0.6 does (``_user_id``, ``_fresh`` and ``_id``, the
    session-protection identifier computed from the client's address and user agent)."""
    app = client.application
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        session["_id"] = identifier
        session["_session_nonce"] = uuid.uuid4().hex


@pytest.fixture
def sign_in(client: FlaskClient):  # type: ignore[no-untyped-def]
    def _sign_in(user: User) -> FlaskClient:
        login_as(client, user)
        return client

    return _sign_in
