"""除票の検索と照会 (j50, j1300): one search over the live database and the 除票用データベース, and the view of an
archived 除票.  Thin: read the form, call the handler, render."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from handlers.errors import Problem, ValidationError
from handlers.removed_records import RemovedHit, search_removed, view_removed_record
from webui.security import login_required, permission_required
from webui.uow import web_uow

bp = Blueprint("removed_records", __name__, template_folder="templates", url_prefix="/removed-records")

SEARCH_FIELDS = ("kana", "name", "birth_date", "atena_number")


@bp.get("")
@login_required
@permission_required("resident.search")
def search() -> str:
    values = {field: request.args.get(field, "").strip() for field in SEARCH_FIELDS}
    hits: list[RemovedHit] | None = None
    problems: list[Problem] = []
    if request.args.get("submitted"):
        try:
            with web_uow() as uow:
                hits = search_removed(uow, **{k: v or None for k, v in values.items()})
        except ValidationError as err:
            problems = err.problems
    return render_template("removed_records/search.html", values=values, hits=hits, problems=problems)


@bp.get("/<atena_number>")
@login_required
@permission_required("resident.view")
def show(atena_number: str) -> str:
    with web_uow() as uow:
        record = view_removed_record(uow, atena_number)
    return render_template("removed_records/show.html", record=record)
