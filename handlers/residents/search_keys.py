"""Search keys kept beside each person and household (j330): folded kana, kanji-variant and address keys."""

from __future__ import annotations

from handlers.rules.kana import fold_kana
from handlers.rules.kanji import fold_address, fold_name
from models.resident import Household, Resident

NAME_KEY_SEPARATOR = "|"  # between the kanji name, the alphabet name and the alias in ``name_key``


def name_search_key(text: str) -> str:
    """fold_name, plus upper case so that alphabet names match whatever the case typed (PostgreSQL's LIKE is
    case-sensitive, SQLite's is not for ASCII)."""
    return fold_name(text).upper()


def name_key_of(resident: Resident) -> str:
    """fold_name of the kanji name, then of the alphabet name and the 通称, joined so that a contains match
    finds any of them and a prefix match finds the first."""
    kanji = (resident.family_name or "") + (resident.given_name or "")
    parts = [kanji, resident.name_alphabet or "", resident.alias or ""]
    return NAME_KEY_SEPARATOR.join(name_search_key(part) for part in parts if part)


def refresh_resident_keys(resident: Resident) -> None:
    family = resident.family_name_kana or ""
    given = resident.given_name_kana or ""
    resident.kana_key = fold_kana(family + given)
    resident.given_kana_key = fold_kana(given)
    resident.name_key = name_key_of(resident)


def refresh_household_keys(household: Household) -> None:
    household.address_key = fold_address((household.address or "") + (household.address_katagaki or ""))
