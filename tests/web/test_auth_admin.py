"""User administration pages (j1380, j1390): administrators only, Japanese errors tied to fields."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

import models
from tests.factories import DEFAULT_PASSWORD
from tests.web.auth_helpers import sign_in


def _user(session, login_id: str) -> models.User | None:
    session.expire_all()
    return session.scalars(select(models.User).where(models.User.login_id == login_id)).one_or_none()


NEW_USER = {
    "login_id": "sato@141003",
    "display_name": "佐藤 花子",
    "password": "a long initial password",
    "roles": ["clerk"],
    "hidden_items": ["my_number", "residence_status"],
}


@pytest.mark.req("j1380")
def test_only_administrators_reach_user_administration(client, users_a):
    assert client.get("/admin/users").location.startswith("/login")
    sign_in(client, users_a["clerk"].login_id)
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users/new", data=NEW_USER).status_code == 403


@pytest.mark.req("j1380")
def test_the_list_shows_only_the_administrators_municipality(client, users_a, users_b):
    sign_in(client, users_a["administrator"].login_id)
    body = client.get("/admin/users").get_data(as_text=True)
    assert "clerk@141003" in body and "clerk@202118" not in body
    assert client.get(f"/admin/users/{users_b['clerk'].id}").status_code == 404


@pytest.mark.req("j1380", "j1390")
def test_an_administrator_registers_a_user_with_roles_and_hidden_items(client, setup_session, users_a):
    sign_in(client, users_a["administrator"].login_id)
    response = client.post("/admin/users/new", data=NEW_USER)
    assert response.status_code == 302
    created = _user(setup_session, "sato@141003")
    assert created is not None and created.roles == ["clerk"] and not created.totp_enrolled
    assert created.hide_my_number and created.hide_residence_status and not created.hide_honseki
    assert "利用者「sato@141003」を登録しました" in client.get(response.location).get_data(as_text=True)


@pytest.mark.req("j1380")
def test_a_taken_login_id_is_reported_beside_the_field(client, users_a, users_b):
    sign_in(client, users_a["administrator"].login_id)
    response = client.post("/admin/users/new", data={**NEW_USER, "login_id": users_b["clerk"].login_id})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "既に使われています" in body and 'aria-describedby="login_id-error"' in body
    assert 'href="#login_id"' in body  # the summary at the top links to the field


@pytest.mark.req("j1380")
def test_missing_roles_and_a_short_password_are_reported(client, setup_session, users_a):
    sign_in(client, users_a["administrator"].login_id)
    response = client.post("/admin/users/new", data={**NEW_USER, "roles": [], "password": "short"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "権限を1つ以上選択してください。" in body and "12文字以上" in body
    assert _user(setup_session, "sato@141003") is None


@pytest.mark.req("j1380", "j1390")
def test_roles_and_hidden_items_are_edited(client, setup_session, users_a):
    clerk = users_a["clerk"]
    sign_in(client, users_a["administrator"].login_id)
    assert client.get(f"/admin/users/{clerk.id}").status_code == 200
    response = client.post(
        f"/admin/users/{clerk.id}", data={"roles": ["clerk", "support_officer"], "hidden_items": ["honseki"]}
    )
    assert response.status_code == 302
    stored = _user(setup_session, clerk.login_id)
    assert stored.roles == ["clerk", "support_officer"] and stored.hide_honseki and not stored.hide_my_number


@pytest.mark.req("j1380")
def test_unlock_reset_totp_and_reset_password(client, setup_session, users_a):
    clerk = users_a["clerk"]
    clerk.failed_attempts, clerk.locked_until = 5, dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)
    setup_session.flush()
    sign_in(client, users_a["administrator"].login_id)
    assert "ロック中" in client.get("/admin/users").get_data(as_text=True)
    assert client.post(f"/admin/users/{clerk.id}/unlock").status_code == 302
    assert client.post(f"/admin/users/{clerk.id}/reset-totp").status_code == 302
    short = client.post(f"/admin/users/{clerk.id}/password", data={"password": "short"})
    assert short.status_code == 422 and 'aria-describedby="password-error"' in short.get_data(as_text=True)
    assert (
        client.post(f"/admin/users/{clerk.id}/password", data={"password": "another long one!"}).status_code
        == 302
    )
    stored = _user(setup_session, clerk.login_id)
    assert stored.locked_until is None and stored.failed_attempts == 0
    assert not stored.totp_enrolled and stored.totp_secret is None
    functions = setup_session.scalars(
        select(models.AccessLog.function)
        .where(models.AccessLog.action == "setting")
        .order_by(models.AccessLog.seq)
    )
    assert list(functions) == ["user_unlocked", "user_totp_reset", "user_password_reset"]


@pytest.mark.req("j1380")
def test_a_password_longer_than_the_sign_in_form_takes_is_refused_when_set_or_created(
    client, setup_session, users_a
):
    clerk = users_a["clerk"]
    before = clerk.password_hash
    sign_in(client, users_a["administrator"].login_id)
    too_long = "x" * 201
    refused = client.post(f"/admin/users/{clerk.id}/password", data={"password": too_long})
    assert refused.status_code == 422 and "200文字を超えています" in refused.get_data(as_text=True)
    assert _user(setup_session, clerk.login_id).password_hash == before
    created = client.post("/admin/users/new", data={**NEW_USER, "password": too_long})
    assert created.status_code == 422 and "200文字を超えています" in created.get_data(as_text=True)
    assert _user(setup_session, NEW_USER["login_id"]) is None
    longest = client.post(f"/admin/users/{clerk.id}/password", data={"password": "y" * 200})
    assert longest.status_code == 302


@pytest.mark.req("j1380")
def test_a_user_whose_totp_was_reset_is_signed_out_and_must_enrol_again(client, setup_session, users_a):
    clerk = users_a["clerk"]
    sign_in(client, clerk.login_id)
    clerk.totp_enrolled, clerk.totp_secret = False, None
    setup_session.flush()
    assert client.get("/account").location.startswith("/login")


@pytest.mark.req("j1380")
def test_an_administrator_stops_a_user_who_is_signed_out_and_cannot_sign_in_until_resumed(
    app, client, setup_session, users_a
):
    clerk = users_a["clerk"]
    clerk_client = app.test_client()
    sign_in(clerk_client, clerk.login_id)
    sign_in(client, users_a["administrator"].login_id)
    assert "利用停止にする" in client.get(f"/admin/users/{clerk.id}").get_data(as_text=True)
    stopped = client.post(f"/admin/users/{clerk.id}/active", data={"active": "0"}, follow_redirects=True)
    page = stopped.get_data(as_text=True)
    assert f"利用者「{clerk.login_id}」を利用停止にしました" in page and "<dd>利用停止</dd>" in page
    assert not _user(setup_session, clerk.login_id).active
    assert clerk_client.get("/account").location.startswith("/login"), "signed out at the next request"
    refused = app.test_client().post(
        "/login", data={"login_id": clerk.login_id, "password": DEFAULT_PASSWORD}
    )
    assert refused.status_code != 302 or not refused.location.endswith("/login/totp")
    resumed = client.post(f"/admin/users/{clerk.id}/active", data={"active": "1"}, follow_redirects=True)
    assert f"利用者「{clerk.login_id}」の利用を再開しました" in resumed.get_data(as_text=True)
    assert _user(setup_session, clerk.login_id).active
    functions = setup_session.scalars(
        select(models.AccessLog.function)
        .where(models.AccessLog.action == "setting")
        .order_by(models.AccessLog.seq)
    )
    assert list(functions) == ["user_disabled", "user_enabled"]


@pytest.mark.req("j1380")
def test_an_administrator_cannot_stop_themself(client, setup_session, users_a):
    admin = users_a["administrator"]
    sign_in(client, admin.login_id)
    page = client.post(f"/admin/users/{admin.id}/active", data={"active": "0"}, follow_redirects=True)
    assert "自分自身を利用停止にすることはできません" in page.get_data(as_text=True)
    assert _user(setup_session, admin.login_id).active


@pytest.mark.req("j1380")
def test_a_ward_the_city_does_not_have_is_reported_beside_the_field(client, setup_session, users_a, city_a):
    setup_session.add(models.Ward(municipality_id=city_a.id, code="141011", name="鶴見区"))
    setup_session.flush()
    sign_in(client, users_a["administrator"].login_id)
    response = client.post("/admin/users/new", data={**NEW_USER, "ward_code": "999999"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        "「999999」はこの市の区の区コードではありません" in body
        and 'aria-describedby="ward_code-error"' in body
    )
    assert _user(setup_session, "sato@141003") is None
    assert client.post("/admin/users/new", data={**NEW_USER, "ward_code": "141011"}).status_code == 302
    assert _user(setup_session, "sato@141003").ward_code == "141011"


@pytest.mark.req("j1380", "j1210")
def test_the_new_user_form_offers_no_system_role_and_refuses_one_sent_anyway(client, setup_session, users_a):
    sign_in(client, users_a["administrator"].login_id)
    form = client.get("/admin/users/new").get_data(as_text=True)
    assert 'value="clerk"' in form and 'value="kiosk"' not in form
    refused = client.post("/admin/users/new", data={**NEW_USER, "roles": ["clerk", "kiosk"]})
    assert refused.status_code in (200, 422) and _user(setup_session, "sato@141003") is None
