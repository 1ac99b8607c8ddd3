"""Certificate pages: issuance (clerk) → PDF download, issuance history per resident with disposal (j300), and the
PUBLIC verification page and API (no sign-in): ``/verify`` and ``/verify/api?payload=…``.

The verification API sits on this blueprint under /verify/api rather than under /api, whose blueprint requires
a bearer token: verification is meant for anyone holding a copy.  Thin: read the request, call the handler.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from handlers.certificates import (
    TYPES,
    dispose_certificate,
    issuance_history,
    issue_certificate,
    overflow_alerts,
    verification_session,
    verify_certificate,
    verify_pdf,
)
from handlers.certificates.history_query import card_status_of
from handlers.errors import Problem, ValidationError
from handlers.rules.disclosure import CHANNELS
from handlers.staff_names import staff_names
from webui.certificates.forms import CertificateIssueForm, DisposeForm, HistoryQueryForm, VerifyForm
from webui.security import current_actor, login_required, permission_required
from webui.uow import current_db, web_uow

bp = Blueprint("certificates", __name__)
TYPE_LABELS = {code: kind.label for code, kind in TYPES.items()}
MAX_UPLOAD = 5 * 1024 * 1024


@bp.get("/certificates")
@login_required
@permission_required("certificate.issue")
def index() -> Response:
    return redirect(url_for("certificates.issue"))


def _pdf_response(pdf: bytes, filename: str) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return response


@bp.route("/certificates/issue", methods=["GET", "POST"])
@login_required
@permission_required("certificate.issue")
def issue() -> Response | str:
    form = CertificateIssueForm(request.form if request.method == "POST" else None)
    if request.method == "GET" and request.args.get("subject"):
        form.subjects.data = request.args["subject"]
    problems: list[Problem] = []
    alerts: list[Problem] = []
    if request.method == "POST" and form.validate():
        certificate_request = form.to_request(current_actor().terminal)
        try:
            if not form.overflow_acknowledged.data:
                with web_uow() as uow:
                    alerts = overflow_alerts(uow, certificate_request)
            if not alerts:
                with web_uow() as uow:
                    issued = issue_certificate(uow, certificate_request)
                return _pdf_response(issued.combined_pdf(), "certificate.pdf")
        except ValidationError as err:
            problems = err.problems
    return render_template("certificates/issue.html", form=form, problems=problems, alerts=alerts)


def handed_over_at(options: dict[str, Any] | None) -> str:
    """Where a copy not handed over at the counter was (コンビニ交付), for the history; the counter's: blank."""
    channel = (options or {}).get("channel") or "counter"
    return "" if channel == "counter" else CHANNELS.get(channel, channel)


@bp.get("/certificates/history/<atena_number>")
@login_required
@permission_required("certificate.issue")
def history(atena_number: str) -> tuple[str, int]:
    """交付履歴照会 (j300, j360): the person's issuance history, narrowed by its items, with the card status."""
    query_form = HistoryQueryForm(request.args)
    problems: list[Problem] = []
    rows: list[Any] = []
    with web_uow() as uow:
        card_status = card_status_of(uow.session, atena_number)
        if query_form.validate():
            try:
                rows = issuance_history(uow, atena_number, query_form.to_query())
            except ValidationError as err:
                problems = err.problems
        entries = [
            {
                "issue_number": r.issue_number, "issued_at": r.issued_at, "place": r.place, "terminal": r.terminal,
                "login_id": r.login_id, "certificate_type": r.certificate_type, "printed": r.items_printed,
                "pages": r.pages, "fee": r.fee, "status": r.status, "disposal_reason": r.disposal_reason,
                "subjects": r.subjects,
                "channel": handed_over_at(r.options),
            }
            for r in rows
        ]  # fmt: skip
        staff = staff_names(uow, (r.login_id for r in rows))
    page = render_template(
        "certificates/history.html", atena_number=atena_number, rows=entries, form=DisposeForm(),
        query_form=query_form, problems=problems, card_status=card_status, type_labels=TYPE_LABELS, staff=staff,
    )  # fmt: skip
    return page, 422 if problems or query_form.errors else 200


@bp.post("/certificates/dispose")
@login_required
@permission_required("certificate.issue")
def dispose() -> Response | str:
    form = DisposeForm(request.form)
    back = request.form.get("atena_number", "")
    if not form.validate():
        flash("発行番号と処分理由を入力してください。")
        return redirect(url_for("certificates.history", atena_number=back))
    with web_uow() as uow:
        dispose_certificate(uow, form.issue_number.data, form.reason.data)
    flash(f"発行番号 {form.issue_number.data} を処分済みにしました。")
    return redirect(url_for("certificates.history", atena_number=back))


@bp.route("/verify", methods=["GET", "POST"])
def verify() -> str:
    """Public: paste the QR payload or upload the PDF."""
    form = VerifyForm()
    result = None
    if request.method == "POST" and form.validate():
        upload = request.files.get("pdf")
        with verification_session(current_db()) as session:
            if upload is not None and upload.filename:
                result = verify_pdf(session, upload.read(MAX_UPLOAD + 1)[:MAX_UPLOAD])
            elif form.payload.data:
                result = verify_certificate(session, form.payload.data)
    return render_template("certificates/verify.html", form=form, result=result)


@bp.get("/verify/api")
def verify_api() -> tuple[Response, int]:
    """Public JSON: ``GET /verify/api?payload=JMN1.…`` → outcome and the fields the copy itself shows."""
    payload = request.args.get("payload", "")
    if not payload:
        return jsonify({"error": "payload_required", "message": "payload を指定してください。"}), 400
    with verification_session(current_db()) as session:
        result = verify_certificate(session, payload)
    return jsonify(result.to_json()), 200
