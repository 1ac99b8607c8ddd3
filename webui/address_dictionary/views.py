"""住所辞書管理 (j250): search, add, correct, retire and reinstate the entries of the municipality's address
dictionary.  Administrators only (``admin.settings``).  Thin: form → handler → template."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from handlers.address_entries import (
    address_entry,
    area_choices,
    list_address_entries,
    reinstate_address_entry,
    retire_address_entry,
    save_address_entry,
)
from handlers.errors import Problem, ValidationError
from webui.address_dictionary.forms import AddressEntryForm
from webui.paging import kept_filter, requested_page
from webui.security import login_required, permission_required
from webui.uow import web_uow

bp = Blueprint("address_dictionary", __name__, template_folder="templates", url_prefix="/settings/addresses")


@bp.get("")
@login_required
@permission_required("admin.settings")
def index() -> str:
    text = request.args.get("q", "").strip()
    retired = request.args.get("retired") == "1"
    with web_uow() as uow:
        page = list_address_entries(uow, text, include_retired=retired, page=requested_page())
    return render_template(
        "address_dictionary/index.html",
        page=page,
        q=text,
        retired=retired,
        kept=kept_filter(q=text, retired=retired),
    )


def _edit(form: AddressEntryForm, entry_id: int | None, code: str = "") -> Response | tuple[str, int]:
    problems: list[Problem] = []
    if request.method == "POST" and form.validate():
        try:
            with web_uow() as uow:
                saved = save_address_entry(uow, entry_id, form.values())
        except ValidationError as err:
            problems = err.problems
        else:
            flash(
                f"住所辞書の「{saved.address}」（住所コード {saved.address_code}）を保存しました。", "success"
            )
            return redirect(url_for("address_dictionary.index", q=saved.address_code))
    status = 422 if problems or form.errors else 200
    page = render_template(
        "address_dictionary/edit.html", form=form, entry_id=entry_id, address_code=code, problems=problems
    )
    return page, status


@bp.route("/new", methods=["GET", "POST"])
@login_required
@permission_required("admin.settings")
def create() -> Response | tuple[str, int]:
    form = AddressEntryForm()
    with web_uow() as uow:
        form.offer_areas(area_choices(uow))
    return _edit(form, None)


@bp.route("/<int:entry_id>", methods=["GET", "POST"])
@login_required
@permission_required("admin.settings")
def edit(entry_id: int) -> Response | tuple[str, int]:
    with web_uow() as uow:
        view = address_entry(uow, entry_id)
    form = AddressEntryForm()
    form.offer_areas([(view.address_code[:5], f"{view.city}{view.ward}")])
    if request.method == "GET":
        form.fill(view)
    return _edit(form, entry_id, view.address_code)


@bp.post("/<int:entry_id>/retire")
@login_required
@permission_required("admin.settings")
def retire(entry_id: int) -> Response:
    with web_uow() as uow:
        view = retire_address_entry(uow, entry_id)
    flash(
        f"「{view.address}」を廃止しました。住所コード {view.address_code} は残り、窓口には表示されません。",
        "success",
    )
    return redirect(url_for("address_dictionary.index", q=view.address_code))


@bp.post("/<int:entry_id>/reinstate")
@login_required
@permission_required("admin.settings")
def reinstate(entry_id: int) -> Response:
    with web_uow() as uow:
        view = reinstate_address_entry(uow, entry_id)
    flash(f"「{view.address}」の廃止を取り消しました。", "success")
    return redirect(url_for("address_dictionary.index", q=view.address_code))
