"""JSON API for systems and scripts: same handlers as the pages, token authentication, structured errors.

Every request needs ``Authorization: Bearer <secret>`` (an API token, see ``handlers.api_tokens``); the
token's Actor, confined to the token's municipality, is ``flask.g.api_actor`` and ``current_actor()``.
The API is exempt from CSRF: it accepts no cookies as credentials.
"""

from __future__ import annotations

import dataclasses

from flask import Blueprint, Flask, Request, Response, g, jsonify, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from handlers.api_tokens import authenticate_token, find_token
from handlers.auth import door_actor
from handlers.tenants import municipality_of
from handlers.uow import begin_cross_tenant_read, discard, unit_of_work
from webui.input_guard import refuse_unstorable_input
from webui.security import current_actor
from webui.uow import current_db, web_uow

bp = Blueprint("api", __name__, url_prefix="/api")

UNAUTHORIZED = {"error": "unauthorized", "message": "認証トークンが必要です。"}
# the largest request body the API reads (413 past it): its largest requests, a household or a signed 電子申請,
# are a few kilobytes
MAX_BODY_BYTES = 4 * 1024 * 1024


class NoSessionForTheApi(SecureCookieSessionInterface):
    """The API takes no cookies as credentials, so its requests get no cookie session: the signed cookie is
    neither looked for nor its serializer built, and nothing is written back (Flask's null session)."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith("/api/"):
            return self.make_null_session(app)
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    from webui.app import csrf

    csrf.exempt(bp)
    app.session_interface = NoSessionForTheApi()


@bp.before_request
def authenticate_bearer_token() -> tuple[Response, int] | None:
    """The token is read in the transaction the endpoint's unit of work then continues in the token's
    municipality (``webui.uow.web_uow``).  When the token's use is due to be recorded (once a minute), the
    lookup is made again in a transaction of its own that records it."""
    request.max_content_length = MAX_BODY_BYTES
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        return _unauthorized()
    session = begin_cross_tenant_read(current_db())
    try:
        match = find_token(session, secret)
    except BaseException:
        discard(session)
        raise
    if match is not None and not match.use_due:
        g.api_session = session
        g.api_actor = dataclasses.replace(match.actor, client_address=request.remote_addr)
        return None
    discard(session)
    if match is None:
        return _unauthorized()
    with unit_of_work(current_db(), door_actor("api", request.remote_addr), cross_tenant=True) as uow:
        actor = authenticate_token(uow.session, secret)
    if actor is None:
        return _unauthorized()
    g.api_actor = dataclasses.replace(actor, client_address=request.remote_addr)
    return None


bp.before_request(refuse_unstorable_input)  # after the token: an unknown caller learns only 401


@bp.teardown_request
def discard_unused_session(_exc: BaseException | None) -> None:
    """The endpoint never opened its unit of work (an error before it, or nothing to read)."""
    session = g.pop("api_session", None)
    if session is not None:
        discard(session)


def _unauthorized() -> tuple[Response, int]:
    response = jsonify(UNAUTHORIZED)
    response.headers["WWW-Authenticate"] = 'Bearer realm="jumin"'
    return response, 401


@bp.get("/me")
def me() -> Response:
    """Who the token stands for: its municipality and roles."""
    actor = current_actor()
    with web_uow() as uow:
        municipality = municipality_of(uow.session, actor.tenant_id)
    return jsonify(
        {
            "login_id": actor.login_id,
            "tenant_code": municipality.code,
            "tenant_name": municipality.name,
            "roles": sorted(actor.roles),
        }
    )


from webui.api import cases as _cases  # noqa: E402, F401 - registers the case endpoints
from webui.api import certificates as _certificates  # noqa: E402, F401 - POST /api/certificates
from webui.api import kiosk as _kiosk  # noqa: E402, F401 - コンビニ交付 (j1210)
from webui.api import openapi as _openapi  # noqa: E402, F401 - serves /api/openapi.json
from webui.api import residents as _residents  # noqa: E402, F401 - registers the resident endpoints
from webui.api import wide_area as _wide_area  # noqa: E402, F401 - the 広域交付 endpoints (j1210)
