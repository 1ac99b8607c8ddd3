"""Intake forms of the changes to a person's numbers and of 異動の取消し: 個人番号の異動, 住民票コードの付番・変更請求・
修正 (j870–j900, j1130) and 異動の取消し (j980, j990).  Each names one person by 宛名番号."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from webui.counter.form_support import CalendarDate, DateTextField, atena_list, blank_to_none, choices
from webui.counter.forms_move import REQUIRED
from webui.counter.forms_other import ExOfficioMixin

MY_NUMBER_KINDS = [
    ("change_request", "個人番号の変更請求"),
    ("ex_officio_change", "個人番号の職権による変更（漏えい・不正利用のおそれ、番号法施行令第4条第1項）"),
    ("ex_officio_correction", "個人番号の職権修正（誤記）"),
    ("ex_officio_record", "個人番号の職権記載（記載漏れ）"),
]


class PersonDateMixin:
    atena_number = StringField("宛名番号", validators=[InputRequired(REQUIRED), Length(max=20)])
    change_date = DateTextField("異動日（空欄は今日）", validators=[Optional(), CalendarDate()])


def _flat(form: FlaskForm, names: tuple[str, ...]) -> dict[str, Any]:
    return blank_to_none({name: form[name].data for name in names})


class MyNumberChangeForm(PersonDateMixin, ExOfficioMixin, FlaskForm):
    """個人番号の異動 (j900, j1130): no number is entered; 住基ネット answers it after 本登録."""

    kind = SelectField(
        "種類", choices=choices(MY_NUMBER_KINDS),
        description="個人番号は入力しません。変更請求・職権による変更では住基ネットが新しい番号を生成し、職権修正・職権記載では"
        "住基ネットが保有する正しい番号が応答され、その取込で記載されます",
    )  # fmt: skip
    claim_date = DateTextField("請求日（変更請求のみ、空欄は今日）", validators=[Optional(), CalendarDate()])
    decision_date = DateTextField(
        "職権決定日（職権による変更のみ、空欄は今日）", validators=[Optional(), CalendarDate()],
        description="個人番号が漏えいして不正に用いられるおそれがあると認め、職権で変更することを決めた日。理由は職権記録書に入力します",
    )  # fmt: skip
    ex_officio_record = StringField(
        "職権記録書（変更請求のほかは必須）", validators=[Optional(), Length(max=400)]
    )  # a 変更請求 is not done ex officio: the handler asks for it only for the other kinds

    def to_intake(self) -> dict[str, Any]:
        return {
            **self.ex_officio_items(),
            **_flat(self, ("atena_number", "change_date", "kind", "claim_date", "decision_date")),
        }


class ResidentCodeIssueForm(PersonDateMixin, ExOfficioMixin, FlaskForm):
    """住民票コードの付番: a code is taken at random from the pool."""

    def to_intake(self) -> dict[str, Any]:
        return {**self.ex_officio_items(), **_flat(self, ("atena_number", "change_date"))}


class ResidentCodeChangeForm(PersonDateMixin, FlaskForm):
    """住民票コードの変更請求: on the person's request, a new code from the pool."""

    claim_date = DateTextField("請求日（空欄は今日）", validators=[Optional(), CalendarDate()])

    def to_intake(self) -> dict[str, Any]:
        return _flat(self, ("atena_number", "change_date", "claim_date"))


class ResidentCodeCorrectionForm(PersonDateMixin, ExOfficioMixin, FlaskForm):
    """住民票コードの修正: the code recorded wrongly, corrected to the right one."""

    resident_code = StringField(
        "正しい住民票コード（11桁）", validators=[InputRequired(REQUIRED), Length(max=20)]
    )

    def to_intake(self) -> dict[str, Any]:
        return {**self.ex_officio_items(), **_flat(self, ("atena_number", "change_date", "resident_code"))}


class ChangeCancellationForm(PersonDateMixin, ExOfficioMixin, FlaskForm):
    """異動の取消し: the 履歴番号 of the change registered by mistake, and who of its persons it is cancelled for."""

    history_no = StringField(
        "取り消す異動の履歴番号", validators=[InputRequired(REQUIRED), Length(max=10)],
        description="住民票の異動履歴に表示される番号",
    )  # fmt: skip
    atena_numbers = StringField(
        "一緒に取り消す人の宛名番号（同じ異動の他の人）", validators=[Optional(), Length(max=400)],
        description="空白・読点区切り。空欄は上の1人だけ",
    )  # fmt: skip

    def to_intake(self) -> dict[str, Any]:
        intake = {**self.ex_officio_items(), **_flat(self, ("atena_number", "change_date", "history_no"))}
        others = atena_list(self.atena_numbers.data)
        if others:
            intake["atena_numbers"] = [intake.get("atena_number"), *others]
        return intake
