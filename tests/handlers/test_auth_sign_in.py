"""Sign-in rules (j1380): password, lockout, a second factor for every account, the access log of it all."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers import auth
from handlers.db import Database
from handlers.errors import TenancyError, ValidationError
from handlers.uow import unit_of_work
from tests import factories

ADDRESS = "192.0.2.10"


def _check_password(db: Database, login_id: str, password: str, **kw: int) -> auth.PasswordResult:
    policy = auth.LockoutPolicy(**kw) if kw else None
    with unit_of_work(db, auth.door_actor(login_id, ADDRESS), cross_tenant=True) as uow:
        return auth.check_password(uow.session, login_id, password, ADDRESS, policy)


def _second_factor(db: Database, user_id: int, code: str) -> auth.SignInResult:
    with unit_of_work(db, auth.door_actor(str(user_id), ADDRESS), cross_tenant=True) as uow:
        return auth.check_second_factor(uow.session, user_id, code, ADDRESS)


def _wrong_code() -> str:
    current = pyotp.TOTP(factories.TEST_TOTP_SECRET).now()
    return next(c for c in ("000000", "111111") if c != current)


def _auth_log(session: Session, tenant_id: int) -> list[tuple[str, str | None, dict]]:
    rows = session.execute(
        select(models.AccessLog.function, models.AccessLog.login_id, models.AccessLog.detail)
        .where(models.AccessLog.tenant_id == tenant_id, models.AccessLog.action == "auth")
        .order_by(models.AccessLog.seq)
    )
    return [(f, login, detail) for f, login, detail in rows]


def _reload(session: Session, user: models.User) -> models.User:
    session.expire_all()
    return session.get(models.User, user.id)  # type: ignore[return-value]


@pytest.mark.req("j1380")
def test_password_then_totp_signs_in_and_is_logged_in_the_users_tenant(db, setup_session, users_a, city_a):
    clerk = users_a["clerk"]
    result = _check_password(db, clerk.login_id, factories.DEFAULT_PASSWORD)
    assert result.accepted and result.user_id == clerk.id and not result.needs_enrolment
    assert _auth_log(setup_session, city_a.id) == []  # the password alone signs no one in

    signed = _second_factor(db, clerk.id, pyotp.TOTP(factories.TEST_TOTP_SECRET).now())
    assert signed.accepted and signed.identity is not None
    assert signed.identity.actor.tenant_id == city_a.id
    assert signed.identity.tenant_name == "横浜市"
    log = _auth_log(setup_session, city_a.id)
    assert [(f, login) for f, login, _ in log] == [("sign_in_succeeded", clerk.login_id)]
    assert _reload(setup_session, clerk).last_login_at is not None


@pytest.mark.req("j1380")
def test_wrong_totp_is_refused_and_counted(db, setup_session, users_a, city_a):
    clerk = users_a["clerk"]
    result = _second_factor(db, clerk.id, _wrong_code())
    assert not result.accepted and result.message == auth.TOTP_REFUSAL_MESSAGE and not result.restart
    assert _reload(setup_session, clerk).failed_attempts == 1
    assert [f for f, _, _ in _auth_log(setup_session, city_a.id)] == ["sign_in_failed"]


@pytest.mark.req("j1380")
def test_a_totp_code_cannot_be_used_twice(db, users_a):
    clerk = users_a["clerk"]
    code = pyotp.TOTP(factories.TEST_TOTP_SECRET).now()
    assert _second_factor(db, clerk.id, code).accepted
    again = _second_factor(db, clerk.id, code)
    assert not again.accepted and again.message == auth.TOTP_REFUSAL_MESSAGE


@pytest.mark.req("j1380")
def test_codes_of_the_neighbouring_steps_are_accepted_but_not_older_ones(setup_session, users_a):
    user = users_a["clerk"]
    totp = pyotp.TOTP(factories.TEST_TOTP_SECRET)
    now = dt.datetime(2026, 4, 1, 9, 0, 0, tzinfo=dt.UTC)
    assert auth.verify_totp(user, totp.at(now - dt.timedelta(seconds=30)), at=now)
    assert auth.verify_totp(user, totp.at(now), at=now)
    assert not auth.verify_totp(user, totp.at(now - dt.timedelta(seconds=30)), at=now)  # older than the last
    assert not auth.verify_totp(user, totp.at(now + dt.timedelta(seconds=90)), at=now)  # outside the window
    assert auth.verify_totp(user, totp.at(now + dt.timedelta(seconds=30)), at=now)
    assert not auth.verify_totp(user, "12345", at=now) and not auth.verify_totp(user, "abcdef", at=now)


@pytest.mark.req("j1380")
def test_full_width_digits_are_accepted_as_the_code(setup_session, users_a):
    now = dt.datetime(2026, 4, 1, 9, 0, 0, tzinfo=dt.UTC)
    code = pyotp.TOTP(factories.TEST_TOTP_SECRET).at(now)
    full_width = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert auth.verify_totp(users_a["clerk"], full_width, at=now)


@pytest.mark.req("j1380")
def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(db, setup_session, users_a, city_a):
    clerk = users_a["clerk"]
    for _ in range(5):
        assert not _check_password(db, clerk.login_id, "wrong password").accepted
    user = _reload(setup_session, clerk)
    assert user.failed_attempts == 5 and auth.is_locked(user)

    refused = _check_password(db, clerk.login_id, factories.DEFAULT_PASSWORD)
    assert not refused.accepted and refused.message == auth.REFUSAL_MESSAGE
    functions = [f for f, _, _ in _auth_log(setup_session, city_a.id)]
    assert functions == ["sign_in_failed"] * 5 + ["account_locked", "sign_in_failed"]
    assert _auth_log(setup_session, city_a.id)[-1][2]["reason"] == "locked"


@pytest.mark.req("j1380")
def test_an_expired_lock_lets_the_right_password_in_and_restarts_the_count(db, setup_session, users_a):
    clerk = users_a["clerk"]
    for _ in range(3):
        _check_password(db, clerk.login_id, "wrong password", max_failed=3, lockout_minutes=30)
    user = _reload(setup_session, clerk)
    user.locked_until = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    setup_session.flush()
    _check_password(db, clerk.login_id, "wrong password", max_failed=3, lockout_minutes=30)
    assert _reload(setup_session, clerk).failed_attempts == 1
    assert _check_password(db, clerk.login_id, factories.DEFAULT_PASSWORD, max_failed=3).accepted


@pytest.mark.req("j1380")
def test_wrong_totp_codes_also_lock_the_account(db, setup_session, users_a):
    clerk = users_a["clerk"]
    results = [_second_factor(db, clerk.id, _wrong_code()) for _ in range(5)]
    assert results[-1].restart and results[-1].message == auth.REFUSAL_MESSAGE
    assert not _second_factor(
        db, clerk.id, pyotp.TOTP(factories.TEST_TOTP_SECRET).now()
    ).accepted  # locked: even the right code is refused


@pytest.mark.req("j1380")
def test_an_unknown_login_id_gets_the_same_answer_as_a_wrong_password(db, users_a):
    unknown = _check_password(db, "nobody@141003", factories.DEFAULT_PASSWORD)
    wrong = _check_password(db, users_a["clerk"].login_id, "wrong password")
    assert not unknown.accepted and not wrong.accepted
    assert unknown == auth.PasswordResult(False, message=auth.REFUSAL_MESSAGE)
    assert unknown.message == wrong.message


@pytest.mark.req("j1380")
def test_a_disabled_account_is_refused_with_the_same_message(db, setup_session, users_a):
    clerk = users_a["clerk"]
    clerk.active = False
    setup_session.flush()
    result = _check_password(db, clerk.login_id, factories.DEFAULT_PASSWORD)
    assert not result.accepted and result.message == auth.REFUSAL_MESSAGE


@pytest.mark.req("j1380")
def test_a_hash_with_old_argon2_parameters_is_rehashed_at_sign_in(db, setup_session, users_a):
    from argon2 import PasswordHasher

    clerk = users_a["clerk"]
    clerk.password_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(factories.DEFAULT_PASSWORD)
    setup_session.flush()
    old_hash = clerk.password_hash
    assert _check_password(db, clerk.login_id, factories.DEFAULT_PASSWORD).accepted
    new_hash = _reload(setup_session, clerk).password_hash
    assert new_hash != old_hash and new_hash.startswith("$argon2id$")


@pytest.mark.req("j1380")
def test_a_new_account_must_enrol_and_the_enrolment_code_signs_it_in(db, setup_session, city_a):
    user = factories.make_user(setup_session, city_a, login_id="new@141003", roles=["clerk"], enrolled=False)
    result = _check_password(db, user.login_id, factories.DEFAULT_PASSWORD)
    assert result.accepted and result.needs_enrolment
    assert _second_factor(db, user.id, "123456").restart  # no TOTP step before enrolment

    with unit_of_work(db, auth.door_actor("x", ADDRESS), cross_tenant=True) as uow:
        enrolment = auth.start_enrolment(uow.session, user.id)
    assert enrolment is not None and enrolment.provisioning_uri.startswith(
        "otpauth://totp/Jumin:new%40141003"
    )
    with unit_of_work(db, auth.door_actor("x", ADDRESS), cross_tenant=True) as uow:
        again = auth.start_enrolment(uow.session, user.id)
    assert again is not None and again.secret == enrolment.secret  # a reload shows the same secret

    with unit_of_work(db, auth.door_actor("x", ADDRESS), cross_tenant=True) as uow:
        signed = auth.finish_enrolment(uow.session, user.id, pyotp.TOTP(enrolment.secret).now(), ADDRESS)
    assert signed.accepted
    assert _reload(setup_session, user).totp_enrolled
    assert [f for f, _, _ in _auth_log(setup_session, city_a.id)] == ["totp_enrolled", "sign_in_succeeded"]


@pytest.mark.req("j1380")
def test_an_unenrolled_user_has_no_signed_in_session(db, setup_session, city_a):
    user = factories.make_user(setup_session, city_a, login_id="new@141003", roles=["clerk"], enrolled=False)
    with unit_of_work(db, auth.door_actor("x", ADDRESS), cross_tenant=True) as uow:
        assert auth.load_session_identity(uow.session, user.id) is None


@pytest.mark.req("j1380")
def test_the_sign_in_door_refuses_a_tenant_scoped_session(db, city_a, users_a):
    with pytest.raises(TenancyError), unit_of_work(db, factories.actor_for(users_a["clerk"])) as uow:
        auth.check_password(uow.session, "clerk@141003", factories.DEFAULT_PASSWORD, ADDRESS)


@pytest.mark.req("j1390")
def test_hidden_items_of_the_user_are_hidden_items_of_the_actor(setup_session, city_a):
    user = factories.make_user(setup_session, city_a, login_id="h@141003", roles=["clerk"])
    user.hide_my_number = True
    user.hide_residence_status = True
    actor = auth.actor_for_user(user, ADDRESS)
    assert actor.hidden_items == frozenset({"my_number", "residence_status"})
    assert actor.roles == frozenset({"clerk"}) and actor.client_address == ADDRESS
    assert factories.actor_for(user).hidden_items == actor.hidden_items


def test_door_actor_belongs_to_no_tenant():
    actor = auth.door_actor("x" * 100, ADDRESS)
    assert actor.tenant_id == 0 and len(actor.login_id) == 60 and not actor.roles


@pytest.mark.req("j1380")
def test_a_user_changes_their_own_password(db, setup_session, users_a, city_a):
    clerk = users_a["clerk"]
    actor = factories.actor_for(clerk)
    with pytest.raises(ValidationError) as err, unit_of_work(db, actor) as uow:
        auth.change_own_password(uow, "not my password", "short")
    assert {p.field for p in err.value.problems} == {"current_password", "new_password"}
    with unit_of_work(db, actor) as uow:
        auth.change_own_password(uow, factories.DEFAULT_PASSWORD, "a brand new passphrase")
    assert _check_password(db, clerk.login_id, "a brand new passphrase").accepted
    assert not _check_password(db, clerk.login_id, factories.DEFAULT_PASSWORD).accepted
    assert "password_changed" in [f for f, _, _ in _auth_log(setup_session, city_a.id)]
