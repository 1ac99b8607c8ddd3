"""連携先の設定 (docs/integration.md): list, add and edit the destinations of this municipality's notices.
Administrators only (``admin.settings``).  Thin: read the form, call the handler, render."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from handlers.destination_settings import destination, list_destinations, save_destination
from handlers.errors import Problem, ValidationError
from webui.destinations.forms import DestinationForm
from webui.security import login_required, permission_required
from webui.uow import web_uow

bp = Blueprint("destinations", __name__, template_folder="templates", url_prefix="/settings/destinations")


@bp.get("")
@login_required
@permission_required("admin.settings")
def index() -> str:
    with web_uow() as uow:
        rows = list_destinations(uow)
    return render_template("destinations/index.html", rows=rows)


def _edit(form: DestinationForm, destination_id: int | None, secret: str) -> Response | tuple[str, int]:
    problems: list[Problem] = []
    if request.method == "POST" and form.validate():
        try:
            with web_uow() as uow:
                row = save_destination(uow, destination_id, form.values())
                name = row.name
        except ValidationError as err:
            problems = err.problems
        else:
            flash(f"連携先 {name} を保存しました。", "success")
            return redirect(url_for("destinations.index"))
    status = 422 if problems or form.errors else 200
    page = render_template(
        "destinations/edit.html", form=form, destination_id=destination_id, secret=secret, problems=problems
    )
    return page, status


@bp.route("/new", methods=["GET", "POST"])
@login_required
@permission_required("admin.settings")
def create() -> Response | tuple[str, int]:
    return _edit(DestinationForm(), None, "未設定")


@bp.route("/<int:destination_id>", methods=["GET", "POST"])
@login_required
@permission_required("admin.settings")
def edit(destination_id: int) -> Response | tuple[str, int]:
    with web_uow() as uow:
        view = destination(uow, destination_id)
    form = DestinationForm()
    if request.method == "GET":
        form.fill(view)
    return _edit(form, destination_id, view.secret_shown)
