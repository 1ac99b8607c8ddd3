"""PostgreSQL ``COPY`` text for the import's rows, straight from the CSV fields where they already are.

The CSV layout writes a null as ``\\N`` and a text that starts with a backslash with one more backslash in
front: a field without any other backslash, tab or line break means the same in both formats.  ``FastRows``
checks a record's raw fields at C speed (joins, counts, one regular expression per column kind, ``map``
over the dates) and, when every column passes every per-column check of the validator, returns the row's
plain columns as one ``COPY`` text fragment plus the few decoded values the import still needs (keys,
references, logins, the snapshot).  Any record it is not sure of returns ``None`` and takes the ordinary
path (decode every field, check, report), so problems and their messages are exactly those of that path.

``copy_field`` is the ordinary path's encoder: a decoded Python value as one ``COPY`` text field.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import orjson

from handlers.portability.layout import CHECK_DIGIT_COLUMNS, NULL_MARKER, Column, FileSpec
from handlers.rules.check_digit import m11w27_valid

# files whose checks need every value (the chain, the dictionary's codes): small, the ordinary path
WHOLE_ROW_FILES = ("access_log", "address_entries", "katagaki")
RAW_SNAPSHOT = ("resident_history", "snapshot")  # the one JSON column taken on the fast path (its ids added)
_INT = r"(?:0|-?[1-9][0-9]*)"  # as str(int(text)) writes it (a leading zero takes the ordinary path)
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_STAMP = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}\+00:00"  # the layout's form
_FORMS = {"int": _INT, "bool": "true|false", "date": _DATE, "datetime": _STAMP}


def _field_form(column: Column) -> str:
    """A regular expression of the raw field the column check passes (the calendar aside): the kind's form,
    a text's length limit in characters, or the null where the column may be null."""
    if column.kind == "text":
        form = f"[^\t]{{0,{column.max_length}}}" if column.max_length else "[^\t]*"
    else:
        form = _FORMS[column.kind]
    return f"(?:\\\\N|{form})" if column.nullable else f"(?:{form})"


def escape(text: str) -> str:
    """A text value as a ``COPY`` text field."""
    if "\\" not in text and "\t" not in text and "\n" not in text and "\r" not in text:
        return text  # (four scans of a long snapshot are far cheaper than one regular-expression search)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_field(value: Any) -> str:
    """A decoded value (as the ordinary path hands it to the database) as one ``COPY`` text field."""
    if value is None:
        return NULL_MARKER
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return escape(json.dumps(value, ensure_ascii=False))  # the database's JSON text
    raise TypeError(f"no COPY text for {type(value).__name__}")


def _picker(indices: Sequence[int]) -> Callable[[Sequence[str]], tuple[str, ...]]:
    """``itemgetter`` that always returns a tuple (also for zero or one index)."""
    if not indices:
        return lambda _raw: ()
    if len(indices) == 1:
        only = indices[0]
        return lambda raw: (raw[only],)
    return itemgetter(*indices)


@dataclass
class FastRow:
    values: dict[str, Any]  # decoded: the columns the import links or checks across files (see FastRows)
    copy: str  # the plain (non-reference) columns as COPY text, tab-separated, in FastRows.copy_names order


class FastRows:
    """The fast path of one file (see the module docstring); ``for_spec`` is None when a file has columns
    it does not handle (JSON documents other than the snapshot)."""

    def __init__(self, spec: FileSpec, logins: set[str]) -> None:
        columns = spec.columns
        index = {c.name: i for i, c in enumerate(columns)}
        snapshot = index["snapshot"] if (spec.name, "snapshot") == RAW_SNAPSHOT else None
        self.width, self.logins, self.snapshot = len(columns), logins, snapshot
        plain = [i for i, c in enumerate(columns) if c.reference is None and i != snapshot]
        self.copy_names = tuple(columns[i].name for i in plain)
        self.plain = _picker(plain)
        self.fields = _picker([i for i in range(len(columns)) if i != snapshot])
        self.required = _picker([i for i, c in enumerate(columns) if not c.nullable])
        # every field but the snapshot, tab-joined, in one match: kinds, lengths, nulls where allowed
        self.shape = re.compile("\t".join(_field_form(c) for i, c in enumerate(columns) if i != snapshot))
        self.check_digits = tuple(index[n] for n in index if (spec.name, n) in CHECK_DIGIT_COLUMNS)
        self.login_columns = _picker([i for i, c in enumerate(columns) if c.reference == "users.login_id"])
        self.dates = _picker([i for i, c in enumerate(columns) if c.kind == "date" and i != snapshot])
        self.stamps = _picker([i for i, c in enumerate(columns) if c.kind == "datetime" and i != snapshot])
        linked = {c.name for c in columns if c.reference is not None} | set(spec.key)
        linked |= {"atena_number", "household_number"} & set(index)
        self.linked = tuple((name, index[name], columns[index[name]].kind) for name in sorted(linked))

    @classmethod
    def for_spec(cls, spec: FileSpec, logins: set[str]) -> FastRows | None:
        handled = ("text", "int", "bool", "date", "datetime")
        if spec.name in WHOLE_ROW_FILES or any(
            c.kind not in handled and (spec.name, c.name) != RAW_SNAPSHOT for c in spec.columns
        ):
            return None  # checks that need every value; JSON documents are re-serialised (ordinary path)
        return cls(spec, logins)

    def read(self, raw: list[str]) -> FastRow | None:
        """The row, when every per-column check passes on the raw fields; None: take the ordinary path."""
        if len(raw) != self.width:
            return None
        fields = self.fields(raw)
        joined = "\t".join(fields)
        if (joined.count("\\") != fields.count(NULL_MARKER) or joined.count("\t") != self.width - 1
                - (self.snapshot is not None) or "\n" in joined or "\r" in joined):  # fmt: skip
            return None  # a backslash other than a null, or a tab / line break inside a field
        if not self._columns_pass(raw, joined):
            return None
        values = {name: _decoded(kind, raw[i]) for name, i, kind in self.linked}
        if self.snapshot is not None:
            try:  # orjson alone: what only the json module reads (NaN, huge integers) goes the ordinary way
                snapshot = orjson.loads(raw[self.snapshot])
            except orjson.JSONDecodeError:
                return None
            if not isinstance(snapshot, dict):
                return None
            values["snapshot"] = snapshot
        return FastRow(values, "\t".join(self.plain(raw)))

    def _columns_pass(self, raw: list[str], joined: str) -> bool:
        if NULL_MARKER in self.required(raw) or self.shape.fullmatch(joined) is None:
            return False
        try:  # the forms matched: only the calendar is left to check
            list(map(dt.date.fromisoformat, filter(NULL_MARKER.__ne__, self.dates(raw))))
            list(map(dt.datetime.fromisoformat, filter(NULL_MARKER.__ne__, self.stamps(raw))))
        except ValueError:
            return False
        for i in self.check_digits:
            if raw[i] and raw[i] != NULL_MARKER and not m11w27_valid(raw[i]):
                return False
        return all(login == NULL_MARKER or login in self.logins for login in self.login_columns(raw))


def _decoded(kind: str, text: str) -> Any:
    """A field that passed ``FastRows.read``'s checks, decoded as ``from_csv_field`` would."""
    if text == NULL_MARKER:
        return None
    if kind == "int":
        return int(text)
    if kind == "bool":
        return text == "true"
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "datetime":
        return dt.datetime.fromisoformat(text).astimezone(dt.UTC)
    return text
