"""広域交付 (j1210) at the counter: the request for a resident of another municipality, its answer (or the
refusal and its reason), and the printing of the copy.  Thin: read the form, call the handler, render."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from handlers.errors import ConflictError, Problem, ValidationError
from handlers.rules.wide_area import ID_DOCUMENTS, RELATIONS, WIDE_AREA_TYPES
from handlers.wide_area import (
    STATUS_LABELS,
    issue_wide_area_copy,
    send_wide_area_request,
    wide_area_request,
    wide_area_requests,
)
from webui.security import login_required, permission_required
from webui.uow import web_uow
from webui.wide_area.forms import PrintForm, WideAreaRequestForm

bp = Blueprint("wide_area", __name__, template_folder="templates", url_prefix="/wide-area")
LABELS = {
    "statuses": STATUS_LABELS,
    "types": WIDE_AREA_TYPES,
    "relations": RELATIONS,
    "documents": ID_DOCUMENTS,
}


@bp.get("")
@login_required
@permission_required("certificate.issue")
def index() -> str:
    with web_uow() as uow:
        rows = wide_area_requests(uow)
        return render_template("wide_area/index.html", rows=rows, **LABELS)


@bp.route("/new", methods=["GET", "POST"])
@login_required
@permission_required("certificate.issue")
def new() -> Response | tuple[str, int]:
    form = WideAreaRequestForm()
    problems: list[Problem] = []
    if form.is_submitted() and form.validate():
        try:
            with web_uow() as uow:
                sent = send_wide_area_request(uow, form.values())
                number, request_id = sent.request_number, sent.id
        except ValidationError as err:
            problems = err.problems
        else:
            flash(f"広域交付の請求 {number} を住所地へ送信しました。", "success")
            return redirect(url_for("wide_area.show", request_id=request_id))
    status = 422 if problems or form.errors else 200
    return render_template("wide_area/new.html", form=form, problems=problems), status


@bp.get("/<int:request_id>")
@login_required
@permission_required("certificate.issue")
def show(request_id: int) -> str:
    with web_uow() as uow:
        row = wide_area_request(uow, request_id)
        return render_template("wide_area/show.html", row=row, form=PrintForm(), **LABELS)


@bp.post("/<int:request_id>/print")
@login_required
@permission_required("certificate.issue")
def print_copy(request_id: int) -> Response:
    form = PrintForm()
    if not form.validate():
        flash("画面を開き直してから印刷してください。", "error")
        return redirect(url_for("wide_area.show", request_id=request_id))
    try:
        with web_uow() as uow:
            issued = issue_wide_area_copy(uow, request_id)
    except ConflictError as err:
        flash(str(err), "error")
        return redirect(url_for("wide_area.show", request_id=request_id))
    response = Response(issued.combined_pdf(), mimetype="application/pdf")
    response.headers["Content-Disposition"] = "attachment; filename=wide-area-copy.pdf"
    return response
