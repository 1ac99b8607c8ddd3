"""Reading an uploaded CSV (j1430): the encoding (BOM → UTF-8; else strict UTF-8; else Shift_JIS/cp932), the
rows (a malformed file is refused with its line), and the header (the layout's columns, in order)."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass

from handlers.errors import Problem, ValidationError


@dataclass(frozen=True)
class CsvFile:
    encoding: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, cells)


def _file_problem(reason: str, remedy: str, code: str) -> ValidationError:
    return ValidationError([Problem("file", "CSVファイル", reason, remedy, code)])


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): a UTF-8 BOM wins; then strict UTF-8; then strict cp932 (Shift_JIS)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError as err:
        raise _file_problem(
            f"文字コードを判別できません（{err.start + 1}バイト目）",
            "UTF-8（BOM付き・なし）またはShift_JISで保存したCSVを指定してください",
            "encoding",
        ) from None


def read_csv(data: bytes, expected_header: list[str]) -> CsvFile:
    """The decoded rows after a header equal to ``expected_header``; blank lines skipped."""
    if not data.strip():
        raise _file_problem("ファイルが空です", "データの入ったCSVを指定してください", "empty")
    text, encoding = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        header = [cell.strip() for cell in next(reader)]
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((reader.line_num, cells))
    except csv.Error as err:
        raise _file_problem(
            f"{reader.line_num}行目のCSVの形式が正しくありません（{err}）",
            '引用符（"）の対応や区切りを確認してください',
            "malformed",
        ) from None
    if header != expected_header:
        missing = [c for c in expected_header if c not in header]
        extra = [c for c in header if c not in expected_header]
        detail = "、".join(filter(None, [f"不足：{'・'.join(missing)}" if missing else "",
                                         f"不明：{'・'.join(extra)}" if extra else ""])) or "列の順序が違います"  # fmt: skip
        raise _file_problem(
            f"1行目の見出しが様式と一致しません（{detail}）",
            f"見出しを「{','.join(expected_header)}」にしてください",
            "header",
        )
    for line, cells in rows:
        if len(cells) != len(expected_header):
            raise _file_problem(
                f"{line}行目の列数が{len(cells)}です（様式は{len(expected_header)}列）",
                "区切りのカンマや引用符を確認してください",
                "columns",
            )
    return CsvFile(encoding, header, rows)
