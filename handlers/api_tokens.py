"""API tokens for systems and scripts.  The secret is shown once at issue; only its sha256 is stored.

A user's token acts as that user (with the user's current roles, narrowed to the token's roles if it names
any); a system's token (no user) acts with the roles it was issued with.  Either is confined to the tenant
the token belongs to.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.orm import Session

from handlers import audit
from handlers.auth import actor_for_user
from handlers.context import HIDEABLE_ITEMS, Actor
from handlers.errors import NotFoundError, Problem, TenancyError, ValidationError
from handlers.permissions import require
from handlers.rules.instants import as_utc
from handlers.tenancy import CROSS_TENANT_KEY
from handlers.uow import UnitOfWork
from handlers.user_admin import unknown_role_problems
from models.api_token import ApiToken
from models.user import User

SECRET_PREFIX = "jmn_"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    uow: UnitOfWork, *, name: str, user_id: int | None = None, roles: Iterable[str] | None = None
) -> str:
    """Create a token of the actor's municipality and return its secret (shown once, never stored)."""
    require(uow.actor, "admin.users")
    name = name.strip()
    role_list = sorted(set(roles or ()))
    problems = _token_problems(name, user_id, role_list)
    if user_id is not None and uow.session.get(User, user_id) is None:
        raise NotFoundError("指定された利用者は見つかりません。")
    if problems:
        raise ValidationError(problems)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name, token_hash=hash_secret(secret), user_id=user_id, roles=role_list, revoked=False
    )
    uow.session.add(token)
    uow.session.flush()
    audit.record_access(
        uow, "api_token_issued", "setting", detail={"token_id": token.id, "name": name, "user_id": user_id}
    )
    return secret


def revoke_token(uow: UnitOfWork, token_id: int) -> None:
    require(uow.actor, "admin.users")
    token = uow.session.get(ApiToken, token_id)
    if token is None:
        raise NotFoundError("指定されたAPIトークンは見つかりません。")
    token.revoked = True
    audit.record_access(
        uow, "api_token_revoked", "setting", detail={"token_id": token.id, "name": token.name}
    )


@dataclass(frozen=True)
class TokenMatch:
    """What a bearer secret stands for: the Actor, and whether the token's use is due to be recorded."""

    actor: Actor
    use_due: bool


# The token and its user in one statement, built once, as plain columns (no ORM objects: the session may go on
# in the token's tenant).  The lookup is cross-tenant by design (the token says which tenant).
_TOKEN_AND_USER = (
    select(
        ApiToken.tenant_id.label("token_tenant_id"), ApiToken.name.label("token_name"),
        ApiToken.user_id.label("token_user_id"), ApiToken.roles.label("token_roles"), ApiToken.last_used_at,
        User.id, User.tenant_id, User.login_id, User.roles, User.ward_code, User.active,
        *(getattr(User, f"hide_{item}") for item in HIDEABLE_ITEMS),
    )
    .outerjoin(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("hash"), ApiToken.revoked.is_(False))
)  # fmt: skip


def find_token(session: Session, secret: str, now: dt.datetime | None = None) -> TokenMatch | None:
    """The Actor a bearer secret stands for (a revoked token, an inactive user or another municipality's user:
    None), read in one statement and nothing written.  Needs a cross-tenant session (the token says which
    tenant)."""
    if not session.info.get(CROSS_TENANT_KEY):
        raise TenancyError("APIトークンの照合は、市区町村をまたぐ照会として開いたセッションでのみ行えます。")
    if not secret.startswith(SECRET_PREFIX):
        return None
    found = session.connection().execute(_TOKEN_AND_USER, {"hash": hash_secret(secret)}).first()
    if found is None:
        return None
    actor = _actor_of(found)
    if actor is None:
        return None
    return TokenMatch(actor, _use_due(found.last_used_at, now or dt.datetime.now(dt.UTC)))


def authenticate_token(session: Session, secret: str) -> Actor | None:
    """The Actor a bearer secret stands for, or None.  Needs a cross-tenant session (the token says which
    tenant); records when the token was last used (in ``session``, at most once a minute)."""
    now = dt.datetime.now(dt.UTC)
    match = find_token(session, secret, now)
    if match is None:
        return None
    if match.use_due:
        session.execute(
            update(ApiToken).where(ApiToken.token_hash == hash_secret(secret)).values(last_used_at=now)
        )
    return match.actor


LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _use_due(last: dt.datetime | None, now: dt.datetime) -> bool:
    """Record the use at most once a minute: a busy client's every request would otherwise update (and lock)
    the same token row."""
    return last is None or now - as_utc(last) >= LAST_USED_RESOLUTION


def _actor_of(found: Row[Any]) -> Actor | None:
    """The Actor of a token row of ``_TOKEN_AND_USER``: a system token's, or its user's narrowed to its roles."""
    terminal = f"api:{found.token_name}"[:60]
    if found.token_user_id is None:
        return Actor(tenant_id=found.token_tenant_id, login_id=terminal, roles=frozenset(found.token_roles))
    if found.id is None or not found.active or found.tenant_id != found.token_tenant_id:
        return None
    actor = actor_for_user(found)
    roles = actor.roles & frozenset(found.token_roles) if found.token_roles else actor.roles
    return Actor(
        tenant_id=actor.tenant_id,
        login_id=actor.login_id,
        user_id=actor.user_id,
        roles=roles,
        ward_code=actor.ward_code,
        hidden_items=actor.hidden_items,
        terminal=terminal,
    )


def _token_problems(name: str, user_id: int | None, roles: list[str]) -> list[Problem]:
    problems = []
    if not name or len(name) > 80:
        problems.append(
            Problem(
                "name", "名称", "1文字以上80文字以内で指定されていません", "入力し直してください", "format"
            )
        )
    problems += unknown_role_problems(roles)
    if user_id is None and not roles:
        problems.append(
            Problem(
                "roles",
                "権限",
                "システム用トークンに権限が指定されていません",
                "1つ以上指定してください",
                "required",
            )
        )
    return problems
