"""Resident pages: search (検索) and the record view (照会) with its as-of view.  Thin: read the request,
call the handler, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from handlers.errors import Problem, ValidationError
from handlers.name_characters import view_name_characters
from handlers.other_systems.catalog import SYSTEMS
from handlers.other_systems.inquiry import request_other_system_inquiry
from handlers.residents.history_search import HistoryResults, search_history
from handlers.residents.presenter import view_resident
from handlers.residents.reorganization import reorganize_record
from handlers.residents.search import SearchResults, search_residents
from handlers.residents.search_wards import search_wards
from handlers.rules.date_input import DateInputError, parse_calendar_date
from webui.residents.forms import OtherSystemInquiryForm, ResidentSearchForm
from webui.residents.history_forms import HistorySearchForm
from webui.security import login_required, permission_required, start_page
from webui.uow import web_uow

bp = Blueprint("residents", __name__)


@bp.get("/")
@login_required
def index() -> Response:
    return redirect(start_page())


@bp.get("/residents/search")
@login_required
@permission_required("resident.search")
def search() -> str:
    submitted = bool(request.args)
    form = ResidentSearchForm(request.args if submitted else None)  # unsubmitted: the defaults show
    results: SearchResults | None = None
    problems: list[Problem] = []
    try:
        with web_uow() as uow:
            form.offer_wards(search_wards(uow), "ward_code" in request.args)
            if submitted and form.validate():
                results = search_residents(uow, form.to_query())
    except ValidationError as err:
        problems = err.problems
    next_url = None
    if results is not None and results.next_after:
        args: dict[str, Any] = {**request.args.to_dict(flat=False), "after": results.next_after}
        next_url = url_for("residents.search", **args)
    return render_template(
        "residents/search.html", form=form, results=results, problems=problems, next_url=next_url
    )


@bp.get("/residents/history-search")
@login_required
@permission_required("resident.search")
def history_search() -> tuple[str, int]:
    """異動履歴照会 by the history's items (j350)."""
    form = HistorySearchForm(request.args)
    results: HistoryResults | None = None
    problems: list[Problem] = []
    if request.args and form.validate():
        try:
            with web_uow() as uow:
                results = search_history(uow, form.to_query())
        except ValidationError as err:
            problems = err.problems
    status = 422 if problems or form.errors else 200
    return render_template(
        "residents/history_search.html", form=form, results=results, problems=problems
    ), status


def _as_of(text: str | None) -> tuple[dt.date | None, list[Problem]]:
    if not text:
        return None, []
    try:
        return parse_calendar_date(text), []
    except DateInputError as err:
        return None, [err.to_problem("as_of", "基準日")]


@bp.get("/residents/<atena_number>")
@login_required
@permission_required("resident.view")
def show(atena_number: str) -> str:
    as_of_text = request.args.get("as_of", "").strip()
    on, problems = _as_of(as_of_text)
    with web_uow() as uow:
        view = view_resident(uow, atena_number, on=on)
    return render_template(
        "residents/show.html",
        view=view,
        as_of_text=as_of_text,
        problems=problems,
        inquiry_form=OtherSystemInquiryForm(),
    )


@bp.get("/residents/<atena_number>/characters")
@login_required
@permission_required("resident.view")
def characters(atena_number: str) -> str:
    """文字コード照会 (j370): each character of the names with its MJ code and an enlarged glyph."""
    with web_uow() as uow:
        view = view_name_characters(uow, atena_number)
    return render_template("residents/characters.html", view=view)


@bp.post("/residents/<atena_number>/reorganize")
@login_required
@permission_required("resident.approve")
def reorganize(atena_number: str) -> Response:
    """改製 (j40) by hand, by a supervisor; the page shows the 改製日."""
    try:
        with web_uow() as uow:
            on = reorganize_record(uow, atena_number, request.form.get("note", ""))
    except ValidationError as err:
        for problem in err.problems:
            flash(problem.message, "error")
    else:
        flash(f"住民票を改製しました（改製日 {on.isoformat()}）。", "success")
    return redirect(url_for("residents.show", atena_number=atena_number))


@bp.post("/residents/<atena_number>/other-systems/inquiries")
@login_required
@permission_required("resident.view")
def inquire_other_systems(atena_number: str) -> Response:
    """他業務照会 (j1180): queue the 照会 and go back to the record, where the answers appear."""
    form = OtherSystemInquiryForm()
    back = redirect(url_for("residents.show", atena_number=atena_number) + "#other-systems-heading")
    if not form.validate():
        flash("画面を開き直してから操作してください。", "error")
        return back
    systems = [form.system.data] if form.system.data else None
    try:
        with web_uow() as uow:
            asked = request_other_system_inquiry(uow, atena_number, systems)
    except ValidationError as err:
        flash("、".join(p.message for p in err.problems), "error")
        return back
    names = "・".join(SYSTEMS[s].label for s in asked)
    flash(f"{names}に最新の登録情報を照会しました。", "success")
    return back
