"""The access-log search form (Japanese labels; GET, so no CSRF token)."""

from __future__ import annotations

import datetime as dt

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, Regexp

from handlers.audit_search import ACTION_LABELS, ANALYSES, DEFAULT_MASS_SEARCHES, AccessLogFilters
from handlers.errors import Problem
from handlers.rules.date_input import DateInputError, parse_calendar_date
from handlers.rules.digits import ascii_digits

DATE_HINT = "例：2026-06-03、令和8年6月3日"


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _digits(value: str | None) -> str | None:
    return ascii_digits(value.strip()) if isinstance(value, str) else value


class AccessLogSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a search changes nothing and is sent with GET

    occurred_from = StringField("期間（自）", filters=[_strip], validators=[Optional(), Length(max=30)])
    occurred_to = StringField("期間（至）", filters=[_strip], validators=[Optional(), Length(max=30)])
    login_id = StringField(
        "利用者ID",
        filters=[_strip],
        validators=[Optional(), Length(max=60, message="60文字以内で入力してください")],
    )
    function = SelectField("機能", choices=[SelectChoice("", "すべて")], default="", validate_choice=False)
    action = SelectField(
        "操作種別",
        choices=[SelectChoice("", "すべて"), *(SelectChoice(k, v) for k, v in ACTION_LABELS.items())],
        default="",
        validate_choice=False,
    )
    target = StringField(
        "対象宛名番号",
        filters=[_digits],
        validators=[Optional(), Regexp(r"^\d{1,20}$", message="宛名番号は数字で入力してください")],
    )
    my_number_only = BooleanField("個人番号表示ありのみ")
    off_hours_only = BooleanField("夜間・休日のみ（22時〜6時、土日祝・年末年始）")
    analysis = SelectField(
        "分析",
        choices=[
            SelectChoice("", "なし（条件に合うログの一覧）"),
            *(SelectChoice(k, v) for k, v in ANALYSES.items()),
        ],
        default="",
    )
    mass_searches = IntegerField(
        "大量検索の基準（1日の検索回数）",
        default=DEFAULT_MASS_SEARCHES,
        validators=[
            Optional(),
            NumberRange(min=1, max=1_000_000, message="1以上1000000以下の回数を入力してください"),
        ],
    )

    def offer_functions(self, functions: list[tuple[str, str]]) -> None:
        """The 機能 choices: the functions present in the municipality's log, with their Japanese names."""
        self.function.choices = [SelectChoice("", "すべて"), *(SelectChoice(k, v) for k, v in functions)]

    def _date(self, name: str, item: str, problems: list[Problem]) -> dt.date | None:
        text = self[name].data
        if not text:
            return None
        try:
            return parse_calendar_date(text)
        except DateInputError as err:
            problems.append(err.to_problem(name, item))
            return None

    def to_filters(self, page: int) -> tuple[AccessLogFilters, list[Problem]]:
        problems: list[Problem] = []
        filters = AccessLogFilters(
            occurred_from=self._date("occurred_from", "期間（自）", problems),
            occurred_to=self._date("occurred_to", "期間（至）", problems),
            login_id=self.login_id.data or "",
            function=self.function.data or "",
            action=self.action.data or "",
            target=self.target.data or "",
            my_number_only=bool(self.my_number_only.data),
            off_hours_only=bool(self.off_hours_only.data),
            analysis=self.analysis.data or "",
            mass_searches=self.mass_searches.data or DEFAULT_MASS_SEARCHES,
            page=page,
        )
        return filters, problems
