"""Builders for test data.  Residents and households are built through the handlers, not raw rows."""

from __future__ import annotations

from sqlalchemy.orm import Session

import models
from handlers.context import HIDEABLE_ITEMS, Actor
from handlers.passwords import hash_password

DEFAULT_PASSWORD = "correct horse battery staple"
# Fixed base32 TOTP secret for test users (never used outside tests and the demo).
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

ROLE_NAMES = ("clerk", "supervisor", "analyst", "support_officer", "auditor", "administrator")


def make_municipality(
    session: Session, *, code: str, name: str, prefecture: str, kind: str = "general"
) -> models.Municipality:
    muni = models.Municipality(code=code, name=name, prefecture=prefecture, kind=kind, settings={})
    session.add(muni)
    session.flush()
    return muni


_HASH_CACHE: dict[str, str] = {}


def make_user(
    session: Session,
    municipality: models.Municipality,
    *,
    login_id: str,
    roles: list[str],
    password: str = DEFAULT_PASSWORD,
    enrolled: bool = True,
) -> models.User:
    if password not in _HASH_CACHE:
        _HASH_CACHE[password] = hash_password(password)
    user = models.User(
        tenant_id=municipality.id,
        login_id=login_id,
        display_name=login_id,
        password_hash=_HASH_CACHE[password],
        roles=roles,
        totp_secret=TEST_TOTP_SECRET if enrolled else None,
        totp_enrolled=enrolled,
    )
    session.add(user)
    session.flush()
    return user


def make_role_users(session: Session, municipality: models.Municipality) -> dict[str, models.User]:
    return {
        role: make_user(session, municipality, login_id=f"{role}@{municipality.code}", roles=[role])
        for role in ROLE_NAMES
    }


def actor_for(user: models.User, *, client_address: str = "127.0.0.1") -> Actor:
    hidden = frozenset(item for item in HIDEABLE_ITEMS if getattr(user, f"hide_{item}"))
    return Actor(
        tenant_id=user.tenant_id,
        login_id=user.login_id,
        user_id=user.id,
        roles=frozenset(user.roles),
        client_address=client_address,
        ward_code=user.ward_code,
        hidden_items=hidden,
    )
