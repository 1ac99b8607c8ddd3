"""j490 on registration: when the head leaves a household of which one member stays, that member becomes the
head ex officio (a 世帯主変更 history row noted as ex officio).  Shared by 転居 and 世帯変更; the assessment
that decides it is ``handlers.changes.movers.head_problems``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.residents.households import change_head
from handlers.rules.head_leaving import EX_OFFICIO_HEAD, EX_OFFICIO_HEAD_NOTE
from handlers.uow import UnitOfWork


def appoint_ex_officio_head(uow: UnitOfWork, proposal: Mapping[str, Any]) -> list[str]:
    """Make the proposal's ``new_head`` the head of its ``source_household`` when the assessed outcome is the
    ex-officio head; returns the 宛名番号 changed by it (none when the outcome is another)."""
    if proposal.get("head_outcome") != EX_OFFICIO_HEAD:
        return []
    change_head(
        uow,
        proposal["source_household"],
        proposal["new_head"],
        relations={},
        reason_code="head_change",
        change_date=proposal["change_date"],
        note=EX_OFFICIO_HEAD_NOTE,
    )
    return [proposal["new_head"]]
