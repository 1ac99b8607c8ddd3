"""選択機能の設定: the municipality's choices among the standard's "may implement" functions
(``handlers.tenants.MAY_IMPLEMENT``), shown with their section and default and changed by the administrator
(``admin.settings``; logged).  Thin: read the form, call the handler, render."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from handlers.errors import Problem, ValidationError
from handlers.rules.digits import whole_number
from handlers.tenants import MAY_IMPLEMENT, effective_settings, municipality_of, update_settings
from webui.security import login_required, permission_required
from webui.uow import web_uow

bp = Blueprint("options", __name__, template_folder="templates", url_prefix="/settings/options")


def _posted() -> dict[str, Any]:
    """The form's values as the handler takes them: a checkbox per on/off choice, an integer per number
    (text that is not one is passed on as text and refused by the handler with the item named)."""
    changes: dict[str, Any] = {}
    for option in MAY_IMPLEMENT:
        if isinstance(option.default, bool):
            changes[option.key] = request.form.get(option.key) == "y"
        else:
            raw = request.form.get(option.key, "").strip()
            number = whole_number(raw)
            changes[option.key] = raw if number is None else number
    return changes


@bp.route("", methods=["GET", "POST"])
@login_required
@permission_required("admin.settings")
def index() -> Response | tuple[str, int]:
    form = FlaskForm()  # the CSRF token only; the items are the options below
    problems: list[Problem] = []
    if request.method == "POST" and form.validate():
        try:
            with web_uow() as uow:
                update_settings(uow, _posted())
        except ValidationError as err:
            problems = err.problems
        else:
            flash("選択機能の設定を保存しました。", "success")
            return redirect(url_for("options.index"))
    with web_uow() as uow:
        chosen = effective_settings(municipality_of(uow.session, uow.actor.tenant_id))
    if problems:
        chosen.update(_posted())
    page = render_template(
        "options/index.html", form=form, options=MAY_IMPLEMENT, chosen=chosen, problems=problems
    )
    return page, 422 if problems or form.errors else 200
