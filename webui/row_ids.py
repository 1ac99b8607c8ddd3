"""Numbers of rows in URLs (``/admin/users/<int:user_id>``, ``?check=``): a number no key of the database can
hold is a page that does not exist (404), not a failure of the statement that would look it up.  Every key a
URL names is an ``integer`` column on PostgreSQL (only the access log's id is a bigint, and no URL names it),
which stops at 2**31 − 1 (SQLite's at 2**63 − 1)."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map

MAX_ROW_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """``<int:…>`` with the largest key (MAX_ROW_ID) as its default maximum."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - Werkzeug's own name
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def row_id_arg(name: str) -> int | None:
    """An integer query argument naming a row: None when absent or not a number, 404 when out of range."""
    value = request.args.get(name, type=int)
    if value is not None and abs(value) > MAX_ROW_ID:
        abort(404)
    return value


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: every ``<int:…>`` of the routes is bounded."""
    app.url_map.converters["int"] = RowIdConverter
