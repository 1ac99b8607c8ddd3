"""統合記載欄 (j140): a record's history lines with their 留意事項 (corrected here) and its 備考 (entered and
edited here, every edit kept); the administrator's 留意事項 registered per 異動事由.  Thin: form → handler →
template."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from handlers.errors import Problem, ValidationError
from handlers.residents.cautions import correct_caution, list_templates, save_template
from handlers.residents.integrated_section import integrated_section
from handlers.residents.remarks import save_remarks
from webui.integrated.forms import CautionForm, CautionTemplateForm, RemarksForm
from webui.security import login_required, permission_required
from webui.uow import web_uow

bp = Blueprint("integrated", __name__, template_folder="templates")


def _page(
    atena_number: str, problems: list[Problem], remarks_form: RemarksForm | None = None
) -> tuple[str, int]:
    with web_uow() as uow:
        view = integrated_section(uow, atena_number)
    if remarks_form is None:
        remarks_form = RemarksForm(data={"remarks": view["remarks"]})
    page = render_template("integrated/show.html", view=view, remarks_form=remarks_form,
                           caution_form=CautionForm(formdata=None), problems=problems)  # fmt: skip
    return page, 422 if problems else 200


@bp.get("/residents/<atena_number>/integrated")
@login_required
@permission_required("resident.view")
def show(atena_number: str) -> tuple[str, int]:
    return _page(atena_number, [])


@bp.post("/residents/<atena_number>/integrated/remarks")
@login_required
@permission_required("resident.change")
def remarks(atena_number: str) -> Response | tuple[str, int]:
    form = RemarksForm()
    if not form.validate():
        return _page(
            atena_number, [Problem("remarks", "備考", "入力内容を確認してください", "", "invalid")], form
        )
    try:
        with web_uow() as uow:
            save_remarks(uow, atena_number, form.remarks.data)
    except ValidationError as err:
        return _page(atena_number, err.problems, form)
    flash("備考を保存しました。", "success")
    return redirect(url_for("integrated.show", atena_number=atena_number))


@bp.post("/residents/<atena_number>/integrated/cautions/<int:history_no>")
@login_required
@permission_required("resident.change")
def caution(atena_number: str, history_no: int) -> Response | tuple[str, int]:
    form = CautionForm()
    try:
        if not form.validate():
            raise ValidationError(
                [Problem("caution", "留意事項", "入力内容を確認してください", "", "invalid")]
            )
        with web_uow() as uow:
            correct_caution(uow, atena_number, history_no, form.values())
    except ValidationError as err:
        return _page(atena_number, err.problems)
    flash(f"履歴{history_no}の留意事項を保存しました。", "success")
    return redirect(url_for("integrated.show", atena_number=atena_number))


@bp.route("/settings/cautions", methods=["GET", "POST"])
@login_required
@permission_required("admin.settings")
def templates() -> Response | tuple[str, int]:
    form = CautionTemplateForm()
    problems: list[Problem] = []
    if form.is_submitted():
        try:
            if not form.validate():
                raise ValidationError(
                    [Problem("caution", "留意事項", "入力内容を確認してください", "", "invalid")]
                )
            with web_uow() as uow:
                save_template(uow, form.values())
        except ValidationError as err:
            problems = err.problems
        else:
            flash("留意事項の登録を保存しました。", "success")
            return redirect(url_for("integrated.templates"))
    with web_uow() as uow:
        rows = list_templates(uow)
    page = render_template("integrated/templates.html", form=form, rows=rows, problems=problems)
    return page, 422 if problems else 200
