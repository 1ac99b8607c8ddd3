"""The head (世帯主) and the order of a household's members (j100, j1010)."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.rules.household_order import MemberOrderInfo, order_members
from handlers.rules.relationship import HEAD
from models.resident import Household, Resident

__all__ = ["HEAD", "reorder_members", "set_head_from_relations"]


def set_head_from_relations(household: Household, members: Sequence[Resident]) -> None:
    """The member whose 続柄 is 世帯主 becomes the head; with none, the head stays unset (j100)."""
    heads = [m for m in members if m.relation_to_head == HEAD and m.status != "removed"]
    household.head = heads[0] if heads else None


def reorder_members(members: Sequence[Resident]) -> None:
    """Number the members 1, 2, 3 … in the standard's household order."""
    infos = [
        MemberOrderInfo(
            atena_number=m.atena_number,
            relation_to_head=m.relation_to_head,
            birth_date=m.birth_date,
            current_order=m.household_order,
        )
        for m in members
    ]
    position = {info.atena_number: index for index, info in enumerate(order_members(infos), start=1)}
    for member in members:
        member.household_order = position[member.atena_number]
