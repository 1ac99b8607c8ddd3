"""User administration (j1380, j1390): only administrators, each change in the access log, ids unique."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

import models
from handlers import user_admin
from handlers.errors import NotFoundError, PermissionDeniedError, ValidationError
from handlers.passwords import verify_password
from handlers.uow import unit_of_work
from tests import factories

NEW_PASSWORD = "a long initial password"


def _setting_log(session, tenant_id: int) -> list[str]:
    return list(
        session.scalars(
            select(models.AccessLog.function)
            .where(models.AccessLog.tenant_id == tenant_id, models.AccessLog.action == "setting")
            .order_by(models.AccessLog.seq)
        )
    )


def _create(db, actor, **overrides):
    values = {
        "login_id": "tanaka@141003",
        "display_name": "田中 一郎",
        "password": NEW_PASSWORD,
        "roles": ["clerk"],
    }
    values.update(overrides)
    with unit_of_work(db, actor) as uow:
        return user_admin.create_user(uow, **values)


@pytest.mark.req("j1380", "j1390")
def test_an_administrator_creates_a_user_who_must_enrol(db, setup_session, users_a, city_a):
    setup_session.add(models.Ward(municipality_id=city_a.id, code="141011", name="鶴見区"))
    setup_session.flush()
    admin = factories.actor_for(users_a["administrator"])
    user = _create(db, admin, hidden_items=["my_number"], ward_code="141011")
    stored = setup_session.get(models.User, user.id)
    assert stored.tenant_id == city_a.id and stored.roles == ["clerk"] and stored.ward_code == "141011"
    assert not stored.totp_enrolled and stored.totp_secret is None
    assert stored.hide_my_number and not stored.hide_honseki
    assert verify_password(stored.password_hash, NEW_PASSWORD)
    assert _setting_log(setup_session, city_a.id) == ["user_created"]


@pytest.mark.req("j1380")
@pytest.mark.parametrize(
    ("wards", "ward_code", "reason"),
    [
        (["141011"], "999999", "「999999」はこの市の区の区コードではありません"),
        ([], "141011", "この市区町村には区がありません"),
    ],
)
def test_a_ward_the_municipality_does_not_have_is_refused(
    db, setup_session, users_a, city_a, wards, ward_code, reason
):
    for code in wards:
        setup_session.add(models.Ward(municipality_id=city_a.id, code=code, name="鶴見区"))
    setup_session.flush()
    admin = factories.actor_for(users_a["administrator"])
    with pytest.raises(ValidationError) as refused:
        _create(db, admin, ward_code=ward_code)
    assert [(p.field, p.reason) for p in refused.value.problems] == [("ward_code", reason)]
    assert setup_session.scalar(select(models.User).where(models.User.login_id == "tanaka@141003")) is None
    assert _setting_log(setup_session, city_a.id) == []


@pytest.mark.req("j1380")
def test_a_clerk_cannot_administer_users(db, users_a):
    clerk = factories.actor_for(users_a["clerk"])
    with pytest.raises(PermissionDeniedError):
        _create(db, clerk)
    with pytest.raises(PermissionDeniedError), unit_of_work(db, clerk) as uow:
        user_admin.unlock_user(uow, users_a["clerk"].id)


@pytest.mark.req("j1380")
def test_login_ids_are_unique_across_municipalities(db, setup_session, users_a, users_b):
    admin_a = factories.actor_for(users_a["administrator"])
    with pytest.raises(ValidationError) as err:
        _create(db, admin_a, login_id=users_b["clerk"].login_id)
    assert [p.field for p in err.value.problems] == ["login_id"]
    assert err.value.problems[0].item == "ログインID"


@pytest.mark.req("j1380")
def test_bad_input_names_each_item_and_writes_nothing(db, setup_session, users_a, city_a):
    admin = factories.actor_for(users_a["administrator"])
    with pytest.raises(ValidationError) as err:
        _create(
            db, admin, login_id="has space", password="short", roles=["wizard"], hidden_items=["blood_type"]
        )
    assert {p.field for p in err.value.problems} == {"login_id", "password", "roles", "hidden_items"}
    assert (
        setup_session.scalars(select(models.User).where(models.User.login_id == "has space")).first() is None
    )
    assert _setting_log(setup_session, city_a.id) == []


@pytest.mark.req("j1380", "j1210")
def test_a_system_role_is_refused_for_a_person_created_or_changed(db, setup_session, users_a, city_a):
    admin = factories.actor_for(users_a["administrator"])
    with pytest.raises(ValidationError) as created:
        _create(db, admin, roles=["clerk", "kiosk"])
    clerk = users_a["clerk"]
    with pytest.raises(ValidationError) as changed, unit_of_work(db, admin) as uow:
        user_admin.update_user_roles(uow, clerk.id, ["clerk", "kiosk"])
    for err in (created, changed):
        (problem,) = err.value.problems
        assert problem.code == "system_role" and "コンビニ交付システム" in problem.reason
    setup_session.expire_all()
    assert setup_session.get(models.User, clerk.id).roles == ["clerk"]
    assert _setting_log(setup_session, city_a.id) == []


@pytest.mark.req("j1380", "j1390")
def test_roles_and_hidden_items_are_changed_and_logged(db, setup_session, users_a, city_a):
    admin = factories.actor_for(users_a["administrator"])
    clerk = users_a["clerk"]
    with unit_of_work(db, admin) as uow:
        user_admin.update_user_roles(uow, clerk.id, ["clerk", "supervisor"])
        user_admin.set_hidden_items(uow, clerk.id, ["honseki", "resident_code"])
    setup_session.expire_all()
    stored = setup_session.get(models.User, clerk.id)
    assert stored.roles == ["clerk", "supervisor"]
    assert factories.actor_for(stored).hidden_items == frozenset({"honseki", "resident_code"})
    assert _setting_log(setup_session, city_a.id) == ["user_roles_changed", "user_hidden_items_changed"]


@pytest.mark.req("j1380")
def test_an_administrator_cannot_remove_their_own_administrator_role(db, users_a):
    admin_user = users_a["administrator"]
    with pytest.raises(ValidationError), unit_of_work(db, factories.actor_for(admin_user)) as uow:
        user_admin.update_user_roles(uow, admin_user.id, ["clerk"])


@pytest.mark.req("j1380")
def test_unlock_and_totp_reset(db, setup_session, users_a, city_a):
    clerk = users_a["clerk"]
    clerk.failed_attempts, clerk.locked_until = 5, dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)
    clerk.totp_last_step = 123
    setup_session.flush()
    with unit_of_work(db, factories.actor_for(users_a["administrator"])) as uow:
        user_admin.unlock_user(uow, clerk.id)
        user_admin.reset_totp(uow, clerk.id)
    setup_session.expire_all()
    stored = setup_session.get(models.User, clerk.id)
    assert stored.failed_attempts == 0 and stored.locked_until is None
    assert stored.totp_secret is None and not stored.totp_enrolled and stored.totp_last_step is None
    assert _setting_log(setup_session, city_a.id) == ["user_unlocked", "user_totp_reset"]


@pytest.mark.req("j1380")
def test_an_administrator_resets_a_password(db, setup_session, users_a):
    clerk = users_a["clerk"]
    with unit_of_work(db, factories.actor_for(users_a["administrator"])) as uow:
        user_admin.reset_password(uow, clerk.id, NEW_PASSWORD)
    setup_session.expire_all()
    assert verify_password(setup_session.get(models.User, clerk.id).password_hash, NEW_PASSWORD)


@pytest.mark.req("j1380")
def test_an_administrator_cannot_touch_users_of_another_municipality(db, users_a, users_b):
    with pytest.raises(NotFoundError), unit_of_work(db, factories.actor_for(users_a["administrator"])) as uow:
        user_admin.unlock_user(uow, users_b["clerk"].id)
    with unit_of_work(db, factories.actor_for(users_a["administrator"])) as uow:
        listed = {u.login_id for u in user_admin.list_users(uow)}
    assert listed == {u.login_id for u in users_a.values()}
