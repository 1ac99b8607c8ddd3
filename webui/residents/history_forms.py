"""The history search form (異動履歴照会, j350; Japanese labels; GET, so no CSRF token).  Dates accept 和暦 or
西暦 as the other date inputs do; ``handlers.residents.history_search`` checks the conditions again."""

from __future__ import annotations

import datetime as dt

from flask_wtf import FlaskForm
from wtforms import Field, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from handlers.residents.history_search import HistoryQuery
from handlers.rules.change_reasons import REASONS
from handlers.rules.date_input import DateInputError, parse_calendar_date

DATE_FIELDS = ("change_from", "change_to", "processed_from", "processed_to", "notified_from", "notified_to")


def _date(text: str | None) -> dt.date | None:
    return parse_calendar_date(text) if text and text.strip() else None


class HistorySearchForm(FlaskForm):
    class Meta:
        csrf = False  # a search changes nothing and is sent with GET

    change_reason = SelectField(
        "異動事由", choices=[SelectChoice("", "指定なし"), *(SelectChoice(c, r.choice_label) for c, r in REASONS.items())],
        default="", validate_choice=False,
    )  # fmt: skip
    change_from = StringField("異動日（自）", validators=[Optional(), Length(max=30)])
    change_to = StringField("異動日（至）", validators=[Optional(), Length(max=30)])
    processed_from = StringField("処理日（自）", validators=[Optional(), Length(max=30)])
    processed_to = StringField("処理日（至）", validators=[Optional(), Length(max=30)])
    notified_from = StringField("届出日（自）", validators=[Optional(), Length(max=30)])
    notified_to = StringField("届出日（至）", validators=[Optional(), Length(max=30)])
    household_number = StringField("世帯番号", validators=[Optional(), Length(max=20)])
    input_terminal = StringField("入力端末", validators=[Optional(), Length(max=60)])

    def validate(self, extra_validators: dict[str, list[object]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        for name in DATE_FIELDS:
            field: Field = getattr(self, name)
            try:
                _date(field.data)
            except DateInputError as err:
                field.errors = [*field.errors, f"{err.reason}。{err.remedy}"]
                valid = False
        return valid

    def to_query(self) -> HistoryQuery:
        date = {name: _date(getattr(self, name).data) for name in DATE_FIELDS}
        return HistoryQuery(
            change_reason=self.change_reason.data or "",
            change_from=date["change_from"], change_to=date["change_to"],
            processed_from=date["processed_from"], processed_to=date["processed_to"],
            notified_from=date["notified_from"], notified_to=date["notified_to"],
            household_number=(self.household_number.data or "").strip(),
            input_terminal=(self.input_terminal.data or "").strip(),
        )  # fmt: skip
