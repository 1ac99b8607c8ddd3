"""The head (世帯主) and the order of a household's members (j100, j1010)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from handlers.rules.household_order import MemberOrderInfo, order_members
from handlers.rules.relationship import HEAD
from models.resident import Household, Resident

__all__ = ["HEAD", "reorder_members", "set_head_from_relations"]


def set_head_from_relations(household: Household, members: Sequence[Resident]) -> None:
    """The member whose 続柄 is 世帯主 becomes the head; with none, the head stays unset (j100)."""
    heads = [m for m in members if m.relation_to_head == HEAD and m.status != "removed"]
    household.head = heads[0] if heads else None


def reorder_members(members: Sequence[Resident], family_of: Mapping[str, str] | None = None) -> None:
    """Number the members 1, 2, 3 … in the standard's household order.

    ``family_of`` (宛名番号 → 宛名番号 of the member whose family the person is in) places a child's family.
    The index is keyed by 宛名番号 of the returned MemberOrderInfo objects; a member not yet flushed (no
    household_order yet) counts as order 0 instead of breaking the tie-break.
    """
    families = family_of or {}
    infos = [
        MemberOrderInfo(
            atena_number=m.atena_number,
            relation_to_head=m.relation_to_head,
            birth_date=m.birth_date,
            current_order=m.household_order or 0,
            family_of=families.get(m.atena_number),
        )
        for m in members
    ]
    ordered = order_members(infos)
    position = {info.atena_number: index for index, info in enumerate(ordered, start=1)}
    for member in members:
        member.household_order = position[member.atena_number]
