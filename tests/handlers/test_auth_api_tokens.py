"""API tokens: the secret is shown once and only its hash kept; a token acts within its municipality."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

import models
from handlers import api_tokens
from handlers.auth import door_actor
from handlers.errors import PermissionDeniedError, TenancyError, ValidationError
from handlers.uow import unit_of_work
from tests import factories


def _issue(db, actor, **kw) -> str:
    with unit_of_work(db, actor) as uow:
        return api_tokens.issue_token(uow, **kw)


def _authenticate(db, secret: str):
    with unit_of_work(db, door_actor("api", "192.0.2.1"), cross_tenant=True) as uow:
        return api_tokens.authenticate_token(uow.session, secret)


def test_only_the_hash_of_the_secret_is_stored(db, setup_session, users_a, city_a):
    secret = _issue(db, factories.actor_for(users_a["administrator"]), name="連携システム", roles=["clerk"])
    token = setup_session.scalars(select(models.ApiToken)).one()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(vars(token)) and token.tenant_id == city_a.id
    functions = setup_session.scalars(
        select(models.AccessLog.function).where(models.AccessLog.action == "setting")
    )
    assert list(functions) == ["api_token_issued"]


def test_a_system_token_acts_with_its_roles_in_its_municipality(db, users_b, city_b):
    secret = _issue(db, factories.actor_for(users_b["administrator"]), name="住基ネット連携", roles=["clerk"])
    actor = _authenticate(db, secret)
    assert actor is not None and actor.tenant_id == city_b.id
    assert actor.roles == frozenset({"clerk"}) and actor.user_id is None


def test_a_user_token_acts_as_the_user_narrowed_to_its_roles(db, setup_session, users_a):
    supervisor = users_a["supervisor"]
    supervisor.hide_my_number = True
    setup_session.flush()
    admin = factories.actor_for(users_a["administrator"])
    secret = _issue(db, admin, name="script", user_id=supervisor.id, roles=["supervisor", "auditor"])
    actor = _authenticate(db, secret)
    assert actor is not None and actor.user_id == supervisor.id
    assert actor.roles == frozenset({"supervisor"})  # a token never adds a role the user lacks
    assert actor.hidden_items == frozenset({"my_number"})
    supervisor.active = False
    setup_session.flush()
    assert _authenticate(db, secret) is None


def test_unknown_revoked_and_malformed_secrets_are_refused(db, setup_session, users_a):
    admin = factories.actor_for(users_a["administrator"])
    secret = _issue(db, admin, name="batch", roles=["clerk"])
    assert _authenticate(db, secret + "x") is None
    assert _authenticate(db, "not-a-token") is None
    token = setup_session.scalars(select(models.ApiToken)).one()
    with unit_of_work(db, admin) as uow:
        api_tokens.revoke_token(uow, token.id)
    assert _authenticate(db, secret) is None


def test_use_is_recorded(db, setup_session, users_a):
    secret = _issue(db, factories.actor_for(users_a["administrator"]), name="batch", roles=["clerk"])
    assert _authenticate(db, secret) is not None
    setup_session.expire_all()
    assert setup_session.scalars(select(models.ApiToken)).one().last_used_at is not None


def test_use_is_recorded_at_most_once_a_minute(db, setup_session, users_a):
    """A busy client must not update (and lock) its token row on every request."""
    secret = _issue(db, factories.actor_for(users_a["administrator"]), name="batch", roles=["clerk"])
    assert _authenticate(db, secret) is not None
    setup_session.expire_all()
    token = setup_session.scalars(select(models.ApiToken)).one()
    first = token.last_used_at
    assert _authenticate(db, secret) is not None
    setup_session.expire_all()
    assert token.last_used_at == first  # the second use within the minute writes nothing
    token.last_used_at = first - api_tokens.LAST_USED_RESOLUTION
    setup_session.flush()
    assert _authenticate(db, secret) is not None
    setup_session.expire_all()
    assert token.last_used_at > first - api_tokens.LAST_USED_RESOLUTION


def test_issuing_needs_the_user_administration_permission_and_valid_roles(db, users_a):
    with pytest.raises(PermissionDeniedError):
        _issue(db, factories.actor_for(users_a["clerk"]), name="x", roles=["clerk"])
    with pytest.raises(ValidationError):
        _issue(db, factories.actor_for(users_a["administrator"]), name="x")  # a system token needs roles
    with pytest.raises(ValidationError):
        _issue(db, factories.actor_for(users_a["administrator"]), name="x", roles=["root"])


def test_lookup_needs_a_cross_tenant_session(db, users_a):
    with pytest.raises(TenancyError), unit_of_work(db, factories.actor_for(users_a["clerk"])) as uow:
        api_tokens.authenticate_token(uow.session, "jmn_x")
