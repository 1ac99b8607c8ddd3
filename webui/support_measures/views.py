"""支援措置データベースの照会 (j160, j440): for the 支援措置責任者 only.  The resident record links here from its
支援措置 mark."""

from __future__ import annotations

from flask import Blueprint, render_template

from handlers.support_measures import view_support_measure
from webui.security import login_required, permission_required
from webui.uow import web_uow

bp = Blueprint("support_measures", __name__, template_folder="templates", url_prefix="/support-measures")


@bp.get("/<int:measure_id>")
@login_required
@permission_required("support.view")
def show(measure_id: int) -> str:
    with web_uow() as uow:
        measure = view_support_measure(uow, measure_id)
    return render_template("support_measures/show.html", measure=measure)
