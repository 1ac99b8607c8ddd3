"""広域交付 (住基法12条の4, j1210) through the JSON API, for a counter client: the same handlers as the
``/wide-area`` pages (permission ``certificate.issue``, the token's municipality, the access log, the
timeout).  A request is sent (201), read until the home municipality answers (or the answer time passes: the
request is then ``expired`` with the reason), and an answered one printed once (201, its 発行番号; the PDF
stays out of the JSON, the page and the issuance history serve it).  The answered persons' items are not
returned: the copy carries them."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from handlers.errors import Problem, ValidationError
from handlers.wide_area import (
    issue_wide_area_copy,
    request_summary,
    send_wide_area_request,
    wide_area_request,
    wide_area_requests,
)
from webui.api import bp
from webui.uow import web_uow

FIELDS = ("home_code", "certificate_type", "resident_code", "name", "birth_date", "address", "relation",
          "requester_name", "requester_birth_date", "id_document", "purpose")  # fmt: skip
FLAGS = ("include_head_relation", "include_resident_code")


def _fields(body: object) -> dict[str, Any]:
    """The request body as the counter form's fields: text items as text, the two options as booleans."""
    if not isinstance(body, dict):
        raise ValidationError([Problem("body", "要求本文", "広域交付の請求になっていません",
                                       "住所地・種別・対象者・請求者・本人確認書類をJSONで送信してください", "format")])  # fmt: skip
    wrong = [
        name for name in (*FIELDS, *FLAGS) if name in body and not isinstance(body[name], str | bool | None)
    ]
    if wrong:
        raise ValidationError([Problem(name, name, "文字列（オプションは真偽値）で指定してください",
                                       "値の型を直してください", "format") for name in wrong])  # fmt: skip
    fields: dict[str, Any] = {name: str(body.get(name) or "") for name in FIELDS}
    fields.update({name: body.get(name) is True for name in FLAGS})
    return fields


@bp.post("/wide-area-requests")
def send_wide_area_request_api() -> tuple[Response, int]:
    fields = _fields(request.get_json(silent=True))
    with web_uow() as uow:
        body = request_summary(send_wide_area_request(uow, fields))
    return jsonify(body), 201


@bp.get("/wide-area-requests")
def wide_area_requests_api() -> Response:
    with web_uow() as uow:
        rows = [request_summary(row) for row in wide_area_requests(uow)]
    return jsonify({"requests": rows})


@bp.get("/wide-area-requests/<int:request_id>")
def wide_area_request_api(request_id: int) -> Response:
    with web_uow() as uow:
        body = request_summary(wide_area_request(uow, request_id))
    return jsonify(body)


@bp.post("/wide-area-requests/<int:request_id>/print")
def print_wide_area_copy_api(request_id: int) -> tuple[Response, int]:
    with web_uow() as uow:
        issued = issue_wide_area_copy(uow, request_id)
    body = {"certificate_type": issued.certificate_type, "issue_numbers": issued.issue_numbers,
            "fee": issued.fee_total, "pages": issued.pages}  # fmt: skip
    return jsonify(body), 201
