"""認証者 (j290, j310, j1050): list, add, correct, end and delete the certifiers printed on certificates.
Administrators only (``admin.settings``).  Thin: read the form, call the handler, render; the CLI
(``jumin tenant officials``) and this page share ``handlers.certificates.officials``."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from handlers.certificates.officials import (
    OfficialEntry,
    OfficialsRegister,
    add_official,
    certifier_line,
    change_official,
    delete_official,
    end_official,
    official_entry,
    officials_register,
    with_prefecture,
)
from handlers.errors import Problem, ValidationError
from webui.counter.form_support import ErrorItem, collect_errors
from webui.officials.forms import DeleteForm, EndForm, OfficialForm
from webui.security import login_required, permission_required
from webui.uow import web_uow

bp = Blueprint("officials", __name__, template_folder="templates", url_prefix="/settings/officials")
ALIASES = {"from": "start", "to": "end"}  # the handler's item → the form's field


def _errors(
    form: OfficialForm | EndForm, problems: list[Problem]
) -> tuple[list[ErrorItem], dict[str, list[str]]]:
    """The form's and the handler's messages, each beside its field; another entry's problem (``officials[2]``)
    only in the summary."""
    own = [p for p in problems if "[" not in p.field]
    summary, by_field = collect_errors(form, own, ALIASES)
    summary += [ErrorItem(None, p.message) for p in problems if "[" in p.field]
    return summary, by_field


def _label(entry: OfficialEntry) -> str:
    return f"{entry.title} {entry.name}"


@bp.get("")
@login_required
@permission_required("admin.settings")
def index() -> str:
    with web_uow() as uow:
        register = officials_register(uow)
    return render_template("officials/index.html", register=register)


def _edit(form: OfficialForm, register: OfficialsRegister, number: int | None) -> Response | tuple[str, int]:
    problems: list[Problem] = []
    if request.method == "POST" and form.validate():
        try:
            with web_uow() as uow:
                if number is None:
                    saved = add_official(uow, form.values())
                else:
                    saved = change_official(uow, number, form.version.data or "", form.values())
        except ValidationError as err:
            problems = err.problems
        else:
            flash(f"認証者「{_label(saved)}」を{'登録' if number is None else '保存'}しました。", "success")
            return redirect(url_for("officials.index"))
    summary, by_field = _errors(form, problems)
    title, name = (form.title.data or "").strip(), (form.name.data or "").strip()
    preview = certifier_line(with_prefecture(register.prefecture, title), name) if title else ""
    page = render_template("officials/edit.html", form=form, register=register, number=number,
                           summary=summary, field_errors=by_field, preview=preview)  # fmt: skip
    return page, 422 if summary else 200


@bp.route("/new", methods=["GET", "POST"])
@login_required
@permission_required("admin.settings")
def create() -> Response | tuple[str, int]:
    with web_uow() as uow:
        register = officials_register(uow)
    form = OfficialForm()
    form.offer_wards(register.wards)
    return _edit(form, register, None)


@bp.route("/<int:number>", methods=["GET", "POST"])
@login_required
@permission_required("admin.settings")
def edit(number: int) -> Response | tuple[str, int]:
    with web_uow() as uow:
        register, entry = officials_register(uow), official_entry(uow, number)
    form = OfficialForm()
    form.offer_wards(register.wards)
    if request.method == "GET":
        form.fill(entry)
    return _edit(form, register, number)


@bp.route("/<int:number>/end", methods=["GET", "POST"])
@login_required
@permission_required("admin.settings")
def end(number: int) -> Response | tuple[str, int]:
    with web_uow() as uow:
        register, entry = officials_register(uow), official_entry(uow, number)
    form = EndForm()
    if request.method == "GET":
        form.version.data, form.end.data = entry.version, entry.end or register.today.isoformat()
    problems: list[Problem] = []
    if request.method == "POST" and form.validate():
        try:
            with web_uow() as uow:
                ended = end_official(uow, number, form.version.data or "", form.end.data or "")
        except ValidationError as err:
            problems = err.problems
        else:
            flash(f"認証者「{_label(ended)}」の終了日を設定しました。", "success")
            return redirect(url_for("officials.index"))
    summary, by_field = _errors(form, problems)
    page = render_template(
        "officials/end.html", form=form, entry=entry, summary=summary, field_errors=by_field
    )
    return page, 422 if summary else 200


@bp.route("/<int:number>/delete", methods=["GET", "POST"])
@login_required
@permission_required("admin.settings")
def delete(number: int) -> Response | str:
    with web_uow() as uow:
        entry = official_entry(uow, number)
    form = DeleteForm()
    if request.method == "GET":
        form.version.data = entry.version
    if request.method == "POST" and form.validate():
        with web_uow() as uow:
            removed = delete_official(uow, number, form.version.data or "")
        flash(f"認証者「{_label(removed)}」を削除しました。", "success")
        return redirect(url_for("officials.index"))
    return render_template("officials/delete.html", form=form, entry=entry)
