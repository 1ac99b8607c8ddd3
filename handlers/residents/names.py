"""The names of a person, a registered snapshot or the municipality's choice, handed to the one rule of the
氏名優先区分 (``handlers.rules.names``): the 氏名 as shown on lists and notices (``history.display_name``), the
通称, the 氏名優先区分, and whether the municipality keeps it (option ``name_priority_for_mail``, j190)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.residents.history import display_name
from handlers.rules.names import PersonNames
from handlers.tenants import setting
from models.resident import Resident
from models.tenant import Municipality

OPTION = "name_priority_for_mail"


def names_of(person: Resident) -> PersonNames:
    return PersonNames(display_name(person), person.alias or "", person.name_priority)


def names_of_snapshot(snapshot: Mapping[str, Any], name: str | None = None) -> PersonNames:
    """A registered snapshot's names; ``name``: the 氏名 as the output prints it, else as lists show it."""
    shown = name if name is not None else snapshot_name(snapshot)
    return PersonNames(shown, str(snapshot.get("alias") or ""), snapshot.get("name_priority"))


def snapshot_name(snapshot: Mapping[str, Any]) -> str:
    """A snapshot's 氏名 as lists show it (``history.display_name`` of a snapshot): kanji, else alphabet."""
    kanji = " ".join(str(snapshot[k]) for k in ("family_name", "given_name") if snapshot.get(k))
    return kanji or str(snapshot.get("name_alphabet") or "")


def priority_kept(municipality: Municipality) -> bool:
    """Whether the municipality keeps the 氏名優先区分 (j190), so that it orders the names it shows and mails."""
    return bool(setting(municipality, OPTION))
