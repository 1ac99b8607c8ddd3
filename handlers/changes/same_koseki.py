"""世帯内の同じ本籍・筆頭者の一括修正 (j510): when a correction changes only a person's 本籍 and/or 筆頭者 and the
intake asks so (``same_koseki_household``), the same new values — the first person's correction, quoted — are
applied in the same case to every other member of the household who has the same 本籍 and 筆頭者 today (the
members of one 戸籍).  The members are resolved at intake and kept in the proposal (``same_koseki_members``),
so the reviewer sees who is changed, and each is locked with the case.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.errors import Problem
from handlers.rules.kanji import fold_address
from models.resident import Resident

KOSEKI_KEYS = frozenset({"honseki", "hittosha"})
FIELD = "same_koseki_household"
ITEM = "同じ本籍・筆頭者の世帯員の一括修正"


def koseki_key(person: Resident) -> tuple[str, str]:
    """本籍 and 筆頭者 compared as the same 戸籍: 二丁目 = 2丁目, spaces (全角・半角) ignored."""
    hittosha = "".join((person.hittosha or "").split())
    return fold_address(person.honseki or ""), hittosha


def sharing_members(person: Resident) -> list[Resident]:
    """The other current members of the person's household with the same 本籍 and 筆頭者, in household order."""
    key = koseki_key(person)
    if not key[0]:
        return []
    return [
        member
        for member in person.household.members
        if member is not person and member.status == "resident" and koseki_key(member) == key
    ]


def _problem(reason: str, remedy: str, code: str) -> Problem:
    return Problem(FIELD, ITEM, reason, remedy, code)


def same_koseki_members(
    person: Resident, intake: Mapping[str, Any], changes: Mapping[str, Any]
) -> tuple[list[Resident], list[Problem]]:
    """(the members the correction is quoted to, problems) for an intake that asks for it; nothing otherwise."""
    if not intake.get(FIELD):
        return [], []
    if not changes or set(changes) - KOSEKI_KEYS or intake.get("household_changes"):
        return [], [_problem("本籍・筆頭者以外の修正と一緒にはできません",
                             "本籍・筆頭者だけを修正するか、一括修正の指定を外してください", "same_koseki_other_items")]  # fmt: skip
    members = sharing_members(person)
    if not members:
        return [], [_problem("同じ本籍・筆頭者の世帯員がいません",
                             "一括修正の指定を外してください", "no_same_koseki_members")]  # fmt: skip
    return members, []


def _shown(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def describe_correction(
    people: Mapping[str, Any],  # 宛名番号 → the person (or "" → the household)
    changes: Mapping[str, Any],
    labels: Mapping[str, str],
    hidden: set[str],
) -> list[dict[str, Any]]:
    """The review's difference of a correction: each person changed (the one entered, then the members the
    correction is quoted to) with the register's value and the new one; hidden items (j1390) masked."""
    rows: list[dict[str, Any]] = []
    for number, person in people.items():
        for field, after in changes.items():
            before = _shown(getattr(person, field, None)) if person is not None else None
            if field not in labels or before == after or (before is None and after in ("", None)):
                continue
            shown = ("（非表示）", "（非表示）") if field in hidden else (before, after)
            rows.append({"subject": f"resident:{number}", "field": field, "label": labels[field],
                         "before": shown[0], "after": shown[1]})  # fmt: skip
    return rows
