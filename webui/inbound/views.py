"""受信した通知の画面 (j680–j710, j770).  Thin: read the form, call the handler, render.

* /inbound/relay: the CS relay inbox with status and the action to take; a supervisor decides the rows left
  for review (accept / refuse with a reason).
* /inbound/move-out-certificates: 転出証明書情報 for a 特例転入 (by 住民票コード, or name and birth date); using
  one opens the 特例転入 intake prefilled (/cases/new/move_in?certificate=<id>).
* /inbound/koseki: the pending 住民票記載事項通知 with the before/after 確認票, apply or refuse (取込不可).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from handlers.errors import ValidationError
from handlers.koseki_notices import (
    apply_koseki_notice,
    koseki_notice_list,
    koseki_notice_view,
    refuse_koseki_notice,
)
from handlers.relay_certificates import find_move_out_certificate_info
from handlers.relay_inbox import STATUS_LABELS, decide, relay_inbox
from webui.errors import form_messages
from webui.inbound.forms import ApplyNoticeForm, CertificateSearchForm, RefuseNoticeForm, RelayDecisionForm
from webui.security import login_required, permission_required
from webui.uow import web_uow

bp = Blueprint("inbound", __name__, template_folder="templates", url_prefix="/inbound")


@bp.get("/relay")
@login_required
@permission_required("resident.change")
def relay() -> str:
    status = request.args.get("status", "").strip()
    with web_uow() as uow:
        rows = relay_inbox(uow, status if status in STATUS_LABELS else None)
    return render_template(
        "inbound/relay.html", rows=rows, status=status, statuses=STATUS_LABELS, form=RelayDecisionForm()
    )


@bp.post("/relay/<int:inbox_id>/decision")
@login_required
@permission_required("resident.approve")
def decide_relay(inbox_id: int) -> Response | tuple[str, int]:
    form = RelayDecisionForm()
    if not form.validate():
        flash("、".join(form_messages(form)), "error")
        return redirect(url_for("inbound.relay", status="review"))
    try:
        with web_uow() as uow:
            decide(uow, inbox_id, form.decision.data or "", form.reason.data or "", form.atena_number.data)
    except ValidationError as err:
        flash("、".join(p.message for p in err.problems), "error")
        return redirect(url_for("inbound.relay", status="review"))
    flash("受理しました。" if form.decision.data == "accept" else "受理しないことにしました。", "success")
    return redirect(url_for("inbound.relay"))


@bp.get("/move-out-certificates")
@login_required
@permission_required("resident.change")
def certificates() -> str:
    form = CertificateSearchForm(request.args)
    found: list[dict[str, Any]] | None = None
    problems: list[str] = []
    if form.searched():
        if form.validate():
            try:
                with web_uow() as uow:
                    found = find_move_out_certificate_info(
                        uow,
                        resident_code=form.resident_code.data,
                        name=form.name.data,
                        birth_date=form.birth_date.data or None,
                    )
            except ValidationError as err:
                problems = [p.message for p in err.problems]
        else:
            problems = form_messages(form)
    return render_template("inbound/certificates.html", form=form, found=found, problems=problems)


@bp.get("/koseki")
@login_required
@permission_required("resident.view")
def koseki() -> str:
    with web_uow() as uow:
        rows = koseki_notice_list(uow)
    return render_template("inbound/koseki.html", rows=rows)


@bp.get("/koseki/<int:notice_id>")
@login_required
@permission_required("resident.view")
def koseki_notice(notice_id: int) -> str:
    with web_uow() as uow:
        view = koseki_notice_view(uow, notice_id)
    return render_template(
        "inbound/koseki_notice.html", view=view, apply_form=ApplyNoticeForm(), refuse_form=RefuseNoticeForm()
    )


@bp.post("/koseki/<int:notice_id>/apply")
@login_required
@permission_required("resident.change")
def apply_koseki(notice_id: int) -> Response:
    if not ApplyNoticeForm().validate():
        flash("画面を開き直してから操作してください。", "error")
        return redirect(url_for("inbound.koseki_notice", notice_id=notice_id))
    try:
        with web_uow() as uow:
            case_id = apply_koseki_notice(uow, notice_id)
    except ValidationError as err:
        flash("、".join(p.message for p in err.problems), "error")
        return redirect(url_for("inbound.koseki_notice", notice_id=notice_id))
    flash("戸籍の通知を反映する案件を受け付けました。審査者の決裁を待っています。", "success")
    return redirect(url_for("counter.case", case_id=case_id))


@bp.post("/koseki/<int:notice_id>/refuse")
@login_required
@permission_required("resident.change")
def refuse_koseki(notice_id: int) -> Response:
    form = RefuseNoticeForm()
    if not form.validate():
        flash("、".join(form_messages(form)), "error")
        return redirect(url_for("inbound.koseki_notice", notice_id=notice_id))
    try:
        with web_uow() as uow:
            refuse_koseki_notice(uow, notice_id, form.reason.data or "")
    except ValidationError as err:
        flash("、".join(p.message for p in err.problems), "error")
        return redirect(url_for("inbound.koseki_notice", notice_id=notice_id))
    flash("取込不可としました。", "success")
    return redirect(url_for("inbound.koseki"))
