"""The 住所辞書 entry form (Japanese labels).  ``handlers.address_entries`` checks everything again."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from handlers.address_entries import AddressEntryView

ITEMS = ("area", "oaza", "oaza_kana", "koaza", "koaza_kana", "postal_code")


class AddressEntryForm(FlaskForm):
    area = SelectField(
        "市区町村（区）", choices=[], validate_choice=False
    )  # the handler refuses an unknown one
    oaza = StringField(
        "大字（町域）", validators=[InputRequired("大字（町域）を入力してください。"), Length(max=100)],
        description="小字・丁目を追加するときは、その大字を入力します。例：山下町",
    )  # fmt: skip
    oaza_kana = StringField(
        "大字のフリガナ", validators=[InputRequired("大字のフリガナを入力してください。"), Length(max=200)],
        description="住所カナ入力に使います。ひらがなでも入力できます。例：ヤマシタチョウ",
    )  # fmt: skip
    koaza = StringField(
        "小字・丁目（大字そのものを登録するときは空欄）",
        validators=[Optional(), Length(max=100)],
        description="例：一丁目",
    )
    koaza_kana = StringField(
        "小字・丁目のフリガナ", validators=[Optional(), Length(max=200)], description="例：イッチョウメ"
    )
    postal_code = StringField(
        "郵便番号（任意）", validators=[Optional(), Length(max=8)], description="例：231-0023"
    )

    def offer_areas(self, areas: list[tuple[str, str]]) -> None:
        self.area.choices = [SelectChoice(code, name) for code, name in areas]

    def fill(self, view: AddressEntryView) -> None:
        for name in ITEMS[1:]:
            getattr(self, name).data = getattr(view, name)

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name).data or "" for name in ITEMS}
