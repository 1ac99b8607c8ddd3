"""The 広域交付 counter form (j1210).  Japanese labels; the rules are checked by ``handlers.rules.wide_area``."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from handlers.rules.wide_area import ID_DOCUMENTS, RELATIONS, WIDE_AREA_TYPES


def _choices(labels: dict[str, str], blank: str) -> list[SelectChoice]:
    return [SelectChoice("", blank), *(SelectChoice(code, label) for code, label in labels.items())]


class WideAreaRequestForm(FlaskForm):
    home_code = StringField("住所地市区町村（全国地方公共団体コード6桁）", validators=[Length(max=6)])
    certificate_type = SelectField("証明書の種別", choices=_choices(WIDE_AREA_TYPES, "選択してください"))
    resident_code = StringField("住民票コード（わかる場合）", validators=[Optional(), Length(max=11)])
    name = StringField("氏名", validators=[Optional(), Length(max=100)])
    birth_date = StringField(
        "生年月日（例 1980-04-01、昭和55年4月1日）", validators=[Optional(), Length(max=30)]
    )
    address = StringField("住所", validators=[Optional(), Length(max=200)])
    include_head_relation = BooleanField("世帯主・続柄を記載")
    include_resident_code = BooleanField("住民票コードを記載")
    relation = SelectField("請求者", choices=_choices(RELATIONS, "選択してください"))
    requester_name = StringField("請求者の氏名（本人確認書類のとおり）", validators=[Length(max=100)])
    requester_birth_date = StringField("請求者の生年月日", validators=[Optional(), Length(max=30)])
    id_document = SelectField("確認した本人確認書類", choices=_choices(ID_DOCUMENTS, "確認していない"))
    purpose = StringField("使用目的", validators=[Optional(), Length(max=200)])

    def values(self) -> dict[str, Any]:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


class PrintForm(FlaskForm):
    """The print button (CSRF only)."""
