"""POST /relay/messages: the CS relay between the municipalities of this deployment, run as its own process in
production (``jumin relay serve``).  Authentication is the HMAC-SHA256 signature of the body with the sending
municipality's relay secret (``X-Jumin-Signature``, ``X-Jumin-Sender``); docs/integration.md."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request
from werkzeug.wrappers import Response

from handlers.db import Database
from handlers.errors import DomainError
from handlers.integration.messages import SENDER_HEADER, SIGNATURE_HEADER
from handlers.relay import accept_signed
from handlers.settings import Settings

bp = Blueprint("relay", __name__, url_prefix="/relay")


@bp.post("/messages")
def receive() -> tuple[Response, int]:
    db: Database = current_app.extensions["jumin.db"]
    try:
        receipt = accept_signed(
            db,
            request.get_data(),
            request.headers.get(SENDER_HEADER, ""),
            request.headers.get(SIGNATURE_HEADER),
        )
    except DomainError as error:
        return jsonify(error.to_json()), error.status
    body: dict[str, Any] = {"routed_to": receipt.routed_to, "duplicate": receipt.duplicate}
    return jsonify(body), 200


def create_relay_app(db: Database | None = None) -> Flask:
    """The relay service alone (no sign-in pages, no sessions): one route, HMAC-authenticated."""
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["jumin.db"] = db or Database.from_url(Settings.from_env().database_url)
    app.register_blueprint(bp)
    return app
