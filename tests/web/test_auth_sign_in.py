"""Sign-in pages (j1380): password then a second factor for every account, lockout, idle timeout, sign-out."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

import models
from handlers.auth import REFUSAL_MESSAGE, TOTP_REFUSAL_MESSAGE
from tests import factories
from tests.web.auth_helpers import sign_in, submit_code, submit_password

IDLE_MESSAGE = "一定時間操作がなかったため、ログアウトしました。"


def _auth_functions(session, tenant_id: int) -> list[str]:
    rows = session.scalars(
        select(models.AccessLog.function)
        .where(models.AccessLog.tenant_id == tenant_id, models.AccessLog.action == "auth")
        .order_by(models.AccessLog.seq)
    )
    return list(rows)


def _wrong_code() -> str:
    current = pyotp.TOTP(factories.TEST_TOTP_SECRET).now()
    return next(c for c in ("000000", "111111") if c != current)


@pytest.mark.req("j1380")
def test_password_and_totp_sign_the_user_in(client, setup_session, users_a, city_a):
    page = client.get("/login").get_data(as_text=True)
    assert "ログインID" in page and "パスワード" in page
    response = sign_in(client, users_a["clerk"].login_id)
    assert response.status_code == 302
    account = client.get("/account")
    assert account.status_code == 200
    body = account.get_data(as_text=True)
    assert "clerk@141003" in body and "横浜市" in body and "窓口職員" in body
    assert _auth_functions(setup_session, city_a.id) == ["sign_in_succeeded"]


@pytest.mark.req("j1380")
def test_pages_need_sign_in_and_the_password_alone_is_not_enough(client, users_a):
    assert client.get("/account").location.startswith("/login")
    response = submit_password(client, users_a["clerk"].login_id)
    assert response.status_code == 302 and response.location == "/login/totp"
    assert client.get("/account").location.startswith("/login")  # half signed in: nothing else reachable
    with client.session_transaction() as session:
        assert "_user_id" not in session and session["pending_user_id"] == users_a["clerk"].id


@pytest.mark.req("j1380")
def test_sign_in_returns_to_the_page_asked_for(client, users_a):
    submit = client.post(
        "/login?next=/account", data={"login_id": "clerk@141003", "password": factories.DEFAULT_PASSWORD}
    )
    assert submit.status_code == 302
    done = submit_code(client, pyotp.TOTP(factories.TEST_TOTP_SECRET).now())
    assert done.location == "/account"


@pytest.mark.req("j1380")
def test_a_wrong_code_is_refused_with_the_reason_at_the_top(client, users_a):
    submit_password(client, users_a["clerk"].login_id)
    response = submit_code(client, _wrong_code())
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and TOTP_REFUSAL_MESSAGE in body and 'role="alert"' in body
    assert client.get("/account").location.startswith("/login")


@pytest.mark.req("j1380")
def test_a_malformed_code_is_tied_to_its_field(client, users_a):
    submit_password(client, users_a["clerk"].login_id)
    body = submit_code(client, "12").get_data(as_text=True)
    assert 'aria-describedby="code-error"' in body and 'id="code-error"' in body
    assert "確認コードは6桁の数字で入力してください。" in body and 'href="#code"' in body


@pytest.mark.req("j1380")
def test_the_same_code_cannot_sign_in_twice(client, users_a):
    code = pyotp.TOTP(factories.TEST_TOTP_SECRET).now()
    submit_password(client, users_a["clerk"].login_id)
    assert submit_code(client, code).status_code == 302
    client.post("/logout")
    submit_password(client, users_a["clerk"].login_id)
    again = submit_code(client, code)
    assert again.status_code == 200 and TOTP_REFUSAL_MESSAGE in again.get_data(as_text=True)


@pytest.mark.req("j1380")
def test_a_new_account_is_sent_to_enrolment_and_nothing_else(client, setup_session, city_a):
    user = factories.make_user(setup_session, city_a, login_id="new@141003", roles=["clerk"], enrolled=False)
    response = submit_password(client, user.login_id)
    assert response.location == "/login/enrol"
    assert client.get("/login/totp").location == "/login/enrol"
    assert client.get("/account").location.startswith("/login")
    page = client.get("/login/enrol").get_data(as_text=True)
    assert "<svg" in page and "二要素認証の登録" in page and "http" not in page.split("<svg", 1)[1][:20]

    setup_session.expire_all()
    secret = setup_session.get(models.User, user.id).totp_secret
    assert secret and " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page
    done = submit_code(client, pyotp.TOTP(secret).now(), "/login/enrol")
    assert done.status_code == 302
    assert client.get("/account").status_code == 200
    assert _auth_functions(setup_session, city_a.id) == ["totp_enrolled", "sign_in_succeeded"]


@pytest.mark.req("j1380")
def test_five_failures_lock_the_account_against_the_right_password(client, setup_session, users_a, city_a):
    login_id = users_a["clerk"].login_id
    for _ in range(5):
        assert REFUSAL_MESSAGE in submit_password(client, login_id, "wrong").get_data(as_text=True)
    refused = submit_password(client, login_id)
    assert refused.status_code == 200 and REFUSAL_MESSAGE in refused.get_data(as_text=True)
    assert "account_locked" in _auth_functions(setup_session, city_a.id)


@pytest.mark.req("j1380")
def test_an_unknown_login_id_gets_the_same_page_as_a_wrong_password(client, users_a):
    unknown = submit_password(client, "nobody@141003", "whatever")
    wrong = submit_password(client, users_a["clerk"].login_id, "whatever")
    assert unknown.status_code == wrong.status_code == 200
    unknown_page = _page_without(unknown.get_data(as_text=True), "nobody@141003")
    wrong_page = _page_without(wrong.get_data(as_text=True), "clerk@141003")
    assert unknown_page.count(REFUSAL_MESSAGE) == 1 and unknown_page == wrong_page


def _page_without(body: str, login_id: str) -> str:
    """The page minus what legitimately differs: the typed login id and the CSRF token."""
    return re.sub(r'name="csrf_token"[^>]*>', "", body.replace(login_id, ""))


@pytest.mark.req("j1380")
def test_an_idle_session_is_signed_out_with_a_message(client, setup_session, users_a, city_a):
    sign_in(client, users_a["clerk"].login_id)
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 16 * 60
    response = client.get("/account")
    assert response.status_code == 302 and response.location == "/login"
    assert IDLE_MESSAGE in client.get("/login").get_data(as_text=True)
    assert client.get("/account").location.startswith("/login")
    assert _auth_functions(setup_session, city_a.id)[-1] == "session_expired"


@pytest.mark.req("j1380")
def test_activity_within_the_idle_limit_keeps_the_session(client, users_a):
    sign_in(client, users_a["clerk"].login_id)
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 14 * 60
    assert client.get("/account").status_code == 200
    with client.session_transaction() as session:
        assert time.time() - session["last_seen"] < 60  # the request restarted the count


@pytest.mark.req("j1380")
def test_sign_out_ends_the_session_and_is_logged(client, setup_session, users_a, city_a):
    sign_in(client, users_a["clerk"].login_id)
    assert client.get("/logout").status_code == 405  # only a POST (with its CSRF token) signs out
    response = client.post("/logout")
    assert response.status_code == 302 and response.location == "/login"
    assert "ログアウトしました。" in client.get("/login").get_data(as_text=True)
    assert client.get("/account").location.startswith("/login")
    assert _auth_functions(setup_session, city_a.id) == ["sign_in_succeeded", "signed_out"]


@pytest.mark.req("j1390")
def test_the_signed_in_actor_carries_the_users_hidden_items(client, setup_session, users_a):
    clerk = users_a["clerk"]
    clerk.hide_my_number = True
    clerk.hide_honseki = True
    setup_session.flush()
    sign_in(client, clerk.login_id)
    with client.application.test_request_context():
        from webui.auth.views import load_session_user

        loaded = load_session_user(str(clerk.id))
    assert loaded is not None and loaded.actor.hidden_items == frozenset({"my_number", "honseki"})
    body = client.get("/account").get_data(as_text=True)
    assert "個人番号" in body and "本籍・筆頭者（戸籍の表示）" in body


@pytest.mark.req("j1380")
def test_the_password_change_page_reports_errors_by_field_and_changes_it(client, users_a):
    sign_in(client, users_a["clerk"].login_id)
    wrong = client.post(
        "/account/password",
        data={
            "current_password": "nope",
            "new_password": "a brand new passphrase",
            "new_password_confirm": "x",
        },
    )
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and 'aria-describedby="new_password_confirm-error"' in body
    wrong = client.post(
        "/account/password",
        data={
            "current_password": "nope",
            "new_password": "a brand new passphrase",
            "new_password_confirm": "a brand new passphrase",
        },
    )
    assert 'aria-describedby="current_password-error"' in wrong.get_data(as_text=True)
    done = client.post(
        "/account/password",
        data={
            "current_password": factories.DEFAULT_PASSWORD,
            "new_password": "a brand new passphrase",
            "new_password_confirm": "a brand new passphrase",
        },
    )
    assert done.status_code == 302 and done.location == "/account"
