"""Jinja filters shared by every template (dates in 和暦/西暦, instants in Japan time, the Japanese name of a stored
code: ``{{ case.status|label('case_status') }}``, ``{{ message.destination|destination_label }}``, a member of
staff by name: ``{{ task.claimed_by|staff(view.staff) }}``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from flask import Flask
from markupsafe import Markup, escape

from handlers.clock import to_jst
from handlers.labels import destination_label, label, label_choices, subject_label
from handlers.rules.dates import format_instant, format_wareki
from handlers.staff_names import staff_label


def japan_time(value: dt.datetime | str | None, fmt: str | None = None, *, seconds: bool = True) -> str:
    """An instant as the clerk's clock shows it: stored in UTC (SQLite hands it back without a zone, a JSON
    view carries ISO text), shown in Japan time with the day in 和暦 (j90), '令和8年11月27日 08:30:05'; ``fmt``
    (strftime) for the time alone; "" for none."""
    if value is None or value == "":
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if fmt is not None:
        return to_jst(moment).strftime(fmt)
    return format_instant(moment, seconds=seconds)


def wareki(value: dt.date | str | None, text: str | None = None) -> str:
    """A day in 和暦 (j90), also from the ISO text a JSON view or another system's message carries; text that is
    no ISO day (a date another system sent as it pleased) is shown as it came, never an error."""
    if not isinstance(value, str):
        return format_wareki(value, text)
    try:
        return format_wareki(dt.date.fromisoformat(value[:10]) if value else None, text)
    except ValueError:
        return value


def staff(login: str | None, names: Mapping[str, str] | None, *, with_login: bool = False) -> Markup:
    """A member of staff as a page names them (``handlers.staff_names``): the 氏名 with the login ID as its
    tooltip, or beside it (``with_login``, where staff look a user up by it); a system actor's label or an
    unknown login as it is."""
    known = names or {}
    shown = staff_label(login, known)
    if not login or shown != known.get(login):  # none, a system actor, not a user of this municipality
        return escape(shown)
    if with_login:
        return Markup("{}（{}）").format(shown, login)
    return Markup('<span title="ログインID：{}">{}</span>').format(login, shown)


def cell(value: object) -> str:
    """A table cell of mixed values: an instant as ``japan_time``, a day in 和暦, text as it is, — for none."""
    if isinstance(value, dt.datetime):
        return japan_time(value)
    if isinstance(value, dt.date):
        return wareki(value)
    return str(value) if value not in (None, "") else "—"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["wareki"] = wareki
    app.jinja_env.filters["japan_time"] = japan_time
    app.jinja_env.filters["cell"] = cell
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["destination_label"] = destination_label
    app.jinja_env.filters["staff"] = staff
    app.jinja_env.globals["label_choices"] = label_choices
    app.jinja_env.globals["subject_label"] = subject_label
    app.jinja_env.filters["subject_label"] = subject_label
