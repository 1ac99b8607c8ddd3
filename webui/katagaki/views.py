"""方書管理 (j260): list, add, edit, retire and reinstate the 方書 of this municipality; the counter's look-up of
the 方書 registered at an entered 住所地番 (j520) is ``counter.katagaki``.  Thin: form → handler → template."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from handlers.errors import Problem, ValidationError
from handlers.katagaki import (
    katagaki_entry,
    list_katagaki,
    reinstate_katagaki,
    retire_katagaki,
    save_katagaki,
)
from webui.katagaki.forms import KatagakiForm
from webui.paging import kept_filter, requested_page
from webui.security import login_required, permission_required
from webui.uow import web_uow

bp = Blueprint("katagaki", __name__, template_folder="templates", url_prefix="/settings/katagaki")


@bp.get("")
@login_required
@permission_required("katagaki.manage")
def index() -> str:
    address = request.args.get("address", "").strip()
    retired = request.args.get("retired") == "1"
    with web_uow() as uow:
        page = list_katagaki(uow, address=address, include_retired=retired, page=requested_page())
    return render_template(
        "katagaki/index.html",
        page=page,
        address=address,
        retired=retired,
        kept=kept_filter(address=address, retired=retired),
    )


def _edit(form: KatagakiForm, katagaki_id: int | None) -> Response | tuple[str, int]:
    problems: list[Problem] = []
    if request.method == "POST" and form.validate():
        try:
            with web_uow() as uow:
                saved = save_katagaki(uow, katagaki_id, form.values())
        except ValidationError as err:
            problems = err.problems
        else:
            flash(f"方書「{saved.name}」（{saved.address}）を保存しました。", "success")
            return redirect(url_for("katagaki.index", address=saved.address))
    status = 422 if problems or form.errors else 200
    return render_template(
        "katagaki/edit.html", form=form, katagaki_id=katagaki_id, problems=problems
    ), status


@bp.route("/new", methods=["GET", "POST"])
@login_required
@permission_required("katagaki.manage")
def create() -> Response | tuple[str, int]:
    form = KatagakiForm()
    if request.method == "GET" and request.args.get("address"):
        form.address.data = request.args["address"]
    return _edit(form, None)


@bp.route("/<int:katagaki_id>", methods=["GET", "POST"])
@login_required
@permission_required("katagaki.manage")
def edit(katagaki_id: int) -> Response | tuple[str, int]:
    with web_uow() as uow:
        view = katagaki_entry(uow, katagaki_id)
    form = KatagakiForm()
    if request.method == "GET":
        form.fill(view)
    return _edit(form, katagaki_id)


@bp.post("/<int:katagaki_id>/retire")
@login_required
@permission_required("katagaki.manage")
def retire(katagaki_id: int) -> Response:
    with web_uow() as uow:
        view = retire_katagaki(uow, katagaki_id)
    flash(f"方書「{view.name}」を廃止しました。窓口の候補には表示されません。", "success")
    return redirect(url_for("katagaki.index", address=view.address))


@bp.post("/<int:katagaki_id>/reinstate")
@login_required
@permission_required("katagaki.manage")
def reinstate(katagaki_id: int) -> Response:
    with web_uow() as uow:
        view = reinstate_katagaki(uow, katagaki_id)
    flash(f"方書「{view.name}」の廃止を取り消しました。", "success")
    return redirect(url_for("katagaki.index", address=view.address))
