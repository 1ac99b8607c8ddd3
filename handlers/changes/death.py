"""死亡 (j820, j770, j490): the person's record becomes a 除票 on the 死亡届 / 本籍地 notice.

Intake: ``atena_number``; ``event_date`` (date of death, any j80 form: 「年月日不詳」「推定令和6年1月10日」…);
the ex-officio items.  The reason is 死亡; choosing between 死亡 and 推定死亡 is a function the standard
forbids (【実装しない機能】), so an intake naming a ``death_kind`` other than 死亡 is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.changes.base import Assessment, RegistrationResult, register_change_type
from handlers.changes.ex_officio_removal import assess_removal, register_removal, to_assessment
from handlers.errors import Problem
from handlers.residents.parsing import clean_text
from handlers.uow import UnitOfWork

DEATH_WORDS = ("死亡", "death")
REASON = "death"  # 消除事由


def death_kind_problems(intake: Mapping[str, Any]) -> list[Problem]:
    """Only 死亡 exists: 推定死亡 (or a cause of death) is not selectable (j820 【実装しない機能】)."""
    found = []
    kind = clean_text(intake.get("death_kind"))
    if kind is not None and kind not in DEATH_WORDS:
        found.append(
            Problem(
                "death_kind",
                "異動事由",
                f"「{kind}」は選択できません（異動事由は「死亡」のみです）",
                "異動事由は「死亡」とし、死亡日が推定の場合は死亡日を「推定○年○月○日」のように入力してください",
                "death_kind_not_selectable",
            )
        )
    if clean_text(intake.get("death_cause")) is not None:
        found.append(
            Problem(
                "death_cause",
                "死亡事由",
                "死亡事由は住民票に記録しません",
                "死亡事由を空欄にしてください",
                "death_cause_not_recorded",
            )
        )
    return found


class Death:
    code = "death"
    label = "死亡"
    process_id = "death"
    deadline = "none"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        plan = assess_removal(uow, intake, event_item="死亡日")
        plan.problems.extend(death_kind_problems(intake))
        return to_assessment(plan)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        return register_removal(uow, proposal, reason_code=REASON)


DEATH = register_change_type(Death())
