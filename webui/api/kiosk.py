"""コンビニ交付 (j1210) through the JSON API: the door of the 証明書交付センター (a system token with the role
``kiosk``, confined to its municipality).  Thin: the body goes to ``handlers.kiosk.issue_at_kiosk`` as received;
an issued certificate answers 201 with its PDF (base64), 発行番号 and pages, a refusal 403 with its reason, a
retry of an answered request the same answer again (``Idempotent-Replayed: true``).  ``/kiosk/household``: the
card holder's household members for a 世帯の一部 choice (200), or the refusal (403)."""

from __future__ import annotations

from flask import Response, jsonify, request

from handlers.kiosk import issue_at_kiosk, list_household_at_kiosk
from webui.api import bp
from webui.uow import web_uow


@bp.post("/kiosk/certificates")
def issue_at_kiosk_api() -> tuple[Response, int]:
    body = request.get_json(silent=True)
    with web_uow() as uow:
        answer = issue_at_kiosk(uow, body)
    response = jsonify(answer.body)
    if answer.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response, answer.status


@bp.post("/kiosk/household")
def list_household_at_kiosk_api() -> tuple[Response, int]:
    body = request.get_json(silent=True)
    with web_uow() as uow:
        answer = list_household_at_kiosk(uow, body)
    return jsonify(answer.body), answer.status
