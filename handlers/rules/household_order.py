"""The order of household members on a 世帯連記式 copy (j1010, 5.2 世帯員の並び順).

Group 1: 世帯主, the spouse, the head's children without a family in the household (birth date, then 宛名番号).
Group 2: each head's child whose own family lives in the household, followed by that family (the child's spouse,
         then the child's children); families are ordered by the child's birth date, then 宛名番号.
Group 3: the head's parents (父 before 母), siblings (birth date), grandparents (父の父, 父の母, 母の父, 母の母).
Group 4: other relatives (the spouse's parents, siblings and grandparents first, as in group 3; then any other
         relative by birth date), then 縁故者, then 同居人, each by birth date then 宛名番号.

Which family a member belongs to cannot be read from 続柄 alone when the head has several children; the caller
passes it as ``family_of`` (the 宛名番号 of the head's child, or of the relative, whose family the member is in).
A 子の妻 / 子の子 without ``family_of`` goes to group 2 after the families that are known.  A member's own
family always follows the member, wherever the member stands (the relatives' families of group 4, too).

Simplification: the standard puts the 筆頭者 first among parents and grandparents; without 戸籍 data at hand we
put the man first (父 before 母, 父の父 before 父の母), which matches the usual 筆頭者.  Unknown birth dates sort
after known ones.  ``current_order`` breaks any remaining tie.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from handlers.rules.relationship import (
    HEAD,
    LODGER,
    OTHER_RELATIVE,
    normalize_relationship,
    relationship_links,
)

SPOUSES = ("夫", "妻", "夫（未届）", "妻（未届）")
CHILD_SPOUSES_BY_ADOPTION = ("子（子の夫）", "子（子の妻）")
SIBLINGS = ("兄", "姉", "弟", "妹")
PARENTS = ("父", "母")
GRANDPARENTS = (("父", "父"), ("父", "母"), ("母", "父"), ("母", "母"))


@dataclass(frozen=True)
class MemberOrderInfo:
    atena_number: str
    relation_to_head: str
    birth_date: dt.date | None
    current_order: int
    family_of: str | None = None  # 宛名番号 of the member whose family this member belongs to


SortKey = tuple[object, ...]


def _tail(member: MemberOrderInfo) -> SortKey:
    birth = member.birth_date
    return (birth is None, birth or dt.date.min, member.atena_number, member.current_order)


def _links(member: MemberOrderInfo) -> tuple[str, ...]:
    relation = normalize_relationship(member.relation_to_head)
    return relationship_links(relation) or (relation,)


def _is_child_family(links: tuple[str, ...]) -> bool:
    """子の妻, 子の子, 子（子の妻）, 子の子の夫 … — anyone of a head's child's family except the child."""
    return links[0] in CHILD_SPOUSES_BY_ADOPTION or (links[0] == "子" and len(links) >= 2)


def _relative_rank(links: tuple[str, ...]) -> tuple[int, int]:
    """Rank within group 3 (and, for the spouse's side, within group 4): parents, siblings, grandparents."""
    if len(links) == 1 and links[0] in PARENTS:
        return 0, PARENTS.index(links[0])
    if len(links) == 1 and links[0] in SIBLINGS:
        return 1, 0
    if links in GRANDPARENTS:
        return 2, GRANDPARENTS.index(links)
    return 3, 0


def _group(member: MemberOrderInfo, has_family: bool) -> SortKey:
    relation = normalize_relationship(member.relation_to_head)
    links = _links(member)
    if relation == HEAD:
        return (1, 0)
    if relation in SPOUSES:
        return (1, 1)
    if relation == "子":
        return (2, 0) if has_family else (1, 2)
    if _is_child_family(links):
        return (
            2,
            1,
            *_family_key(member, ("子",))[:2],
        )  # family of an unknown child: after the known families
    if relation in (OTHER_RELATIVE, LODGER):
        return (4, 2 if relation == OTHER_RELATIVE else 3)
    if relationship_links(relation) is None:
        return (5, 0)  # not a standard relationship: keep it last, in its current order
    rank = _relative_rank(links)
    if rank[0] < 3:
        return (3, *rank)
    if links[0] in SPOUSES:
        return (4, 0, *_relative_rank(links[1:]))
    return (4, 1)


def _family_key(member: MemberOrderInfo, anchor_links: tuple[str, ...]) -> SortKey:
    """Within a family: generation (the anchor's is 0), a spouse right after the person married, then birth."""
    links = _links(member)
    if links[0] in CHILD_SPOUSES_BY_ADOPTION:
        links = ("子", links[0][-2])  # 子（子の妻） stands as the spouse of a head's child
    if normalize_relationship(member.relation_to_head) in (OTHER_RELATIVE, LODGER):
        return (99, 0, *_tail(member))
    spouse = links[-1] in SPOUSES
    generation = len(links) - len(anchor_links) - (1 if spouse else 0)
    return (generation, spouse, *_tail(member))


def order_members(members: Sequence[MemberOrderInfo]) -> list[MemberOrderInfo]:
    """The members in the standard's household order (j1010)."""
    by_atena = {m.atena_number: m for m in members}
    families: dict[str, list[MemberOrderInfo]] = {}
    for member in members:
        anchor = member.family_of
        if anchor is not None and anchor in by_atena and anchor != member.atena_number:
            families.setdefault(anchor, []).append(member)
    in_a_family = {m.atena_number for family in families.values() for m in family}
    leaders = [m for m in members if m.atena_number not in in_a_family or _in_cycle(m, by_atena)]
    leaders.sort(key=lambda m: (*_group(m, m.atena_number in families), *_tail(m)))
    ordered: list[MemberOrderInfo] = []
    seen: set[str] = set()
    for leader in leaders:
        _emit_with_family(leader, families, ordered, seen)
    return ordered


def _in_cycle(member: MemberOrderInfo, by_atena: dict[str, MemberOrderInfo]) -> bool:
    """True when following family_of from ``member`` comes back to it (bad data must not lose anyone)."""
    current, steps = member.family_of, 0
    while current is not None and current in by_atena and steps <= len(by_atena):
        if current == member.atena_number:
            return True
        current, steps = by_atena[current].family_of, steps + 1
    return False


def _emit_with_family(
    member: MemberOrderInfo,
    families: dict[str, list[MemberOrderInfo]],
    ordered: list[MemberOrderInfo],
    seen: set[str],
) -> None:
    if member.atena_number in seen:
        return
    seen.add(member.atena_number)
    ordered.append(member)
    anchor_links = _links(member)
    for relative in sorted(families.get(member.atena_number, []), key=lambda m: _family_key(m, anchor_links)):
        _emit_with_family(relative, families, ordered, seen)
