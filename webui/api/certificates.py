"""Certificate issuance through the JSON API (systems such as a kiosk or a counter client): the same handler as
the page (permissions, disclosure, 発行番号, access log); the answer lists the 発行番号 and the fee, and the PDF is
kept out of the JSON (the page and the history serve it)."""

from __future__ import annotations

from flask import Response, jsonify, request

from handlers.certificates.issuance import issue_certificate
from handlers.certificates.options import CertificateRequest
from handlers.e_applications import receive_e_application
from handlers.errors import Problem, ValidationError
from handlers.rules.disclosure import Identity
from webui.api import bp
from webui.api.body import FLAG, INTEGER, TEXT, TEXTS, check_kinds
from webui.input_guard import terminal_header
from webui.uow import web_uow

REQUEST_KINDS = {"certificate_type": TEXT, "subjects": TEXTS, "whole_household": FLAG, "requester_kind": TEXT,
                 "requester_name": TEXT, "purpose": TEXT, "copies": INTEGER}  # fmt: skip


def _request_from(body: object) -> CertificateRequest:
    if not isinstance(body, dict) or not isinstance(body.get("subjects"), list):
        raise ValidationError(
            [
                Problem(
                    "body",
                    "要求本文",
                    "証明書の請求になっていません",
                    "種別と対象者（宛名番号の配列）を送信してください",
                    "format",
                )
            ]
        )
    check_kinds(body, REQUEST_KINDS)
    return CertificateRequest(
        certificate_type=str(body.get("certificate_type") or ""),
        subjects=tuple(str(s) for s in body["subjects"]),
        whole_household=bool(body.get("whole_household")),
        requester_kind=str(body.get("requester_kind") or "self"),
        requester=Identity(name=body.get("requester_name") or None),
        purpose=str(body.get("purpose") or ""),
        copies=int(body.get("copies") or 1),
        terminal=terminal_header(),
    )


@bp.post("/certificates")
def issue_certificate_api() -> tuple[Response, int]:
    certificate_request = _request_from(request.get_json(silent=True))
    with web_uow() as uow:
        issued = issue_certificate(uow, certificate_request)
    body = {
        "certificate_type": issued.certificate_type,
        "issue_numbers": [copy.issue_number for copy in issued.copies],
        "fee": issued.fee_total,
        "pages": sum(copy.pages for copy in issued.copies),
    }
    return jsonify(body), 201


@bp.post("/e-applications")
def receive_e_application_api() -> tuple[Response, int]:
    """電子申請 (j1210) from the municipality's 電子申請 system: the signed application's envelope; a verified one
    opens a certificate request case (201), a refused one answers with the problems (422) and opens nothing."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError([Problem("body", "要求本文", "申請の封筒になっていません",
                                       "application・signature・certificate を送信してください", "format")])  # fmt: skip
    with web_uow() as uow:
        case = receive_e_application(uow, body)
        answer = {"case_id": case.id, "case_number": case.case_number, "status": case.status}
    return jsonify(answer), 201
