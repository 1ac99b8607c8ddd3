"""The 方書 form (Japanese labels).  ``handlers.katagaki`` checks everything again."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from handlers.katagaki import KIND_LABELS, KatagakiView


class KatagakiForm(FlaskForm):
    address = StringField(
        "住所地番", validators=[InputRequired("住所地番を入力してください。"), Length(max=200)],
        description="方書のある住所を地番（番地・番・号）まで。例：神奈川県横浜市中区本町二丁目10番地",
    )  # fmt: skip
    address_code = StringField(
        "住所コード（11桁・任意）", validators=[Optional(), Length(max=11)], description="例：14104001002"
    )
    name = StringField(
        "方書", validators=[InputRequired("方書を入力してください。"), Length(max=200)],
        description="アパート・マンション・寮等の名称（部屋番号は窓口で付け加えます）。例：港ハイツ",
    )  # fmt: skip
    name_kana = StringField("方書（フリガナ・任意）", validators=[Optional(), Length(max=200)])
    kind = SelectField("種別", choices=[SelectChoice(code, label) for code, label in KIND_LABELS.items()])

    def fill(self, view: KatagakiView) -> None:
        for name in ("address", "address_code", "name", "name_kana", "kind"):
            getattr(self, name).data = getattr(view, name)

    def values(self) -> dict[str, Any]:
        return {
            name: getattr(self, name).data or ""
            for name in ("address", "address_code", "name", "name_kana", "kind")
        }
