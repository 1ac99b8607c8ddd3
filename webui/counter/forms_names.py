"""Intake forms of the changes to a person's 旧氏 (on 請求) and 通称 (on 申出) (j70).  Each names one person by
宛名番号; the handler checks which kind fits the person's record."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional

from webui.counter.form_support import CalendarDate, DateTextField, blank_to_none, choices
from webui.counter.forms_numbers import PersonDateMixin

FORMER_SURNAME_KINDS = [("record", "旧氏の記載"), ("change", "旧氏の変更"), ("delete", "旧氏の削除")]
ALIAS_KINDS = [("record", "通称の記載"), ("delete", "通称の削除")]


def _flat(form: FlaskForm, names: tuple[str, ...]) -> dict[str, Any]:
    return blank_to_none({name: form[name].data for name in names})


class FormerSurnameForm(PersonDateMixin, FlaskForm):
    kind = SelectField("種類", choices=choices(FORMER_SURNAME_KINDS))
    former_surname = StringField(
        "旧氏（記載・変更のみ）", validators=[Optional(), Length(max=100)],
        description="戸籍に記載されている（いた）現在の氏以外の氏",
    )  # fmt: skip
    former_surname_kana = StringField("旧氏のフリガナ", validators=[Optional(), Length(max=100)])
    former_surname_kana_confirmed = BooleanField("旧氏のフリガナを本人に確認した")
    claim_date = DateTextField("請求日（空欄は今日）", validators=[Optional(), CalendarDate()])

    def to_intake(self) -> dict[str, Any]:
        names = ("atena_number", "change_date", "kind", "former_surname", "former_surname_kana",
                 "former_surname_kana_confirmed", "claim_date")  # fmt: skip
        return _flat(self, names)


class AliasForm(PersonDateMixin, FlaskForm):
    kind = SelectField("種類", choices=choices(ALIAS_KINDS))
    alias = StringField("通称（記載のみ）", validators=[Optional(), Length(max=200)])
    alias_kana = StringField("通称のフリガナ", validators=[Optional(), Length(max=200)])
    alias_kana_confirmed = BooleanField("通称のフリガナを本人に確認した")
    requested_date = DateTextField("申出日（空欄は今日）", validators=[Optional(), CalendarDate()])

    def to_intake(self) -> dict[str, Any]:
        names = ("atena_number", "change_date", "kind", "alias", "alias_kana", "alias_kana_confirmed",
                 "requested_date")  # fmt: skip
        return _flat(self, names)
