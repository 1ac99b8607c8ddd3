"""Writing and reading the layout's files: CSV (RFC 4180: CRLF, quotes doubled, a header row) and JSON Lines
(one object per line, keys in column order, LF).  Writers count rows and hash the bytes as they go."""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from handlers.portability.codec import (
    BadValueError,
    from_csv_field,
    from_jsonl_value,
    parse_json,
    to_csv_field,
    to_jsonl_value,
)
from handlers.portability.copytext import FastRow
from handlers.portability.layout import NULL_MARKER, FileSpec


class _HashingSink:
    """A text sink for csv.writer: encodes to UTF-8, hashes and writes."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        self.digest.update(data)
        self.handle.write(data)
        return len(text)


class RowWriter:
    def __init__(self, handle: BinaryIO, spec: FileSpec) -> None:
        self.sink = _HashingSink(handle)
        self.spec = spec
        self.kinds = tuple(c.kind for c in spec.columns)
        self.names = spec.column_names
        self.rows = 0

    @property
    def sha256(self) -> str:
        return self.sink.digest.hexdigest()

    def write(self, values: dict[str, Any]) -> None:
        raise NotImplementedError


class CsvRowWriter(RowWriter):
    def __init__(self, handle: BinaryIO, spec: FileSpec) -> None:
        super().__init__(handle, spec)
        self.csv = csv.writer(self.sink, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        self.csv.writerow(self.names)

    def write(self, values: dict[str, Any]) -> None:
        self.csv.writerow([to_csv_field(k, values[n]) for k, n in zip(self.kinds, self.names, strict=True)])
        self.rows += 1


class JsonlRowWriter(RowWriter):
    def write(self, values: dict[str, Any]) -> None:
        row = {n: to_jsonl_value(k, values[n]) for k, n in zip(self.kinds, self.names, strict=True)}
        self.sink.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.rows += 1


@contextmanager
def open_writer(fmt: str, handle: BinaryIO, spec: FileSpec) -> Iterator[RowWriter]:
    yield (CsvRowWriter if fmt == "csv" else JsonlRowWriter)(handle, spec)


# --- reading ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldError:
    line: int
    column: str  # column name, or "" for the whole row
    reason: str  # Japanese


@dataclass
class ReadRow:
    line: int
    values: dict[str, Any]
    errors: list[FieldError]
    raw: list[str] | None = None  # the CSV record's fields as written (JSON text passed on as it is)
    copy: str | None = None  # set by the fast path (copytext.FastRows): every column check passed, ``values``
    # holds the linked columns only and this the plain columns as COPY text


FastReader = Callable[[list[str]], FastRow | None]


@dataclass
class RecordCount:
    """Data records read so far (CSV records after the header, or JSON lines), -1 once the file proves
    unreadable (bad UTF-8, broken CSV quoting, or an empty CSV file without a header)."""

    records: int = 0


def _decode(spec: FileSpec, line: int, raw: dict[str, Any], decode: Any) -> ReadRow:
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for column in spec.columns:
        try:
            values[column.name] = decode(column.kind, raw[column.name])
        except BadValueError as exc:
            errors.append(FieldError(line, column.name, str(exc)))
            values[column.name] = None
    return ReadRow(line, values, errors)


def _decode_csv(columns: list[tuple[str, str]], line: int, raw: list[str]) -> ReadRow:
    """``from_csv_field`` for every field, with nulls and plain text (most fields) decoded inline."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for (name, kind), text in zip(columns, raw, strict=True):
        if text == NULL_MARKER:
            values[name] = None
        elif kind == "text":
            values[name] = text[1:] if text[:1] == "\\" else text
        else:
            try:
                values[name] = from_csv_field(kind, text)
            except BadValueError as exc:
                errors.append(FieldError(line, name, str(exc)))
                values[name] = None
    return ReadRow(line, values, errors, raw)


def split_plain_record(text: str, limit: int) -> list[str] | None:
    """The fields of one physical CSV line as ``csv.reader(strict=True)`` reads it, for the lines the export
    writes for nearly every record: ending in CRLF, no quote at all, or one quoted field (the JSON snapshot)
    whose every inner quote is doubled.  None for any other line (an empty one, a NUL, a field that may pass
    ``limit``, several quoted fields, a quote inside an unquoted field, a record spanning lines …): the caller
    lets the csv module read that record.  The csv module spends ~6 ns per character on the doubled quotes
    of a 3 kB snapshot; these are a handful of C-speed string scans."""
    if not text.endswith("\r\n"):
        return None
    body = text[:-2]  # the file is read with newline="": a line ends at the first \r or \n, so body has none
    if not body or len(body) > limit or "\0" in body:
        return None
    first = body.find('"')
    if first < 0:
        return body.split(",")
    last = body.rfind('"')
    if (
        first == last
        or (first and body[first - 1] != ",")
        or (last + 1 < len(body) and body[last + 1] != ",")
    ):
        return None
    inner = body[first + 1 : last]
    field = inner.replace('""', '"')
    if inner.count('"') != 2 * field.count('"'):
        return None  # a quote not doubled: the quoted field would end inside (or the line is malformed)
    head = body[: first - 1].split(",") if first else []
    return [*head, field, *(body[last + 2 :].split(",") if last + 1 < len(body) else ())]


def csv_records(handle: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """(line where it starts, fields) of every record of a CSV file opened with ``newline=""``, exactly as
    ``csv.reader(handle, strict=True)`` gives them (``csv.Error`` where it raises): ``split_plain_record``
    for a plain line, the csv module for any other record (which may take the following lines)."""
    lines = iter(handle)
    limit = csv.field_size_limit()
    read = 0  # physical lines read so far
    for text in lines:
        fields = split_plain_record(text, limit)
        if fields is None:
            reader = csv.reader(itertools.chain((text,), lines), strict=True)
            fields = next(reader)
            yield read + 1, fields
            read += reader.line_num
            continue
        read += 1
        yield read, fields


def _read_csv(path: Path, spec: FileSpec, count: RecordCount, fast: FastReader | None) -> Iterator[ReadRow]:
    with path.open("r", encoding="utf-8", newline="") as handle:
        records = csv_records(handle)
        header = next(records, (1, None))[1]
        count.records = -1 if header is None else 0
        if header != list(spec.column_names):
            yield ReadRow(1, {}, [FieldError(1, "", "見出し行の列名・列順が定義と一致しません")])
            for _ in records:
                count.records += 1
            return
        columns = [(c.name, c.kind) for c in spec.columns]
        width = len(header)
        for line, raw in records:  # a quoted field may span lines: ``line`` is where the record starts
            count.records += 1
            quick = fast(raw) if fast is not None else None
            if quick is not None:
                yield ReadRow(line, quick.values, [], raw, quick.copy)
            elif len(raw) != width:
                reason = f"列の数が {len(raw)} です（定義は {width} 列）"
                yield ReadRow(line, {}, [FieldError(line, "", reason)])
            else:
                yield _decode_csv(columns, line, raw)


def _read_jsonl(
    path: Path, spec: FileSpec, count: RecordCount, _fast: FastReader | None
) -> Iterator[ReadRow]:
    with path.open("r", encoding="utf-8", newline="\n") as handle:
        for line, text in enumerate(handle, start=1):
            count.records += 1
            try:
                raw = parse_json(text)
            except ValueError:
                yield ReadRow(line, {}, [FieldError(line, "", "JSON として読めない行です")])
                continue
            if not isinstance(raw, dict) or list(raw) != list(spec.column_names):
                yield ReadRow(line, {}, [FieldError(line, "", "項目名・項目順が定義と一致しません")])
                continue
            yield _decode(spec, line, raw, from_jsonl_value)


def read_rows(
    path: Path, spec: FileSpec, fmt: str, count: RecordCount | None = None, fast: FastReader | None = None
) -> Iterator[ReadRow]:
    """Every data row of the file with its line number (the CSV header is line 1) and decoding errors;
    ``count`` is kept equal to the number of data records read (see ``RecordCount``).  ``fast`` (CSV only)
    is tried on each record first; a record it returns None for is decoded as usual."""
    count = count if count is not None else RecordCount()
    try:
        yield from (_read_csv if fmt == "csv" else _read_jsonl)(path, spec, count, fast)
    except (UnicodeDecodeError, csv.Error) as exc:
        count.records = -1
        yield ReadRow(0, {}, [FieldError(0, "", f"ファイルを読めません（{type(exc).__name__}）")])


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
