"""Reading the support-measure pages' form fields into the plain mappings the handlers take (no rules here:
the handlers validate and answer in Japanese)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from werkzeug.datastructures import MultiDict

from handlers.errors import Problem, ValidationError
from handlers.rules.date_input import DateInputError, parse_calendar_date
from handlers.rules.digits import whole_number

PARTY_KEYS = ("name", "name_kana", "atena_number", "birth_date", "relation_to_applicant")
CO_APPLICANT_ROWS = 2
PERPETRATOR_ROWS = 2


def _party(form: MultiDict[str, str], prefix: str) -> dict[str, str]:
    return {
        key: form.get(f"{prefix}.{key}", "").strip()
        for key in PARTY_KEYS
        if form.get(f"{prefix}.{key}", "").strip()
    }


def support_request(form: MultiDict[str, str]) -> dict[str, Any]:
    """The 支援措置申出 as ``open_support_measure_case`` takes it; empty party rows are left out."""
    co = [_party(form, f"co_applicants-{i}") for i in range(CO_APPLICANT_ROWS)]
    perpetrators = [_party(form, f"perpetrators-{i}") for i in range(PERPETRATOR_ROWS)]
    return {
        "applicant": _party(form, "applicant"),
        "co_applicants": [p for p in co if p],
        "perpetrators": [p for p in perpetrators if p],
        "protected_services": form.getlist("protected_services"),
        "protected_addresses": form.getlist("protected_addresses"),
        "request_date": form.get("request_date", "").strip(),
        "victim_kind": form.get("victim_kind", "").strip() or None,
    }


def _parsed_date(text: str, field: str, item: str) -> dt.date:
    try:
        return parse_calendar_date(text)
    except DateInputError as err:
        raise ValidationError([err.to_problem(field, item)]) from err


def date_field(form: MultiDict[str, str], field: str, item: str) -> dt.date:
    return _parsed_date(form.get(field, "").strip(), field, item)


def optional_date_field(form: MultiDict[str, str], field: str, item: str) -> dt.date | None:
    text = form.get(field, "").strip()
    return _parsed_date(text, field, item) if text else None


def int_field(form: MultiDict[str, str], field: str, item: str, *, required: bool = True) -> int | None:
    text = form.get(field, "").strip()
    if not text and not required:
        return None
    number = whole_number(text)
    if number is None:
        reason, remedy = "数字で入力されていません", f"{item}を半角数字で入力してください"
        raise ValidationError([Problem(field, item, reason, remedy, "format")])
    return number
