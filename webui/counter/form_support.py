"""What every counter form shares: dates in 和暦 or 西暦, lists of 宛名番号, 続柄 choices, and the error summary
that links each message (a form's own or a handler's ``Problem``) to the field it is about."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wtforms import Field, Form, FormField, HiddenField, SelectField, StringField
from wtforms.fields import FieldList
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from handlers.errors import Problem
from handlers.rules.date_input import DateInputError, parse_calendar_date
from handlers.rules.dates import format_wareki
from handlers.rules.relationship import BASE_RELATIONS, STANDALONE_RELATIONS


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """(value, Japanese label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


RELATION_CHOICES = choices(
    [("", "選択してください"), *((r, r) for r in (*STANDALONE_RELATIONS, *BASE_RELATIONS))]
)
SEX_CHOICES = choices([("", "選択してください"), ("1", "男"), ("2", "女")])
_INDEX = re.compile(r"\[(\d+)\]")
_NUMBERS = re.compile(r"[\s,、，]+")


class CalendarDate:
    """Reads a date typed in 和暦 or 西暦 (令和7年4月1日, R7.4.1, 2025-04-01) and keeps it as ISO text."""

    def __call__(self, form: Form, field: Field) -> None:
        text = (field.data or "").strip()
        if not text:
            field.data = ""
            return
        try:
            field.data = parse_calendar_date(text).isoformat()
        except DateInputError as err:
            field.data = text
            raise StopValidation(f"{field.label.text}：{err.reason}。{err.remedy}") from None


class DateTextField(StringField):
    """A date field (with ``CalendarDate``): ``data`` is the ISO date once read, but the page shows the date
    again as the clerk typed it (令和7年4月1日 stays 令和7年4月1日 when the form comes back with an error), and a
    date filled from an earlier intake (再入力) in 和暦 — in 西暦 (2026年3月31日) for ``western`` (a foreign
    resident's dates, j20)."""

    def __init__(self, *args: Any, western: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.western = western

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        text = str(super()._value())
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return text
        return f"{day.year}年{day.month}月{day.day}日" if self.western else format_wareki(day)


def fill_flat(form: Form, values: Mapping[str, Any]) -> None:
    """Show an earlier intake's values (再入力) in the same-named fields of ``form``: text, flags, lists of
    numbers (one line, space-separated) and numbers."""
    for name, field in form._fields.items():
        value = values.get(name)
        if isinstance(value, str | bool):
            field.data = value
        elif isinstance(value, int):
            field.data = str(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            field.data = " ".join(value)


def atena_list(text: str | None) -> list[str]:
    """宛名番号 typed one per line or separated by spaces, commas or 読点."""
    return [n for n in _NUMBERS.split(text or "") if n]


def relations_map(text: str | None) -> dict[str, str]:
    """Lines of 「宛名番号 続柄」 (or 「宛名番号:続柄」) → {宛名番号: 続柄}."""
    found: dict[str, str] = {}
    for line in (text or "").splitlines():
        parts = re.split(r"[\s:：=]+", line.strip(), maxsplit=1)
        if len(parts) == 2 and parts[0]:
            found[parts[0]] = parts[1].strip()
    return found


class RelationRowForm(Form):
    """One person's 続柄 in the destination household (j470): the person is named, the relation chosen."""

    atena_number = HiddenField()
    name = HiddenField()
    relation = SelectField(
        "続柄",
        choices=choices([("", "変更しない"), *((r, r) for r in (*STANDALONE_RELATIONS, *BASE_RELATIONS))]),
    )


def name_relation_rows(rows: FieldList) -> None:
    """Label each row's 続柄 with the person it is for (the name travels in a hidden field)."""
    for entry in rows.entries:
        person = entry.form.name.data or entry.form.atena_number.data
        entry.form.relation.label.text = f"{person}（宛名番号 {entry.form.atena_number.data}）の続柄"


def fill_relation_rows(rows: FieldList, people: Sequence[dict[str, str]], relations: dict[str, str]) -> None:
    """One row per person, with the relation entered before (再入力) or none."""
    while rows.entries:
        rows.pop_entry()
    for person in people:
        rows.append_entry({"atena_number": person["atena_number"], "name": person.get("name", ""),
                           "relation": relations.get(person["atena_number"], "")})  # fmt: skip
    name_relation_rows(rows)


def relation_aliases(form: Form) -> dict[str, str]:
    """A handler's 続柄 problem (``relations.<宛名番号>``) → the id of that person's 続柄 row."""
    rows = getattr(form, "relations", None)
    if rows is None:
        return {}
    return {f"relations.{e.form.atena_number.data}": e.form.relation.id for e in rows.entries}


def relations_of(rows: FieldList) -> dict[str, str]:
    return {e.form.atena_number.data: e.form.relation.data for e in rows.entries if e.form.relation.data}


def blank_to_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items() if v not in ("", None)}


def text_field(label: str, **kwargs: Any) -> StringField:
    return StringField(label, **kwargs)


@dataclass(frozen=True)
class ErrorItem:
    target: str | None  # the id of the field the message is about (None: about the whole form)
    text: str


def _leaf_fields(form: Iterable[Field]) -> Iterator[Field]:
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                yield from _leaf_fields([entry])
        elif isinstance(field, FormField):
            yield from _leaf_fields(field.form)
        else:
            yield field


def field_ids(form: Form) -> set[str]:
    return {f.id for f in _leaf_fields(form)}


def problem_target(field: str, ids: set[str], aliases: dict[str, str]) -> str | None:
    """The form field a handler's problem names: ``members[1].birth_date`` → ``members-1-birth_date``."""
    dashed = _INDEX.sub(r"-\1", field).replace(".", "-")
    head, _, leaf = dashed.rpartition("-")
    nested = f"{head}-foreign-{leaf}" if head else f"foreign-{leaf}"  # the 国籍・在留資格等 sub-form
    candidates = [field, dashed, nested, field.rsplit(".", 1)[-1]]
    for name in candidates:
        name = aliases.get(name, name)
        if name in ids:
            return name
    prefix = field.split("[", 1)[0].split(".", 1)[0]
    return aliases.get(prefix) if aliases.get(prefix) in ids else None


def collect_errors(
    form: Form,
    problems: Sequence[Problem] = (),
    aliases: dict[str, str] | None = None,
    shown: Sequence[str] = (),
) -> tuple[list[ErrorItem], dict[str, list[str]]]:
    """(summary items in page order, messages per field id) from the form's validation and the handler.
    ``shown``: the form's fields in the order the page shows them (its sections), when not declaration order."""
    ids = field_ids(form)
    summary: list[ErrorItem] = []
    by_field: dict[str, list[str]] = {}
    ordered = [form[n] for n in shown] + [f for f in form if f.name not in shown] if shown else list(form)
    for field in _leaf_fields(ordered):
        for message in field.errors:
            text = message if "：" in message else f"{field.label.text}：{message}"
            summary.append(ErrorItem(field.id, text))
            by_field.setdefault(field.id, []).append(text)
    for problem in problems:
        target = problem_target(problem.field, ids, aliases or {})
        text = f"{problem.item}：{problem.reason}。{problem.remedy}"
        summary.append(ErrorItem(target, text))
        if target is not None:
            by_field.setdefault(target, []).append(text)
    return summary, by_field


_ADDRESS_FIELDS = (
    "address",
    "former_address",
    "unnotified_address",
    "confirmed_address",
    "destination_address",
)
_DATALISTS = {
    "address_katagaki": "katagaki-list",
    "honseki": "honseki-list",
    "municipality_code": "municipality-list",
}
_POSTAL_TARGETS = {"postal_code": "address", "former_postal_code": "former_address"}


def help_attributes(field: Field) -> dict[str, str]:
    """The entry-help hooks of a field for address_help.js: postcode → address, town / 方書 / 本籍 suggestions,
    the 方書 registered at an entered address."""
    name = field.short_name
    if name in _POSTAL_TARGETS:
        return {
            "data-postal-for": field.id.replace(name, _POSTAL_TARGETS[name]),
            "autocomplete": "postal-code",
        }
    if name == "address_code":  # filled from the chosen dictionary entry (j250), not typed
        return {"data-address-code-for": field.id.replace(name, "address"), "readonly": "readonly"}
    if name in _ADDRESS_FIELDS:
        hooks = {"list": "town-list", "data-address-input": "1", "autocomplete": "off"}
        if name == "address":  # the 方書 registered at the entered 住所地番 (j520)
            hooks["data-katagaki-for"] = field.id.removesuffix(name) + "address_katagaki"
        return hooks
    if name == "honseki":  # the registered addresses and 本籍 of the household as candidates (j510)
        return {"list": _DATALISTS[name], "autocomplete": "off", "data-honseki-help": "1"}
    if name in _DATALISTS:
        return {"list": _DATALISTS[name], "autocomplete": "off"}
    return {}
