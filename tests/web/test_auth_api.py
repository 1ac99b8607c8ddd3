"""API token authentication: a bearer token or a 401 in JSON; the token's municipality and nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

import models
from handlers.api_tokens import LAST_USED_RESOLUTION, issue_token, revoke_token
from handlers.uow import unit_of_work
from tests import factories

UNAUTHORIZED = {"error": "unauthorized", "message": "認証トークンが必要です。"}


def _token(db, users, **kw) -> str:
    with unit_of_work(db, factories.actor_for(users["administrator"])) as uow:
        return issue_token(uow, **kw)


@pytest.mark.req("j1380")
@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer jmn_not-a-real-token", "jmn_x"]
)
def test_requests_without_a_valid_token_get_401_json(client, users_a, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/api/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json() == UNAUTHORIZED
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.req("j1380")
def test_a_token_shows_its_own_municipality_and_roles(client, db, users_a, users_b):
    secret_b = _token(db, users_b, name="佐久市連携", roles=["clerk"])
    response = client.get("/api/me", headers={"Authorization": f"Bearer {secret_b}"})
    assert response.status_code == 200
    assert response.get_json() == {
        "login_id": "api:佐久市連携",
        "tenant_code": "202118",
        "tenant_name": "上田市",
        "roles": ["clerk"],
    }


@pytest.mark.req("j1380")
def test_a_user_token_acts_as_that_user(client, db, users_a):
    secret = _token(db, users_a, name="script", user_id=users_a["supervisor"].id)
    body = client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert body["tenant_code"] == "141003" and body["login_id"] == "supervisor@141003"
    assert body["roles"] == ["supervisor"]


@pytest.mark.req("j1380")
def test_a_signed_in_browser_session_is_not_an_api_credential(client, users_a):
    from tests.web.auth_helpers import sign_in

    sign_in(client, users_a["clerk"].login_id)
    assert client.get("/api/me").status_code == 401


@pytest.mark.req("j1380")
def test_an_api_request_neither_reads_nor_writes_the_cookie_session(client, db, users_a):
    """The API opens no cookie session (Flask's null session): a signed-in browser's cookie sent along is not
    read, nothing is written back, and the pages keep their session."""
    from tests.web.auth_helpers import sign_in

    secret = _token(db, users_a, name="script", user_id=users_a["clerk"].id)
    sign_in(client, users_a["clerk"].login_id)
    response = client.get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert client.get("/api/me").status_code == 401
    assert client.get("/residents/search").status_code == 200  # the page still reads its signed-in session


def test_the_cli_issues_a_token_shown_once(app, client, users_b):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["token", "issue", "--tenant", "202118", "--name", "連携", "--role", "clerk"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[0]
    body = client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert body["tenant_code"] == "202118" and body["roles"] == ["clerk"]


def test_the_cli_issues_a_user_token_only_for_a_user_of_that_municipality(app, users_a, users_b):
    runner = app.test_cli_runner()
    args = ["token", "issue", "--tenant", "202118", "--name", "x", "--user"]
    assert runner.invoke(args=[*args, users_a["clerk"].login_id]).exit_code != 0
    assert runner.invoke(args=[*args, users_b["clerk"].login_id]).exit_code == 0
    assert (
        runner.invoke(
            args=["token", "issue", "--tenant", "999999", "--name", "x", "--role", "clerk"]
        ).exit_code
        != 0
    )


@pytest.mark.req("j1380")
def test_a_token_of_another_municipality_cannot_read_a_resident(client, db, users_a, users_b, clerk_a):
    household = factories.make_household(db, clerk_a)
    atena = household.members[0].atena_number
    token_a = _token(db, users_a, name="横浜市連携", roles=["clerk"])
    token_b = _token(db, users_b, name="佐久市連携", roles=["clerk"])
    own = client.get(f"/api/residents/{atena}", headers={"Authorization": f"Bearer {token_a}"})
    other = client.get(f"/api/residents/{atena}", headers={"Authorization": f"Bearer {token_b}"})
    assert own.status_code == 200
    assert other.status_code == 404 and other.get_json()["error"] == "not_found"


def _transactions_begun(client, path: str, secret: str) -> tuple[int, int]:
    """(status, how many session transactions the request began)."""
    begun = []

    def note(session, transaction, _conn) -> None:
        if transaction.parent is None:
            begun.append(session)

    event.listen(Session, "after_begin", note)
    try:
        response = client.get(path, headers={"Authorization": f"Bearer {secret}"})
    finally:
        event.remove(Session, "after_begin", note)
    return response.status_code, len(begun)


@pytest.mark.req("j1380")
def test_an_api_request_reads_its_token_in_the_transaction_of_its_work(client, db, users_a, clerk_a):
    household = factories.make_household(db, clerk_a)
    secret = _token(db, users_a, name="横浜市連携", roles=["clerk"])
    client.get("/api/me", headers={"Authorization": f"Bearer {secret}"})  # the first use is recorded
    assert _transactions_begun(client, "/api/me", secret) == (200, 1)
    path = f"/api/residents/{household.members[0].atena_number}"
    assert _transactions_begun(client, path, secret) == (200, 1)


@pytest.mark.req("j1380")
def test_a_revoked_token_is_refused_on_its_next_request(client, db, setup_session, users_a):
    secret = _token(db, users_a, name="横浜市連携", roles=["clerk"])
    assert client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    token = setup_session.scalars(select(models.ApiToken)).one()
    with unit_of_work(db, factories.actor_for(users_a["administrator"])) as uow:
        revoke_token(uow, token.id)
    response = client.get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401 and response.get_json() == UNAUTHORIZED


def test_the_api_records_a_tokens_use_at_most_once_a_minute(client, db, setup_session, users_a):
    secret = _token(db, users_a, name="横浜市連携", roles=["clerk"])
    assert client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    token = setup_session.scalars(select(models.ApiToken)).one()
    setup_session.refresh(token)
    first = token.last_used_at
    assert first is not None
    assert client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    setup_session.refresh(token)
    assert token.last_used_at == first
    token.last_used_at = first - LAST_USED_RESOLUTION
    setup_session.flush()
    assert client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    setup_session.refresh(token)
    assert token.last_used_at > first - LAST_USED_RESOLUTION
