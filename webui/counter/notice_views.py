"""The 住民異動届受理通知 (j580) from the case page: the form posts here and gets the PDF back; bad input shows the
case page again with the problems; a notice stopped for a protected mover shows only the reason and a button
asking the support-measure officer for a release of exactly that notice.  Other refusals (加害者, the
municipality's choice) are the handler's errors, rendered by ``webui.errors``."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from handlers.cases.queues import case_page
from handlers.certificates import ReleaseRequiredError
from handlers.errors import Problem, ValidationError
from handlers.receipt_notices import issue_receipt_notice, request_notice_release
from webui.counter import bp
from webui.counter.forms_notice import DateInputError, ReceiptNoticeForm
from webui.security import login_required, permission_required
from webui.uow import web_uow


def _pdf(pdf: bytes) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = "attachment; filename=receipt-notice.pdf"
    return response


def _form_problems(form: ReceiptNoticeForm) -> list[Problem]:
    return [
        Problem(
            name, getattr(form, name).label.text, "入力が正しくありません", "入力し直してください", "format"
        )
        for name in form.errors
        if hasattr(form, name)
    ] or [
        Problem("notifier_name", "入力内容", "送信内容を確認できません", "画面を開き直してください", "csrf")
    ]


def _case_page(
    case_id: int, form: ReceiptNoticeForm, status: int, problems: list[Problem]
) -> tuple[str, int]:
    with web_uow() as uow:
        view = case_page(uow, case_id)
    page = render_template(
        "counter/case.html", view=view, problems=[], notice_problems=problems, notice_form=form
    )
    return page, status


@bp.post("/cases/<int:case_id>/receipt-notice")
@login_required
@permission_required("certificate.issue")
def receipt_notice(case_id: int) -> Response | tuple[str, int]:
    form = ReceiptNoticeForm(request.form)
    problems = _form_problems(form) if not form.validate() else []
    if not problems:
        try:
            notice_request = form.to_request(case_id)
            with web_uow() as uow:
                return _pdf(issue_receipt_notice(uow, notice_request).pdf)
        except DateInputError as err:
            problems = [err.to_problem("notifier_birth_date", "届出人の生年月日")]
        except ValidationError as err:
            problems = err.problems
        except ReleaseRequiredError as err:  # nothing of the case: only the reason and the release request
            page = render_template(
                "counter/receipt_notice_stopped.html", message=str(err), form=form, case_id=case_id
            )
            return page, err.status
    return _case_page(case_id, form, 422, problems)


@bp.post("/cases/<int:case_id>/receipt-notice/release")
@login_required
@permission_required("certificate.issue")
def receipt_notice_release(case_id: int) -> WerkzeugResponse | tuple[str, int]:
    """Ask the support-measure officer to release this one stopped notice (j440); then output it again."""
    form = ReceiptNoticeForm(request.form)
    try:
        if not form.validate():
            return _case_page(case_id, form, 422, _form_problems(form))
        notice_request = form.to_request(case_id)
        with web_uow() as uow:
            number = request_notice_release(uow, notice_request)
    except DateInputError as err:
        return _case_page(case_id, form, 422, [err.to_problem("notifier_birth_date", "届出人の生年月日")])
    except ValidationError as err:
        return _case_page(case_id, form, 422, err.problems)
    flash(f"支援措置責任者に解除を申請しました（申請番号 {number}）。解除された後、同じ内容で受理通知を出力してください。",
          "success")  # fmt: skip
    return redirect(url_for("counter.case", case_id=case_id) + "#receipt-notice")
