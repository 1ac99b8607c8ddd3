"""入力場所・入力端末 (j230): list, add and edit the places where the system is used and their terminals.
Administrators only (``admin.settings``).  Thin: read the form, call the handler, render."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from handlers.errors import Problem, ValidationError
from handlers.input_places import list_places, place, place_wards, save_place, save_terminal, terminal
from webui.input_places.forms import PlaceForm, TerminalForm
from webui.security import login_required, permission_required
from webui.uow import web_uow

bp = Blueprint("input_places", __name__, template_folder="templates", url_prefix="/settings/places")


@bp.get("")
@login_required
@permission_required("admin.settings")
def index() -> str:
    with web_uow() as uow:
        places = list_places(uow)
    return render_template("input_places/index.html", places=places)


def _edit_place(form: PlaceForm, place_id: int | None) -> Response | tuple[str, int]:
    problems: list[Problem] = []
    if request.method == "POST" and form.validate():
        try:
            with web_uow() as uow:
                name = save_place(uow, place_id, form.values()).name
        except ValidationError as err:
            problems = err.problems
        else:
            flash(f"入力場所 {name} を保存しました。", "success")
            return redirect(url_for("input_places.index"))
    status = 422 if problems or form.errors else 200
    return render_template("input_places/place.html", form=form, place_id=place_id, problems=problems), status


@bp.route("/new", methods=["GET", "POST"])
@login_required
@permission_required("admin.settings")
def create_place() -> Response | tuple[str, int]:
    form = PlaceForm()
    with web_uow() as uow:
        form.offer_wards(place_wards(uow))
    return _edit_place(form, None)


@bp.route("/<int:place_id>", methods=["GET", "POST"])
@login_required
@permission_required("admin.settings")
def edit_place(place_id: int) -> Response | tuple[str, int]:
    form = PlaceForm()
    with web_uow() as uow:
        view = place(uow, place_id)
        form.offer_wards(place_wards(uow))
    if request.method == "GET":
        form.fill(view)
    return _edit_place(form, place_id)


def _edit_terminal(form: TerminalForm, terminal_id: int | None) -> Response | tuple[str, int]:
    problems: list[Problem] = []
    if request.method == "POST" and form.validate():
        try:
            with web_uow() as uow:
                code = save_terminal(uow, terminal_id, form.values()).code
        except ValidationError as err:
            problems = err.problems
        else:
            flash(f"入力端末 {code} を保存しました。", "success")
            return redirect(url_for("input_places.index"))
    status = 422 if problems or form.errors else 200
    page = render_template(
        "input_places/terminal.html", form=form, terminal_id=terminal_id, problems=problems
    )
    return page, status


@bp.route("/terminals/new", methods=["GET", "POST"])
@login_required
@permission_required("admin.settings")
def create_terminal() -> Response | tuple[str, int]:
    form = TerminalForm()
    with web_uow() as uow:
        form.offer_places(list_places(uow))
    return _edit_terminal(form, None)


@bp.route("/terminals/<int:terminal_id>", methods=["GET", "POST"])
@login_required
@permission_required("admin.settings")
def edit_terminal(terminal_id: int) -> Response | tuple[str, int]:
    form = TerminalForm()
    with web_uow() as uow:
        view = terminal(uow, terminal_id)
        form.offer_places(list_places(uow))
    if request.method == "GET":
        form.fill(view)
    return _edit_terminal(form, terminal_id)
