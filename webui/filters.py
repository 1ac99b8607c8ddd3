"""Jinja filters shared by every template (dates in 和暦/西暦, masking)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from handlers.rules import dates

    app.jinja_env.filters["wareki"] = dates.format_wareki
    app.jinja_env.filters["seireki"] = dates.format_seireki
