"""一括入力 (j550): the same correction for many persons picked from a search; one case per household for a
change of the household's address, one per person otherwise, each written whole or not at all, and a result
row per person."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from handlers.cases.intake_help import open_cases_in_bulk
from handlers.cases.queues import change_type_labels
from handlers.changes.minor_correction import MINOR_CATEGORIES
from handlers.errors import ValidationError
from handlers.residents.search import ResidentQuery, search_residents
from webui.counter import bp
from webui.counter.form_support import (
    CalendarDate,
    DateTextField,
    atena_list,
    blank_to_none,
    choices,
    collect_errors,
)
from webui.counter.forms_other import HOUSEHOLD_ITEM_CHOICES, ITEM_CHOICES
from webui.counter.intake_forms import BULK_TYPES
from webui.security import login_required, permission_required
from webui.uow import web_uow

REQUIRED = "入力してください。"


class BulkCorrectionForm(FlaskForm):
    change_type = SelectField("異動の種類", choices=[])
    atena_numbers = TextAreaField(
        "対象者の宛名番号（1行に1人、または空白区切り）", validators=[InputRequired(REQUIRED)]
    )
    item = SelectField("修正する項目（本人）", choices=choices(ITEM_CHOICES), validators=[Optional()])
    value = StringField("修正後の内容（本人）", validators=[Optional(), Length(max=200)])
    household_item = SelectField(
        "世帯の住所の修正", choices=choices([("", "修正しない"), *HOUSEHOLD_ITEM_CHOICES])
    )
    household_value = StringField("世帯の住所の修正後の内容", validators=[Optional(), Length(max=200)])
    minor_category = SelectField(
        "軽微な修正の区分", choices=choices([("", "（軽微な修正のみ）"), *MINOR_CATEGORIES.items()])
    )
    change_date = DateTextField("異動日（空欄は今日）", validators=[Optional(), CalendarDate()])
    ex_officio_record = StringField(
        "職権記録書（職権で行った内容と理由）", validators=[InputRequired(REQUIRED)]
    )

    def common_intake(self) -> dict[str, Any]:
        return {
            "changes": {self.item.data: self.value.data} if self.item.data else {},
            "household_changes": {self.household_item.data: self.household_value.data} if self.household_item.data else {},
            **blank_to_none({"change_date": self.change_date.data, "minor_category": self.minor_category.data,
                             "ex_officio_record": self.ex_officio_record.data}),
        }  # fmt: skip


def _form() -> BulkCorrectionForm:
    form = BulkCorrectionForm()
    labels = change_type_labels()
    form.change_type.choices = choices((code, labels[code]) for code in BULK_TYPES if code in labels)
    if request.method == "GET" and request.args.getlist("pick"):
        form.atena_numbers.data = "\n".join(request.args.getlist("pick"))
    return form


@bp.route("/cases/bulk", methods=["GET", "POST"])
@login_required
@permission_required("resident.change")
def bulk() -> tuple[str, int]:
    form = _form()
    hits = None
    kana = request.args.get("kana", "").strip()
    address = request.args.get("address", "").strip()
    if kana or address:
        with web_uow() as uow:
            hits = search_residents(uow, ResidentQuery(kana=kana or None, address=address or None, limit=100))
    rows = None
    problems = []
    if request.method == "POST" and form.validate():
        try:
            with web_uow() as uow:
                rows = open_cases_in_bulk(uow, form.change_type.data, atena_list(form.atena_numbers.data),
                                          form.common_intake())  # fmt: skip
        except ValidationError as err:
            problems = err.problems
    summary, by_field = collect_errors(form, problems, {"atena_numbers": "atena_numbers"})
    status = 422 if summary else 200
    return render_template("counter/bulk.html", form=form, hits=hits, rows=rows, summary=summary,
                           field_errors=by_field, kana=kana, address=address), status  # fmt: skip
