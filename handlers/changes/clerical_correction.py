"""誤記修正 (j860): the reason is 誤記修正; the erroneous history row is never overwritten — the correction is
appended as a new row naming the erroneous 履歴番号 (``corrected_history_no``) in its 留意事項."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.changes.base import Assessment, RegistrationResult, register_change_type
from handlers.changes.corrections import assess_correction, describe_changes, history_row, register_correction
from handlers.errors import Problem
from handlers.uow import UnitOfWork


def _history_no(raw: Any) -> int | None:
    try:
        return int(str(raw).strip())
    except ValueError:
        return None


class ClericalCorrection:
    code = "clerical_correction"
    label = "誤記修正"
    process_id = "clerical_correction"
    deadline = "none"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        assessment = assess_correction(uow, intake, "clerical_correction")
        number = _history_no(intake.get("corrected_history_no"))
        atena = str(intake.get("atena_number") or "").strip()
        if number is None or history_row(uow, atena, number) is None:
            assessment.problems.append(
                Problem(
                    "corrected_history_no",
                    "誤記のあった履歴番号",
                    "指定された履歴はこの住民にありません",
                    "誤記のあった異動の履歴番号を選択してください",
                    "history_not_found",
                )
            )
        assessment.proposal["corrected_history_no"] = number
        return assessment

    def describe_changes(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> list[dict[str, Any]]:
        return describe_changes(uow, proposal)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        note = f"（履歴番号{proposal['corrected_history_no']}の誤記を修正）"
        return register_correction(uow, proposal, extra_note=note)


CLERICAL_CORRECTION = register_change_type(ClericalCorrection())
