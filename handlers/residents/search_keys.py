"""Search keys kept beside each person and household (j330, j340): folded kana, kanji-variant and address keys.

``kana_key``, ``given_kana_key`` and ``name_key`` are columns of the person, ``address_key`` of the household.
The keys the register has no column for — the 旧氏, the フリガナ of 旧氏 and 通称, and the names and addresses a
person had before — are rows of ``resident_search_key``, computed here from a history snapshot
(``current_keys``, ``past_keys``) and written with the history rows (``search_key_rows``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.rules.kana import fold_kana
from handlers.rules.kanji import fold_address, fold_name
from models.resident import Household, Resident

NAME_KEY_SEPARATOR = "|"  # between the kanji name, the alphabet name and the alias in ``name_key``

# the kinds of ``resident_search_key`` rows: the person's current keys without a column of their own …
CURRENT_KINDS = ("former_surname", "former_surname_kana", "alias_kana")
# … and the keys of a former name or address, by the search condition they answer
PAST_KINDS = {
    "kana": "past_kana",
    "given_kana": "past_given_kana",
    "name": "past_name",
    "address": "past_address",
}
NAME_CONDITIONS = (
    "kana",
    "given_kana",
    "name",
)  # a past match on these is a former name, on address an address


def name_search_key(text: str) -> str:
    """fold_name, plus upper case so that alphabet names match whatever the case typed (PostgreSQL's LIKE is
    case-sensitive, SQLite's is not for ASCII)."""
    return fold_name(text).upper()


def _name_key(kanji: str, alphabet: str, alias: str) -> str:
    return NAME_KEY_SEPARATOR.join(name_search_key(part) for part in (kanji, alphabet, alias) if part)


def name_key_of(resident: Resident) -> str:
    """fold_name of the kanji name, then of the alphabet name and the 通称, joined so that a contains match
    finds any of them and a prefix match finds the first."""
    kanji = (resident.family_name or "") + (resident.given_name or "")
    return _name_key(kanji, resident.name_alphabet or "", resident.alias or "")


def refresh_resident_keys(resident: Resident) -> None:
    family = resident.family_name_kana or ""
    given = resident.given_name_kana or ""
    resident.kana_key = fold_kana(family + given)
    resident.given_kana_key = fold_kana(given)
    resident.name_key = name_key_of(resident)


def refresh_household_keys(household: Household) -> None:
    household.address_key = fold_address((household.address or "") + (household.address_katagaki or ""))


def _text(snapshot: Mapping[str, Any], key: str) -> str:
    return str(snapshot.get(key) or "")


def current_keys(snapshot: Mapping[str, Any]) -> frozenset[tuple[str, str]]:
    """(kind, key) of the 旧氏, its フリガナ and the 通称's フリガナ in a snapshot (the person's own columns)."""
    keys = {
        ("former_surname", name_search_key(_text(snapshot, "former_surname"))),
        ("former_surname_kana", fold_kana(_text(snapshot, "former_surname_kana"))),
        ("alias_kana", fold_kana(_text(snapshot, "alias_kana"))),
    }
    return frozenset((kind, key) for kind, key in keys if key)


def state_keys(snapshot: Mapping[str, Any]) -> dict[str, str]:
    """The name and address keys of a snapshot, by search condition, folded as the register's columns are."""
    family, given = _text(snapshot, "family_name_kana"), _text(snapshot, "given_name_kana")
    kanji = _text(snapshot, "family_name") + _text(snapshot, "given_name")
    address = _text(snapshot, "household_address") + _text(snapshot, "household_address_katagaki")
    return {
        "kana": fold_kana(family + given),
        "given_kana": fold_kana(given),
        "name": _name_key(kanji, _text(snapshot, "name_alphabet"), _text(snapshot, "alias")),
        "address": fold_address(address),
    }


def past_keys(before: Mapping[str, Any], after: Mapping[str, Any]) -> frozenset[tuple[str, str]]:
    """(kind, key) of the names and addresses of ``before`` that ``after`` no longer has: a change of name
    (氏名・カナ・通称) or of address (住所・方書) between two snapshots of a person."""
    old, new = state_keys(before), state_keys(after)
    return frozenset((PAST_KINDS[c], old[c]) for c in PAST_KINDS if old[c] and old[c] != new[c])
