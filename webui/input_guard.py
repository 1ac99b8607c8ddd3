"""What no door may be handed, refused before any view runs (j1440: the item, the reason, the remedy).

- A NUL character or a lone UTF-16 surrogate (a JSON ``"\\ud800"``) in any text: PostgreSQL text cannot hold a
  NUL, and no database encoding can hold a lone surrogate, so such a value would fail at the write after the
  other checks had passed, a 500 instead of an error.  Looked for in the query string, the path, the form
  fields and the JSON body, keys and values alike.
- A JSON number no item holds: an integer past the database's ``integer`` (signed 32 bits: every id, count,
  version and 履歴番号 column; PostgreSQL refuses a larger one at the query, SQLite past 64 bits), and ``NaN``,
  ``Infinity`` or a float that overflows, which are not JSON at all (RFC 8259) though Python's parser reads
  them: the body is then not JSON (``StrictJSONProvider``) and the door answers that it wants a JSON object.
- A JSON body nested so deeply that the parser gives up: not JSON either (instead of a RecursionError).

- An ``X-Terminal-Id`` (the terminal's name, kept with the access log, the history and the certificates) longer
  than the terminal columns or with a control character: read as UTF-8 (``terminal_header``), it must fit.

A refusal is a ``ValidationError`` (422), JSON in the API and the error page elsewhere (``webui.errors``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider

from handlers.errors import Problem, ValidationError
from webui.row_ids import MAX_ROW_ID

LARGEST_INTEGER = MAX_ROW_ID  # PostgreSQL's integer, the type of every id and number column an input reaches
TERMINAL_MAX = 60  # the terminal columns (access log, issued certificates, registered terminals)
MOST_PROBLEMS = 10  # a body full of bad values names the first ten


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading only what RFC 8259 calls JSON and nothing nested past the parser's depth."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        kwargs.setdefault("parse_constant", _refuse_constant)
        kwargs.setdefault("parse_float", _finite_float)
        try:
            return super().loads(s, **kwargs)
        except RecursionError as err:
            raise ValueError("JSON nested too deeply") from err


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} overflows a float")
    return value


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every key and leaf of a parsed JSON value with its path (``intake.members[0].family_name``), without
    recursion."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                inner_path = f"{where}.{key}" if where else str(key)
                yield inner_path, key
                stack.append((inner_path, inner))
        elif isinstance(item, list):
            stack.extend((f"{where}[{index}]", inner) for index, inner in enumerate(item))
        else:
            yield where, item


def _problem(path: str, value: Any) -> Problem | None:
    if isinstance(value, str) and not _storable(value):
        return Problem(path, path, "使えない文字（NUL、または対になっていないサロゲート）が含まれています",
                       "その文字を除いて送信してください", "invalid_character")  # fmt: skip
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > LARGEST_INTEGER:
        return Problem(path, path, f"数値が大きすぎます（絶対値{LARGEST_INTEGER}まで）", "値を直してください",
                       "out_of_range")  # fmt: skip
    return None


def _inputs() -> Iterator[tuple[str, Any]]:
    sources = (request.args, request.form) if request.method != "GET" else (request.args,)
    for source in sources:
        for key, values in source.lists():
            yield key, key
            yield from ((key, value) for value in values)
    yield from ((f"path.{name}", value) for name, value in (request.view_args or {}).items())
    if request.is_json:
        yield from _walk(request.get_json(silent=True), "")


def terminal_header() -> str | None:
    """The ``X-Terminal-Id`` as the terminal sent it: a WSGI header arrives as Latin-1, so a name sent in UTF-8
    (a registered terminal's name may be Japanese) is decoded back."""
    raw = request.headers.get("X-Terminal-Id", "").strip()
    try:
        return raw.encode("latin-1").decode("utf-8") or None
    except (UnicodeEncodeError, UnicodeDecodeError):
        return raw or None


def _terminal_problem() -> Problem | None:
    name = terminal_header()
    if name is None or (len(name) <= TERMINAL_MAX and name.isprintable()):
        return None
    return Problem("X-Terminal-Id", "端末名（X-Terminal-Id）", f"{TERMINAL_MAX}文字を超えているか、制御文字があります",
                   "登録した端末名を送信してください", "format")  # fmt: skip


def refuse_unstorable_input() -> None:
    """A before-request hook: the pages' (``init_app``) and, after the token is checked, the API's."""
    terminal = _terminal_problem()
    problems: list[Problem] = [terminal] if terminal else []
    for path, value in _inputs():
        problem = _problem(path or "body", value)
        if problem is not None and problem not in problems:
            problems.append(problem)
            if len(problems) == MOST_PROBLEMS:
                break
    if problems:
        raise ValidationError(problems)


def _refuse_on_pages() -> None:
    if not request.path.startswith("/api/"):  # the API's own hook runs after its bearer token is checked
        refuse_unstorable_input()


def init_app(app: Flask) -> None:
    app.json = StrictJSONProvider(app)
    app.json.ensure_ascii = False
    app.before_request(_refuse_on_pages)
