"""住基ネット CS の画面 (j1100, j1120, j1140).  Thin: read the form, call the handler, render.

* /juki-net/consistency: the consistency checks against CS's extract and the mismatches of one (j1100);
* /juki-net/code-requests: the 符号取得要求 with whether each went out correctly, and a new request (j1140);
* /juki-net/card-destinations: the history of 送付先情報 sent to CS, and the 居所 for 番号通知書類 (j1120);
* /juki-net/my-number-requests: the 個人番号の生成要求・変更要求 and what CS answered (j1130);
* /juki-net/certificate-serials: the シリアル番号 requests and a new one (j1160);
* /juki-net/status: 住基ネットの稼働状況 and every 電文 that ended in error (j1160).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from handlers.errors import ValidationError
from handlers.juki_net.card_destinations import end_mailing_residence, set_mailing_residence
from handlers.juki_net.card_history import card_destination_history, mailing_residence
from handlers.juki_net.certificate_serials import request_certificate_serial
from handlers.juki_net.code_requests import STATUS_LABELS, code_request_list, request_code
from handlers.juki_net.consistency import consistency_report
from handlers.juki_net.cs_status import cs_errors, operating_status
from handlers.juki_net.person_requests import STATUS_LABELS as REQUEST_STATUSES
from handlers.juki_net.person_requests import person_request_list
from webui.errors import form_messages
from webui.juki_net.forms import (
    CardHistorySearchForm,
    CodeRequestForm,
    EndResidenceForm,
    MailingResidenceForm,
    SerialRequestForm,
)
from webui.row_ids import row_id_arg
from webui.security import login_required, permission_required
from webui.uow import web_uow

bp = Blueprint("juki_net", __name__, template_folder="templates", url_prefix="/juki-net")


@bp.get("/consistency")
@login_required
@permission_required("resident.view")
def consistency() -> str:
    check_id = row_id_arg("check")
    with web_uow() as uow:
        report = consistency_report(uow, check_id)
    return render_template("juki_net/consistency.html", **report)


@bp.get("/code-requests")
@login_required
@permission_required("resident.view")
def code_requests() -> str:
    status = request.args.get("status", "").strip()
    with web_uow() as uow:
        rows = code_request_list(uow, status if status in STATUS_LABELS else None)
    return render_template(
        "juki_net/code_requests.html",
        rows=rows,
        status=status,
        statuses=STATUS_LABELS,
        form=CodeRequestForm(),
    )


@bp.post("/code-requests")
@login_required
@permission_required("resident.change")
def new_code_request() -> Response:
    form = CodeRequestForm()
    if not form.validate():
        flash("、".join(form_messages(form)), "error")
        return redirect(url_for("juki_net.code_requests"))
    try:
        with web_uow() as uow:
            created = request_code(uow, form.atena_number.data or "")
            number = created.id
    except ValidationError as err:
        flash("、".join(p.message for p in err.problems), "error")
        return redirect(url_for("juki_net.code_requests"))
    flash(f"符号取得要求（要求番号 {number}）をCSへの送信待ちに登録しました。", "success")
    return redirect(url_for("juki_net.code_requests"))


@bp.get("/card-destinations")
@login_required
@permission_required("resident.view")
def card_destinations() -> str:
    return _card_destinations_page(CardHistorySearchForm(request.args), MailingResidenceForm(formdata=None))


def _card_destinations_page(form: CardHistorySearchForm, residence_form: MailingResidenceForm) -> str:
    rows, problems, residence = None, [], None
    if form.validate():
        with web_uow() as uow:
            rows = card_destination_history(
                uow, atena_number=form.atena_number.data or None, date_from=form.date_from.data,
                date_to=form.date_to.data, trigger=form.trigger.data or None,
            )  # fmt: skip
            residence = mailing_residence(uow, form.atena_number.data or "")
    else:
        problems = form_messages(form)
    return render_template(
        "juki_net/card_destinations.html", form=form, rows=rows, problems=problems, residence=residence,
        residence_form=residence_form, end_form=EndResidenceForm(),
    )  # fmt: skip


@bp.post("/card-destinations/residence")
@login_required
@permission_required("resident.change")
def set_residence() -> Response | tuple[str, int]:
    form = MailingResidenceForm()
    if not form.validate():
        return _residence_refused(form, form_messages(form))
    try:
        with web_uow() as uow:
            set_mailing_residence(uow, form.atena_number.data or "", form.data)
    except ValidationError as err:
        return _residence_refused(form, [p.message for p in err.problems])
    flash("居所を番号通知書類の送付先に設定し、送付先情報をCSへの送信待ちに登録しました。", "success")
    return redirect(url_for("juki_net.card_destinations", atena_number=form.atena_number.data))


def _residence_refused(form: MailingResidenceForm, messages: list[str]) -> tuple[str, int]:
    """The page again with what was typed kept in the residence form, and why it was refused."""
    flash("、".join(messages), "error")
    search = CardHistorySearchForm(MultiDict({"atena_number": form.atena_number.data or ""}))
    return _card_destinations_page(search, form), 422


@bp.post("/card-destinations/residence/end")
@login_required
@permission_required("resident.change")
def end_residence() -> Response:
    form = EndResidenceForm()
    if not form.validate():
        flash("、".join(form_messages(form)), "error")
        return redirect(url_for("juki_net.card_destinations"))
    try:
        with web_uow() as uow:
            end_mailing_residence(uow, form.atena_number.data or "")
    except ValidationError as err:
        flash("、".join(p.message for p in err.problems), "error")
        return redirect(url_for("juki_net.card_destinations"))
    flash("居所の設定を終了し、住所を送付先とする送付先情報をCSへの送信待ちに登録しました。", "success")
    return redirect(url_for("juki_net.card_destinations", atena_number=form.atena_number.data))


def _requests_page(template: str, kinds: tuple[str, ...], **extra: Any) -> str:
    status = request.args.get("status", "").strip()
    with web_uow() as uow:
        rows = person_request_list(uow, kinds, status if status in REQUEST_STATUSES else None)
    return render_template(template, rows=rows, status=status, statuses=REQUEST_STATUSES, **extra)


@bp.get("/my-number-requests")
@login_required
@permission_required("resident.view")
def my_number_requests() -> str:
    return _requests_page("juki_net/my_number_requests.html", ("my_number_generation", "my_number_change"))


@bp.get("/certificate-serials")
@login_required
@permission_required("resident.view")
def certificate_serials() -> str:
    return _requests_page(
        "juki_net/certificate_serials.html", ("certificate_serial",), form=SerialRequestForm()
    )


@bp.post("/certificate-serials")
@login_required
@permission_required("resident.change")
def new_certificate_serial() -> Response:
    form = SerialRequestForm()
    if not form.validate():
        flash("、".join(form_messages(form)), "error")
        return redirect(url_for("juki_net.certificate_serials"))
    try:
        with web_uow() as uow:
            number = request_certificate_serial(uow, form.atena_number.data or "").id
    except ValidationError as err:
        flash("、".join(p.message for p in err.problems), "error")
        return redirect(url_for("juki_net.certificate_serials"))
    flash(f"シリアル番号の取得要求（要求番号 {number}）をCSへの送信待ちに登録しました。", "success")
    return redirect(url_for("juki_net.certificate_serials"))


@bp.get("/status")
@login_required
@permission_required("resident.view")
def status() -> str:
    with web_uow() as uow:
        current, errors = operating_status(uow), cs_errors(uow)
    return render_template("juki_net/status.html", status=current, errors=errors)
