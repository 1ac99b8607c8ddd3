"""The auditor's access-log screen (j1370): search form, results, analyses and the chain status, and the
download of a search or an analysis as CSV.  Thin: read the request, call the handlers in one unit of work,
render (or stream)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, stream_with_context, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from handlers.audit_analyses import Summary, newest_seq, summarize_access_log
from handlers.audit_export import MEDIA_TYPE, AccessLogExport, access_log_csv, plan_access_log_export
from handlers.audit_search import (
    ANALYSES,
    SUMMARY_ANALYSES,
    AccessLogFilters,
    Page,
    chain_status,
    function_label,
    logged_functions,
    search_access_log,
)
from handlers.audit_verify import VerifyResult
from handlers.errors import Problem, ValidationError
from handlers.uow import UnitOfWork
from webui.audit_log.forms import DATE_HINT, AccessLogSearchForm
from webui.security import login_required, permission_required
from webui.uow import web_uow

bp = Blueprint("audit_log", __name__)


def _query_args() -> dict[str, Any]:
    """The search as URL arguments, for the page links and the download."""
    return {key: value for key, value in request.args.items() if key != "page" and value}


def _run(uow: UnitOfWork, filters: AccessLogFilters) -> Page | Summary:
    if filters.analysis in SUMMARY_ANALYSES:
        return summarize_access_log(uow, filters, through_seq=newest_seq(uow))
    return search_access_log(uow, filters)


@bp.get("/audit-log")
@login_required
@permission_required("audit.view")
def index() -> str:
    form = AccessLogSearchForm(request.args)
    found: Page | Summary | None = None
    problems: list[Problem] = []
    with web_uow() as uow:
        form.offer_functions([(f, function_label(f)) for f in logged_functions(uow)])
        status: VerifyResult = chain_status(uow)
        if form.validate():
            filters, problems = form.to_filters(request.args.get("page", 1, type=int) or 1)
            if not problems:
                try:
                    found = _run(uow, filters)
                except ValidationError as err:
                    problems = err.problems
    return render_template(
        "audit_log/index.html",
        form=form,
        page=found if isinstance(found, Page) else None,
        summary=found if isinstance(found, Summary) else None,
        problems=problems,
        status=status,
        query_args=_query_args(),
        date_hint=DATE_HINT,
        analyses=ANALYSES,
    )


@bp.get("/audit-log/download")
@login_required
@permission_required("audit.view")
def download() -> WerkzeugResponse:
    """Every row of the search or the analysis as CSV, streamed; a wrong search goes back to the screen,
    which explains it."""
    form = AccessLogSearchForm(request.args)
    filters, problems = form.to_filters(1) if form.validate() else (None, [])
    if filters is None or problems:
        return redirect(url_for("audit_log.index", **_query_args()))
    try:
        with web_uow() as uow:
            export = plan_access_log_export(uow, filters)
    except ValidationError:
        return redirect(url_for("audit_log.index", **_query_args()))
    return Response(
        stream_with_context(_stream(export)),
        mimetype=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )


def _stream(export: AccessLogExport) -> Iterator[bytes]:
    with web_uow() as uow:
        yield from access_log_csv(uow, export)
