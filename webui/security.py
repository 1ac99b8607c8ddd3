"""Sign-in state for the web doors: Flask-Login, the current Actor, permission decorators.

Passwords, TOTP, lockout and the audit of sign-in live in ``handlers.auth``; this module only turns the
signed-in session into an ``Actor`` and guards views.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, g, request
from flask_login import LoginManager, UserMixin, current_user
from flask_login import login_required as _login_required

from handlers.context import Actor
from handlers.permissions import has_permission
from webui.input_guard import terminal_header

F = TypeVar("F", bound=Callable[..., Any])

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "ログインしてください。"
login_manager.session_protection = "strong"


class SessionUser(UserMixin):
    """The signed-in user as the web layer sees it (no ORM object kept across requests)."""

    def __init__(self, actor: Actor, display_name: str, tenant_name: str) -> None:
        self.actor = actor
        self.display_name = display_name
        self.tenant_name = tenant_name

    def get_id(self) -> str:
        return str(self.actor.user_id)


def current_actor() -> Actor:
    """The acting user, with this request's client address.  Systems use the API token's actor."""
    actor: Actor | None = g.get("api_actor")
    if actor is not None:
        return actor
    if not current_user.is_authenticated:
        abort(401)
    base: Actor = current_user.actor
    return Actor(
        tenant_id=base.tenant_id,
        login_id=base.login_id,
        user_id=base.user_id,
        roles=base.roles,
        client_address=request.remote_addr,
        terminal=terminal_header() or base.terminal,
        ward_code=base.ward_code,
        hidden_items=base.hidden_items,
    )


login_required = _login_required


def permission_required(permission: str) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not has_permission(current_actor(), permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


# Where a signed-in user starts: the first of these pages the user's roles open (the main menu's order).
START_PAGES = (
    ("residents.search", "resident.search"),
    ("counter.tasks", "resident.change"),
    ("support_measures.tasks", "support.set"),
    ("audit_log.index", "audit.view"),
    ("flows.index", "flows.edit"),
    ("statistics.index", "statistics.view"),
    ("user_admin.index", "admin.users"),
    ("options.index", "admin.settings"),
)


def start_page() -> str:
    """The start page of the signed-in user: a page they may open, never one that answers 403."""
    from flask import url_for

    actor = current_actor()
    for endpoint, permission in START_PAGES:
        if endpoint in current_app.view_functions and has_permission(actor, permission):
            return url_for(endpoint)
    return url_for("auth.account")
