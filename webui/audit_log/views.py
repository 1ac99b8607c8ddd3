"""The auditor's access-log screen (j1370): search form, results and the chain status.  Thin: read the
request, call the handlers in one unit of work, render."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from handlers.audit_search import Page, chain_status, function_label, logged_functions, search_access_log
from handlers.audit_verify import VerifyResult
from handlers.errors import Problem, ValidationError
from webui.audit_log.forms import DATE_HINT, AccessLogSearchForm
from webui.security import login_required, permission_required
from webui.uow import web_uow

bp = Blueprint("audit_log", __name__)


def _query_args() -> dict[str, Any]:
    """The search as URL arguments, for the page links."""
    return {key: value for key, value in request.args.items() if key != "page" and value}


@bp.get("/audit-log")
@login_required
@permission_required("audit.view")
def index() -> str:
    form = AccessLogSearchForm(request.args)
    page: Page | None = None
    problems: list[Problem] = []
    with web_uow() as uow:
        form.offer_functions([(f, function_label(f)) for f in logged_functions(uow)])
        status: VerifyResult = chain_status(uow)
        if form.validate():
            filters, problems = form.to_filters(request.args.get("page", 1, type=int) or 1)
            if not problems:
                try:
                    page = search_access_log(uow, filters)
                except ValidationError as err:
                    problems = err.problems
    return render_template(
        "audit_log/index.html",
        form=form,
        page=page,
        problems=problems,
        status=status,
        query_args=_query_args(),
        date_hint=DATE_HINT,
    )
