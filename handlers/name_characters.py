"""文字コード照会 (j370): each character of a person's names with its MJ文字図形名, code point and IVS, for the
character-code screen (enlarged glyphs in IPAmj明朝).  Passes the 照会 decision and is logged like a view."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.audit import record_access
from handlers.characters import MJInfo, mj_info, split_characters, to_network_charset
from handlers.permissions import require
from handlers.residents.lookup import find_resident
from handlers.residents.protection import check_inquiry
from handlers.uow import UnitOfWork

NAME_FIELDS = (("family_name", "氏"), ("given_name", "名"), ("former_surname", "旧氏"), ("alias", "通称"))


@dataclass(frozen=True)
class NameCharacter:
    char: str  # as stored, with its variation selector
    code_points: str  # U+845B U+E0102
    mj: MJInfo | None  # None: not in the MJ table (e.g. an IVS of another collection)


@dataclass(frozen=True)
class NameField:
    label: str
    value: str
    characters: tuple[NameCharacter, ...]
    network_form: str  # 住基ネット向けの近似形
    unmapped: tuple[str, ...]


def describe_characters(text: str) -> tuple[NameCharacter, ...]:
    return tuple(
        NameCharacter(char, " ".join(f"U+{ord(c):04X}" for c in char), mj_info(char))
        for char in split_characters(text)
        if not char.isspace()
    )


def view_name_characters(uow: UnitOfWork, atena_number: str) -> dict[str, object]:
    require(uow.actor, "resident.view")
    resident = find_resident(uow.session, atena_number)
    check_inquiry(uow, atena_number)
    fields = []
    for attribute, label in NAME_FIELDS:
        value = getattr(resident, attribute)
        if value:
            network = to_network_charset(value)
            fields.append(NameField(label, value, describe_characters(value), network.text, network.unmapped))
    record_access(uow, "resident_characters_viewed", "view", [atena_number])
    return {"atena_number": atena_number, "fields": fields}
