"""The resident search form (Japanese labels; GET, so no CSRF token)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from handlers.residents.search import ResidentQuery


class ResidentSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a search changes nothing and is sent with GET

    kana = StringField("カナ氏名", validators=[Optional(), Length(max=100)])
    given_kana = StringField("カナ名（名のみ）", validators=[Optional(), Length(max=100)])
    name = StringField("漢字氏名", validators=[Optional(), Length(max=100)])
    birth_date = StringField("生年月日（和暦/西暦可）", validators=[Optional(), Length(max=30)])
    sex = SelectField(
        "性別",
        choices=[SelectChoice("", "指定なし"), SelectChoice("1", "男"), SelectChoice("2", "女")],
        default="",
    )
    address = StringField("住所", validators=[Optional(), Length(max=200)])
    atena_number = StringField("宛名番号", validators=[Optional(), Length(max=20)])
    household_number = StringField("世帯番号", validators=[Optional(), Length(max=20)])
    my_number = StringField("個人番号", validators=[Optional(), Length(max=20)])
    resident_code = StringField("住民票コード", validators=[Optional(), Length(max=20)])
    residence_card_number = StringField("在留カード番号", validators=[Optional(), Length(max=20)])
    special_permanent_certificate_number = StringField(
        "特別永住者証明書番号", validators=[Optional(), Length(max=20)]
    )
    include_removed = BooleanField("除票も含める")
    after = HiddenField(validators=[Optional(), Length(max=200)])  # the next page's cursor

    def to_query(self) -> ResidentQuery:
        values: dict[str, Any] = {
            name: (field.data or None) for name, field in self._fields.items() if name != "include_removed"
        }
        return ResidentQuery(**values, include_removed=bool(self.include_removed.data))


class OtherSystemInquiryForm(FlaskForm):
    """他業務照会 (j1180): ask every configured other system, or the one chosen, for the person's latest
    registration.  POST with a CSRF token."""

    system = StringField("照会先", validators=[Optional(), Length(max=24)])
