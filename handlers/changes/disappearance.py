"""失踪 (j830): 職権消除 on the 本籍地's notice (Act art. 9(2)) of a 失踪宣告 recorded in the 戸籍.

Intake: ``atena_number``; ``event_date`` (the date the person is deemed dead, any j80 form); the ex-officio
items (the 戸籍通知日 is the notice's date).  The reason is 職権消除; the head rules apply as for 死亡 (j490).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.changes.base import Assessment, RegistrationResult, register_change_type
from handlers.changes.ex_officio_removal import assess_removal, register_removal, to_assessment
from handlers.uow import UnitOfWork

REASON = "ex_officio_removal"  # 消除事由: 失踪宣告 removes ex officio


class Disappearance:
    code = "disappearance"
    label = "失踪"
    process_id = "disappearance"
    deadline = "none"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        return to_assessment(assess_removal(uow, intake, event_item="失踪宣告により死亡とみなされる日"))

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        return register_removal(uow, proposal, reason_code=REASON)


DISAPPEARANCE = register_change_type(Disappearance())
