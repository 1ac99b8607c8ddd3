"""住民票コードの変更請求 (Act art. 30-4, j870, j880, j890): on the person's request a new 住民票コード is taken
at random from the pool; the old code is retired and never given out again.  The 住民票コード変更通知票 is
issued in the same flow.

Intake: ``atena_number``; ``claim_date`` (請求日, default today, never later; kept on the history row);
``change_date`` (default today).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from handlers.changes.base import Assessment, RegistrationResult, register_change_type
from handlers.changes.ex_officio import past_or_today
from handlers.changes.resident_codes import CodeChange, read_code_intake, register_code
from handlers.errors import Problem
from handlers.residents.history import HistoryDates
from handlers.residents.resident_code_pool import pool_problems, take_resident_code
from handlers.uow import UnitOfWork

REASON = "resident_code_change_request"


class ResidentCodeChange:
    code = "resident_code_change"
    label = "住民票コードの変更請求"
    process_id = "resident_code_change"
    deadline = "none"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        problems: list[Problem] = []
        read = read_code_intake(uow, intake, problems, has_code=True)
        claimed = past_or_today(intake.get("claim_date"), "claim_date", "請求日", problems)
        errors, alerts = pool_problems(uow.session)
        proposal = {**read.proposal, "claim_date": claimed.isoformat() if claimed else None}
        return Assessment(proposal, problems + errors, alerts, read.subjects, read.change_date)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        claimed = dt.date.fromisoformat(str(proposal["claim_date"]))
        how = CodeChange("change", REASON, f"住民票コードの変更請求（請求日 {claimed.isoformat()}）")
        return register_code(
            uow, proposal, take_resident_code(uow.session), how, HistoryDates(claim_date=claimed)
        )


RESIDENT_CODE_CHANGE = register_change_type(ResidentCodeChange())
