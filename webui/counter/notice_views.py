"""The 住民異動届受理通知 (j580) from the case page: the form posts here and gets the PDF back; bad input shows the
case page again with the problems.  Refusals (支援措置, 加害者, the municipality's choice) are the handler's
errors, rendered by ``webui.errors``."""

from __future__ import annotations

from flask import Response, render_template, request

from handlers.cases.queues import case_page
from handlers.errors import Problem, ValidationError
from handlers.receipt_notices import issue_receipt_notice
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
    with web_uow() as uow:
        view = case_page(uow, case_id)
    page = render_template(
        "counter/case.html", view=view, problems=[], notice_problems=problems, notice_form=form
    )
    return page, 422
