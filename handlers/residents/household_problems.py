"""Problems in the 続柄 given for a household change (j470, j490, j720): an unknown or missing 続柄, a second
世帯主, a removed person or one already in the target household among the movers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from handlers.errors import Problem
from handlers.residents.household_members import HEAD
from handlers.rules.relationship import normalize_relationship, relationship_problem
from models.resident import Household, Resident


def relation_problems(relations: Mapping[str, str], needed: Sequence[str]) -> list[Problem]:
    problems = []
    for atena in needed:
        found = relationship_problem(str(relations.get(atena) or ""), field=f"relations.{atena}")
        if found is not None:
            problems.append(
                Problem(
                    found.field, f"{found.item}（宛名番号{atena}）", found.reason, found.remedy, found.code
                )
            )
    return problems


def head_problem(field: str) -> Problem:
    return Problem(
        field,
        "世帯主との続柄",
        "この世帯には既に世帯主がいます",
        "世帯主の変更は世帯主変更の届出で行ってください",
        "duplicate_head",
    )


def mover_problems(
    movers: Sequence[Resident], relations: Mapping[str, str], target: Household | None
) -> list[Problem]:
    problems = relation_problems(relations, [m.atena_number for m in movers])
    heads = [m for m in movers if normalize_relationship(str(relations.get(m.atena_number) or "")) == HEAD]
    has_head = target is not None and target.head is not None and target.head not in movers
    if len(heads) > 1 or (heads and has_head):
        problems.append(head_problem("relations"))
    for mover in movers:
        if mover.status == "removed":
            problems.append(
                Problem(
                    "atena_numbers",
                    f"宛名番号{mover.atena_number}",
                    "消除された住民です",
                    "住民を選び直してください",
                    "removed",
                )
            )
        if target is not None and mover.household_id == target.id:
            problems.append(
                Problem(
                    "to_household_number",
                    "異動先世帯",
                    "既にこの世帯の世帯員です",
                    "別の世帯を選択してください",
                    "same_household",
                )
            )
    return problems
