"""Extraction outputs (j1360): CSV (UTF-8 with BOM, or Shift_JIS), XML, address labels as PDF, or a count.

Writers take rows chunk by chunk and spool to a temporary file, so a large list never sits in memory as text.
Characters Shift_JIS (cp932) cannot hold are written as 〓 (ゲタ) and counted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from handlers.extraction.source import OUTPUT_COLUMNS

OUTPUTS = {
    "count": "件数のみ",
    "csv_utf8": "CSV（UTF-8 BOM付き）",
    "csv_sjis": "CSV（Shift_JIS）",
    "xml": "XML",
    "labels_pdf": "宛名シール（PDF）",
}
MEDIA_TYPES = {
    "csv_utf8": ("text/csv; charset=utf-8", "csv"),
    "csv_sjis": ("text/csv; charset=shift_jis", "csv"),
    "xml": ("application/xml", "xml"),
    "labels_pdf": ("application/pdf", "pdf"),
}
GETA = "〓"
SEXES = {"1": "男", "2": "女"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _cells(row: dict[str, Any]) -> list[str]:
    return [
        SEXES.get(row["sex"], _text(row["sex"])) if key == "sex" else _text(row[key])
        for key, _ in OUTPUT_COLUMNS
    ]


class Writer:
    """Base: ``write(rows)`` per chunk, then ``finish()`` → bytes."""

    def __init__(self) -> None:
        self.rows = 0
        self.replaced = 0
        self._file = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed in finish()

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        raise NotImplementedError

    def finish(self) -> bytes:
        self._file.seek(0)
        data = self._file.read()
        self._file.close()
        return data


class CountWriter(Writer):
    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        self.rows += sum(1 for _ in rows)

    def finish(self) -> bytes:
        self._file.close()
        return b""


class CsvWriter(Writer):
    def __init__(self, encoding: str) -> None:
        super().__init__()
        self.encoding = encoding
        if encoding == "utf-8":
            self._file.write("\ufeff".encode())
        self._emit([label for _, label in OUTPUT_COLUMNS])

    def _encode(self, text: str) -> bytes:
        if self.encoding == "utf-8":
            return text.encode("utf-8")
        try:
            return text.encode("cp932")
        except UnicodeEncodeError:
            out = []
            for ch in text:
                try:
                    out.append(ch.encode("cp932"))
                except UnicodeEncodeError:
                    self.replaced += 1
                    out.append(GETA.encode("cp932"))
            return b"".join(out)

    def _emit(self, cells: list[str]) -> None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(cells)
        self._file.write(self._encode(buffer.getvalue()))

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self._emit(_cells(row))
            self.rows += 1


class XmlWriter(Writer):
    def __init__(self) -> None:
        super().__init__()
        self._file.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<extraction>\n')

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        parts = []
        for row in rows:
            items = "".join(
                f"<item name={quoteattr(key)} label={quoteattr(label)}>{escape(cell)}</item>"
                for (key, label), cell in zip(OUTPUT_COLUMNS, _cells(row), strict=True)
            )
            parts.append(f"  <person>{items}</person>\n")
            self.rows += 1
        self._file.write("".join(parts).encode("utf-8"))

    def finish(self) -> bytes:
        self._file.write(b"</extraction>\n")
        return super().finish()


class LabelWriter(Writer):
    """Address labels (宛名シール): 〒, 住所, 方書, 氏名 様, 3 × 8 per A4 page, in the certificates' typeface."""

    def __init__(self) -> None:
        super().__init__()
        self._labels: list[dict[str, str]] = []

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            postal = _text(row["postal_code"])
            self._labels.append({
                "postal": f"〒{postal[:3]}-{postal[3:]}" if len(postal) == 7 else postal,
                "address": _text(row["address"]), "katagaki": _text(row["address_katagaki"]),
                "name": _text(row["name"]),
            })  # fmt: skip
            self.rows += 1

    def finish(self) -> bytes:
        from handlers.extraction.labels import render_labels

        self._file.close()
        return render_labels(self._labels)


def writer_for(output: str) -> Writer:
    writers = {
        "count": CountWriter, "csv_utf8": lambda: CsvWriter("utf-8"), "csv_sjis": lambda: CsvWriter("cp932"),
        "xml": XmlWriter, "labels_pdf": LabelWriter,
    }  # fmt: skip
    return writers[output]()
