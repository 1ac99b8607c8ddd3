"""The items of a foreign resident's art. 30-45 category (区分 with its 在留資格, 在留期間, 満了日, 在留カード番号 /
特別永住者証明書番号, 上陸期間, 仮滞在期間) and 国籍・地域, as one sub-form used by the 転入 form's members and by
the foreign residents' own forms.  Dates of foreign residents are shown in 西暦 (j20)."""

from __future__ import annotations

from typing import Any

from wtforms import Form, SelectField, StringField
from wtforms.validators import Length, Optional

from handlers.rules.foreign import FOREIGN_CATEGORIES
from webui.counter.form_support import CalendarDate, DateTextField, blank_to_none, choices

SEIREKI = "西暦で入力（例：2026-03-31）。和暦も可"
CATEGORY_CHOICES = choices(
    [("", "選択してください"), *((c.code, c.label) for c in FOREIGN_CATEGORIES.values())]
)


class ForeignItemsForm(Form):
    """国籍・地域 and the art. 30-45 category with its items (only the category's own items are kept)."""

    nationality = StringField("国籍・地域", validators=[Optional(), Length(max=60)])
    foreign_category = SelectField(
        "法第30条の45に規定する区分", choices=CATEGORY_CHOICES, validators=[Optional()]
    )
    residence_status = StringField("在留資格（中長期在留者）", validators=[Optional(), Length(max=60)])
    period_of_stay = StringField("在留期間（中長期在留者）", validators=[Optional(), Length(max=30)])
    stay_expiry_date = DateTextField(
        "在留期間の満了の日（中長期在留者）",
        validators=[Optional(), CalendarDate()],
        description=SEIREKI,
        western=True,
    )
    residence_card_number = StringField(
        "在留カード番号（中長期在留者）",
        validators=[Optional(), Length(max=12)],
        description="例：AB12345678CD",
    )
    special_permanent_certificate_number = StringField(
        "特別永住者証明書番号（特別永住者）", validators=[Optional(), Length(max=12)]
    )
    landing_period = StringField("上陸期間（一時庇護許可者）", validators=[Optional(), Length(max=60)])
    provisional_stay_period = StringField(
        "仮滞在期間（仮滞在許可者）", validators=[Optional(), Length(max=60)]
    )

    def items(self) -> dict[str, Any]:
        values = blank_to_none({name: field.data for name, field in self._fields.items()})
        category = FOREIGN_CATEGORIES.get(str(values.get("foreign_category") or ""))
        if category is not None:  # the other categories' items are not recorded (art. 30-45 table)
            others = {f for c in FOREIGN_CATEGORIES.values() for f in c.items} - set(category.items)
            values = {k: v for k, v in values.items() if k not in others}
        return values
