"""The 統合記載欄 forms (Japanese labels); ``handlers.residents.cautions`` and ``handlers.residents.remarks``
check everything again."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length

from handlers.residents.integrated_section import item_choices
from handlers.rules.change_reasons import REASONS


class RemarksForm(FlaskForm):
    remarks = TextAreaField(
        "備考",
        validators=[Length(max=2000)],
        description="異動履歴に関係しない事項。空欄で保存すると消去します。",
    )


class CautionForm(FlaskForm):
    caution = StringField(
        "留意事項", validators=[Length(max=400)], description="空欄で保存すると消去します。"
    )
    caution_items = SelectMultipleField("関連する異動項目", choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.caution_items.choices = item_choices()

    def values(self) -> dict[str, Any]:
        return {"caution": self.caution.data or "", "caution_items": list(self.caution_items.data or [])}


class CautionTemplateForm(CautionForm):
    change_reason = SelectField("異動事由", choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.change_reason.choices = [("", "選択してください")] + [
            (r.code, r.choice_label) for r in REASONS.values()
        ]

    def values(self) -> dict[str, Any]:
        return {**super().values(), "change_reason": self.change_reason.data or ""}
