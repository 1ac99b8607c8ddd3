"""The head (世帯主) and the order of a household's members (j100, j1010), and the write of a new head."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from sqlalchemy import Table, bindparam, inspect, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from handlers.row_writes import run_prebuilt, stale_row
from handlers.rules.household_order import MemberOrderInfo, order_members
from handlers.rules.relationship import HEAD
from handlers.tenancy import CROSS_TENANT_KEY, check_row_tenant, session_tenant
from models.resident import Household, Resident

__all__ = ["HEAD", "reorder_members", "set_head_from_relations", "settle_household", "write_new_head"]


def set_head_from_relations(household: Household, members: Sequence[Resident]) -> None:
    """The member whose 続柄 is 世帯主 becomes the head; with none, the head stays unset (j100)."""
    heads = [m for m in members if m.relation_to_head == HEAD and m.status != "removed"]
    household.head = heads[0] if heads else None


def settle_household(household: Household, family_of: Mapping[str, str] | None = None) -> None:
    """Head from the members' 続柄 when unset, then the standard order; an empty household is dissolved."""
    members = [m for m in household.members if m.status != "removed"]
    if household.head is None or household.head.status == "removed" or household.head not in members:
        set_head_from_relations(household, members)
    reorder_members(members, family_of)
    if not members:
        household.status = "dissolved"
        household.head = None


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


_HOUSEHOLDS = cast(Table, Household.__table__)
# Built once (its cache key is kept): Core, naming the household's tenant, with the flush's version check.
_SET_HEAD = (
    update(_HOUSEHOLDS)
    .where(
        _HOUSEHOLDS.c.id == bindparam("household"),
        _HOUSEHOLDS.c.tenant_id == bindparam("tenant"),
        _HOUSEHOLDS.c.version == bindparam("version"),
    )
    .values(head_resident_id=bindparam("head"), version=bindparam("version") + 1)
)


def write_new_head(session: Session, household: Household) -> None:
    """Write a head just set on the household with one UPDATE instead of the flush's post-update (which
    costs several times the statement); anything else (no new head, a head not written yet, a session
    not bound to one tenant) is left to the flush."""
    head = household.head
    state = inspect(household)
    if (
        head is None
        or inspect(head).key is None
        or state.key is None
        or not state.attrs.head.history.added
        or session_tenant(session) is None
        or session.info.get(CROSS_TENANT_KEY)
    ):
        return
    check_row_tenant(session, household.tenant_id)
    params = {"household": household.id, "tenant": household.tenant_id, "version": household.version,
              "head": head.id}  # fmt: skip
    if run_prebuilt(session, _SET_HEAD, params).rowcount != 1:
        raise stale_row(_HOUSEHOLDS.name)
    set_committed_value(household, "head_resident_id", head.id)
    set_committed_value(household, "version", household.version + 1)
    set_committed_value(household, "head", head)
    if not any(attribute.history.has_changes() for attribute in state.attrs):
        state._commit_all(state.dict, session.identity_map)  # nothing left for the flush to look at
