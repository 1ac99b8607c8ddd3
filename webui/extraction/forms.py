"""Extraction forms (Japanese labels, CSRF): the wizard's plain questions, the condition builder's rows, and
the sampling form.  Dates may be entered in 和暦 or 西暦; the forms hand ISO dates to the handlers, which check
everything else (handlers.extraction.conditions)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from handlers.errors import Problem
from handlers.extraction import FIELDS, FLAG_FIELDS, OPERATORS, OUTPUTS
from handlers.extraction.conditions import OPERATORS_BY_TYPE
from handlers.rules.date_input import DateInputError, parse_calendar_date
from handlers.rules.foreign import FOREIGN_CATEGORIES
from handlers.statistics.report import CHANGE_LABELS

ANY = ("", "指定しない")


def choices(pairs: Any) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


DATE_HINT = "例：2026-04-01、令和8年4月1日"


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def iso_date(text: str | None, field: str, item: str, problems: list[Problem]) -> str:
    """An entered date (和暦 or 西暦) as ISO text; blank stays blank, a bad date adds a problem."""
    if not text:
        return ""
    try:
        return parse_calendar_date(text).isoformat()
    except DateInputError as err:
        problems.append(err.to_problem(field, item))
        return ""


class JobOptionsMixin:
    """What every extraction asks besides the conditions."""

    include_removed = BooleanField("除票を含める（除票用データベースに移行したものも含む）")
    reference_date = StringField("年齢の基準日", filters=[_strip], validators=[Optional(), Length(max=30)],
                                 description="空欄は今日。" + DATE_HINT)  # fmt: skip
    output = RadioField("出力", choices=choices(OUTPUTS.items()), default="count")

    def reference(self, problems: list[Problem]) -> dt.date | None:
        text = iso_date(self.reference_date.data, "reference_date", "年齢の基準日", problems)
        return dt.date.fromisoformat(text) if text else None


class WizardForm(JobOptionsMixin, FlaskForm):
    age_min = IntegerField(
        "年齢（下限）", validators=[Optional(), NumberRange(0, 150, "0〜150で入力してください")]
    )
    age_max = IntegerField(
        "年齢（上限）", validators=[Optional(), NumberRange(0, 150, "0〜150で入力してください")]
    )
    area = StringField("地区（住所の先頭）", filters=[_strip], validators=[Optional(), Length(max=200)],
                       description="例：神奈川県横浜市中区")  # fmt: skip
    sex = SelectField("性別", choices=choices([ANY, ("1", "男"), ("2", "女")]), default="")
    birth_from = StringField("生年月日（自）", filters=[_strip], validators=[Optional(), Length(max=30)])
    birth_to = StringField("生年月日（至）", filters=[_strip], validators=[Optional(), Length(max=30)])
    resident_kind = SelectField(
        "住民種別", choices=choices([ANY, ("japanese", "日本人"), ("foreign", "外国人")]), default=""
    )
    nationality = StringField("国籍・地域", filters=[_strip], validators=[Optional(), Length(max=60)])
    foreign_category = SelectField(
        "法第30条の45の区分",
        choices=choices([ANY, *((c.code, c.label) for c in FOREIGN_CATEGORIES.values())]),
        default="",
    )
    flags = CheckboxesField("資格・登録（すべてに該当する人）", choices=choices(FLAG_FIELDS.items()))
    change_category = SelectField("期間中の異動", choices=choices([ANY, *CHANGE_LABELS.items()]), default="")
    change_start = StringField("異動の期間（自）", filters=[_strip], validators=[Optional(), Length(max=30)])
    change_end = StringField("異動の期間（至）", filters=[_strip], validators=[Optional(), Length(max=30)])

    def answers(self, problems: list[Problem]) -> dict[str, Any]:
        """The wizard answers as ``handlers.extraction.wizard_conditions`` takes them (ISO dates)."""
        dates = {name: iso_date(self[name].data, name, str(self[name].label.text), problems)
                 for name in ("birth_from", "birth_to", "change_start", "change_end")}  # fmt: skip
        plain = {name: self[name].data for name in ("area", "sex", "resident_kind", "nationality",
                                                    "foreign_category", "change_category")}  # fmt: skip
        ages = {
            name: "" if self[name].data is None else str(self[name].data) for name in ("age_min", "age_max")
        }
        return {**plain, **ages, **dates}


FIELD_CHOICES = choices([("", "（項目を選ぶ）"), *((f.name, f.label) for f in FIELDS.values())])
OPERATOR_CHOICES = choices(OPERATORS.items())


class ConditionRowForm(Form):
    """One row of the builder: 項目, 演算子, 値 (several values separated by commas for 範囲 and いずれか)."""

    field = SelectField("項目", choices=FIELD_CHOICES, default="")
    op = SelectField("演算子", choices=OPERATOR_CHOICES, default="eq")
    value = StringField("値", filters=[_strip], validators=[Optional(), Length(max=200)])


class BuilderForm(JobOptionsMixin, FlaskForm):
    mode = RadioField("条件の組み合わせ", choices=choices([("all", "すべてを満たす（AND）"), ("any", "いずれかを満たす（OR）")]),
                      default="all")  # fmt: skip
    rows = FieldList(FormField(ConditionRowForm), min_entries=3, max_entries=30)
    change_category = SelectField("期間中の異動", choices=choices([ANY, *CHANGE_LABELS.items()]), default="")
    change_start = StringField("異動の期間（自）", filters=[_strip], validators=[Optional(), Length(max=30)])
    change_end = StringField("異動の期間（至）", filters=[_strip], validators=[Optional(), Length(max=30)])

    def _value(self, index: int, field: str, raw: str, problems: list[Problem]) -> Any:
        if FIELDS[field].type != "date":
            return raw
        item = f"{index + 1}行目の値"
        return ",".join(
            iso_date(part.strip(), f"rows-{index}-value", item, problems) for part in raw.split(",")
        )

    def tree(self, problems: list[Problem]) -> dict[str, Any]:
        """The condition tree: the filled rows joined by the chosen mode, and a change in a period if asked."""
        items: list[dict[str, Any]] = []
        for index, row in enumerate(self.rows.data):
            if not row["field"]:
                continue
            value = self._value(index, row["field"], row["value"] or "", problems)
            items.append({"field": row["field"], "op": row["op"], "value": value})
        if self.change_category.data:
            start = iso_date(self.change_start.data, "change_start", "異動の期間（自）", problems)
            end = iso_date(self.change_end.data, "change_end", "異動の期間（至）", problems)
            items.append({"changed": {"category": self.change_category.data, "start": start, "end": end}})
        return {self.mode.data or "all": items}


def operators_by_type() -> dict[str, list[str]]:
    """For the builder's help table: which operators each kind of item takes."""
    return {kind: list(ops) for kind, ops in OPERATORS_BY_TYPE.items()}


class SamplingForm(WizardForm):
    """Random sampling (j1330) among the persons the wizard's answers select; the seed makes it repeatable."""

    sample_count = IntegerField("抽出する人数", validators=[InputRequired("人数を入力してください"),
                                                          NumberRange(1, 100000, "1〜100000で入力してください")])  # fmt: skip
    seed = IntegerField("乱数の種（シード）", validators=[InputRequired("シードを入力してください"),
                                                       NumberRange(0, 2**31 - 1, "0以上の整数で入力してください")],
                        description="同じシードと条件なら同じ人が選ばれます（再現性）")  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.seed.data is None and not self.is_submitted():
            self.seed.data = random.SystemRandom().randint(1, 999999)
