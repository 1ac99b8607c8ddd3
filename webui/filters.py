"""Jinja filters shared by every template (dates in 和暦/西暦, instants in Japan time)."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from handlers.clock import to_jst


def japan_time(value: dt.datetime | str | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """An instant as the clerk's clock shows it: stored in UTC (SQLite hands it back without a zone, a JSON
    view carries ISO text), shown in Japan time; "" for none."""
    if value is None or value == "":
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return to_jst(moment).strftime(fmt)


def init_app(app: Flask) -> None:
    from handlers.rules import dates

    app.jinja_env.filters["wareki"] = dates.format_wareki
    app.jinja_env.filters["japan_time"] = japan_time
