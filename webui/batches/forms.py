"""Batch forms (Japanese labels, CSRF): the schedule of one batch, and its parameters for a run now (one text
field per parameter the batch declares, a select for one with choices, filled with the remembered values)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Form, FormField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from handlers.batches import FREQUENCIES, WEEKDAYS
from handlers.batches.registry import BatchDefinition
from handlers.errors import Problem
from handlers.rules.date_input import DateInputError, parse_calendar_date


class ScheduleForm(FlaskForm):
    frequency = SelectField(
        "実行間隔", choices=[SelectChoice(k, v) for k, v in FREQUENCIES.items()], default="none"
    )
    run_at = StringField("実行時刻（HH:MM）", default="02:00", validators=[Length(max=5)])
    weekday = SelectField("曜日（毎週）", choices=[SelectChoice("", "—"), *(SelectChoice(str(i), d) for i, d in enumerate(WEEKDAYS))],
                          default="")  # fmt: skip
    day_of_month = IntegerField(
        "日（毎月）", validators=[Optional(), NumberRange(1, 31, "1〜31で入力してください")]
    )
    once_on = StringField("実行日（日時指定）", validators=[Optional(), Length(max=30)],
                          description="例：2026-12-01、令和8年12月1日")  # fmt: skip

    def schedule(self, problems: list[Problem]) -> dict[str, Any]:
        """The keyword arguments of ``handlers.batches.save_schedule``."""
        once_on: dt.date | None = None
        if self.once_on.data:
            try:
                once_on = parse_calendar_date(self.once_on.data.strip())
            except DateInputError as err:
                problems.append(err.to_problem("once_on", "実行日"))
        return {
            "frequency": self.frequency.data,
            "run_at": (self.run_at.data or "").strip(),
            "weekday": int(self.weekday.data) if self.weekday.data else None,
            "day_of_month": self.day_of_month.data,
            "once_on": once_on,
        }


class RunForm(FlaskForm):
    """Run now; ``parameters`` holds one field per parameter of the batch (see ``run_form``)."""


def run_form(definition: BatchDefinition, remembered: dict[str, Any]) -> RunForm:
    """The run-now form of ``definition`` with the remembered parameters as defaults."""

    class Parameters(Form):
        pass

    for name, label in definition.parameter_labels.items():
        default = str(remembered.get(name, ""))
        choices = definition.parameter_choices.get(name)
        field: Any = (
            SelectField(label, choices=[SelectChoice(k, v) for k, v in choices.items()], default=default)
            if choices
            else StringField(label, default=default, validators=[Length(max=100)])
        )
        setattr(Parameters, name, field)

    class BoundRunForm(RunForm):
        parameters = FormField(Parameters, label="パラメータ")

    return BoundRunForm()
