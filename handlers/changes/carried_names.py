"""旧氏・通称 at a 再転入 (j70): a person who moved abroad from this municipality (国外転出) and whose first
arrival from abroad (国外転入等) is back here takes over the 旧氏 (Japanese) or 通称 (foreign) recorded at the
move-out, from the 除票 the clerk chose (``re_move_in_of``).

The carried items join the member's entered items before the intake is checked, so the provisional change
shows them, and an alert asks the reviewer to confirm that this is the first arrival from abroad since that
move-out (a stay in another municipality in between is not in this register).  A clerk may decline with
``carry_over_names: false``; an item entered at intake wins over the 除票's.

Any other 再転入 (a domestic 転入, or a 除票 removed for another reason) carries nothing over: the name items
not entered are cleared, not left silently from the 除票 (a 国内転入's 旧氏 comes from the 転出証明書).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.changes.ex_officio import TRUE_WORDS
from handlers.errors import Problem
from handlers.residents.items import KANA_CONFIRMATIONS
from handlers.residents.parsing import clean_text
from handlers.rules.move_out import ABROAD_REASON
from models.resident import Resident

CARRIED = {
    "japanese": ("former_surname", "former_surname_kana"),
    "foreign": ("alias", "alias_kana", "alias_recorded_date", "alias_recorded_municipality"),
}
NAME_ITEMS = (
    "former_surname", "former_surname_kana", "alias", "alias_kana", "alias_recorded_date",
    "alias_recorded_municipality", "alias_deleted_date", "alias_deleted_municipality",
)  # fmt: skip
CARRIED_LABEL = {"japanese": "旧氏", "foreign": "通称"}


def _declined(member: Mapping[str, Any]) -> bool:
    value = member.get("carry_over_names", True)
    if isinstance(value, bool):
        return not value
    return str(value).strip().lower() not in TRUE_WORDS


def _removed_record(session: Session, atena_number: str) -> Resident | None:
    found = session.scalars(select(Resident).where(Resident.atena_number == atena_number)).first()
    return found if found is not None and found.status == "removed" else None


def _stored(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def carry_over_names(
    session: Session, move_in_kind: Any, index: int, member: Mapping[str, Any], prepared: dict[str, Any]
) -> list[Problem]:
    """Fill ``prepared`` (the member as it will be registered) with the 除票's 旧氏/通称 when the 再転入 is an
    arrival from abroad after a 国外転出 from here; the alert to acknowledge, if any were carried."""
    chosen = str(member.get("re_move_in_of") or "").strip()
    if not chosen:
        return []
    removed = _removed_record(session, chosen)
    kind = str(prepared.get("resident_kind") or "japanese")
    carried: dict[str, Any] = {}
    if (
        removed is not None
        and move_in_kind == "abroad"
        and removed.removal_reason == ABROAD_REASON
        and not _declined(member)
    ):
        for field in CARRIED.get(kind, ()):
            value = getattr(removed, field)
            if clean_text(member.get(field)) is None and value is not None:
                carried[field] = prepared[field] = _stored(value)
    for field in NAME_ITEMS:
        if clean_text(prepared.get(field)) is None:
            prepared[field] = None
    for flag_field, kana in KANA_CONFIRMATIONS.items():  # a carried フリガナ carries its flag
        if kana in carried:
            prepared[flag_field] = bool(getattr(removed, flag_field))
        elif prepared.get(kana) is None:
            prepared[flag_field] = False
    main = CARRIED["japanese"][0] if kind == "japanese" else CARRIED["foreign"][0]
    if main not in carried:
        return []
    label = CARRIED_LABEL[kind]
    return [
        Problem(
            f"members[{index}].re_move_in_of", f"{label}の引継ぎ（{index + 1}人目）",
            f"国外転出時（除票 宛名番号{chosen}）の{label}「{carried[main]}」を引き継ぎます",
            f"国外転出後最初の国外からの転入であることを確認してください（引き継がない場合は{label}を引き継がない"
            "を選択してください）", "former_names_carried_over", "alert",
        )
    ]  # fmt: skip
