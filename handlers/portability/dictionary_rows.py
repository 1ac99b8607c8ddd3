"""Checks of the rows of the address dictionary (``address_entries``, j250) and the 方書 register
(``katagaki``, j260) as the import reads them, beyond the per-column checks every file gets: the 住所コード's
form and its agreement with the row (a 大字 ends in 000, a 小字 does not), who keeps the row, and — once the
whole file has been read — that every 小字's 大字 is in the file.  The codes are written exactly as they are:
the dictionary's handlers give a new entry the number after the highest taken, so nothing needs resetting."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from handlers.rules.address_codes import is_address_code, koaza_number, oaza_number, oaza_part
from models.address_dictionary import ENTRY_SOURCES
from models.katagaki import KATAGAKI_KINDS


def _code_problems(code: str, koaza: str | None, prefecture_code: str) -> Iterator[tuple[str, str]]:
    if not is_address_code(code):
        yield "address_code", f"住所コード {code} が11桁の数字ではありません"
        return
    if code[:2] != prefecture_code:
        yield "address_code", f"住所コード {code} は取り込み先と別の都道府県（{code[:2]}）のものです"
    if oaza_number(code) == 0:
        yield "address_code", f"住所コード {code} の大字の番号が 000 です"
    if koaza == "" and koaza_number(code) != 0:
        yield "address_code", f"大字の住所コード {code} が 000 で終わっていません（小字・丁目が空です）"
    elif koaza and koaza_number(code) == 0:
        yield "address_code", f"小字・丁目「{koaza}」の住所コード {code} が 000 で終わっています"


@dataclass
class DictionaryChecks:
    """Row checks of both files, and the 小字 → 大字 references checked at the end."""

    prefecture_code: str  # the target municipality's 都道府県 (2 digits)
    codes: set[str] = field(default_factory=set)
    source_keys: set[str] = field(default_factory=set)
    koaza_lines: list[tuple[int, str]] = field(default_factory=list)  # (line, code) of every 小字

    def address_entry(self, values: dict[str, Any], line: int) -> Iterator[tuple[str, str]]:
        code = values["address_code"]
        if code is not None:
            yield from _code_problems(code, values["koaza"], self.prefecture_code)
            self.codes.add(code)
            if is_address_code(code) and koaza_number(code) != 0:
                self.koaza_lines.append((line, code))
        if values["source"] is not None and values["source"] not in ENTRY_SOURCES:
            yield "source", f"管理元 {values['source']} は {' / '.join(ENTRY_SOURCES)} のいずれでもありません"
        source_key = values["source_key"]
        if source_key is not None:
            if source_key in self.source_keys:
                yield "source_key", f"読込元 {source_key} が重複しています"
            self.source_keys.add(source_key)

    def katagaki(self, values: dict[str, Any]) -> Iterator[tuple[str, str]]:
        code = values["address_code"]
        if code is not None and not is_address_code(code):
            yield "address_code", f"住所コード {code} が11桁の数字ではありません"
        if values["kind"] is not None and values["kind"] not in KATAGAKI_KINDS:
            yield "kind", f"種別 {values['kind']} は {' / '.join(KATAGAKI_KINDS)} のいずれでもありません"

    def missing_parents(self) -> Iterator[tuple[int, str, str]]:
        """(line, column, reason) of every 小字 whose 大字 (its first 8 digits + 000) is not in the file."""
        for line, code in self.koaza_lines:
            parent = oaza_part(code) + "000"
            if parent not in self.codes:
                yield (
                    line,
                    "address_code",
                    f"小字・丁目 {code} の大字（住所コード {parent}）が住所辞書ファイルにありません",
                )
