"""The statistics period form: a reference date and a period, each in 和暦 or 西暦 (GET, so no CSRF token)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from handlers.errors import Problem
from handlers.rules.date_input import DateInputError, parse_calendar_date

DATE_HINT = "例：2026-03-31、令和8年3月31日"


@dataclass(frozen=True)
class Period:
    on: dt.date
    start: dt.date
    end: dt.date


def default_period(today: dt.date) -> Period:
    """Today, and the twelve months up to today (from the first day of the month eleven months back)."""
    month_index = today.year * 12 + today.month - 1 - 11
    return Period(today, dt.date(month_index // 12, month_index % 12 + 1, 1), today)


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # reading statistics changes nothing and is sent with GET

    on = StringField("基準日", validators=[Optional(), Length(max=30)])
    start = StringField("異動の期間（自）", validators=[Optional(), Length(max=30)])
    end = StringField("異動の期間（至）", validators=[Optional(), Length(max=30)])

    def _date(self, name: str, fallback: dt.date, problems: list[Problem]) -> dt.date:
        text = (self[name].data or "").strip()
        if not text:
            return fallback
        try:
            return parse_calendar_date(text)
        except DateInputError as err:
            problems.append(err.to_problem(name, str(self[name].label.text)))
            return fallback

    def to_period(self, today: dt.date) -> tuple[Period, list[Problem]]:
        """The chosen period (blank fields take the defaults) and the problems of what was entered."""
        default = default_period(today)
        problems: list[Problem] = []
        period = Period(
            self._date("on", default.on, problems),
            self._date("start", default.start, problems),
            self._date("end", default.end, problems),
        )
        if period.start > period.end:
            problems.append(
                Problem("start", "異動の期間", "開始日が終了日より後です", "期間を確認してください", "period")
            )
            period = Period(period.on, default.start, default.end)
        return period, problems
