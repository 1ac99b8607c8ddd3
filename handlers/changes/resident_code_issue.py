"""住民票コードの付番 (j870, j890): a resident who has no 住民票コード gets one taken at random from the pool,
ex officio (reason 住民票コードの職権記載); the 住民票コード通知票 is issued in the same flow.

Intake: ``atena_number``; ``change_date`` (default today); the ex-officio items (``ex_officio_record`` …).
Too few free codes is an error, fewer than the municipality's threshold left an alert (j870).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.changes.base import Assessment, RegistrationResult, register_change_type
from handlers.changes.ex_officio import history_dates, history_note, read_ex_officio
from handlers.changes.resident_codes import CodeChange, read_code_intake, register_code
from handlers.errors import Problem
from handlers.residents.resident_code_pool import pool_problems, take_resident_code
from handlers.uow import UnitOfWork

REASON = "resident_code_ex_officio_record"


class ResidentCodeIssue:
    code = "resident_code_issue"
    label = "住民票コードの付番"
    process_id = "resident_code_issue"
    deadline = "none"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        problems: list[Problem] = []
        proposal = read_ex_officio(intake, problems, koseki=False)
        read = read_code_intake(uow, intake, problems, has_code=False)
        errors, alerts = pool_problems(uow.session)
        proposal.update(read.proposal)
        return Assessment(proposal, problems + errors, alerts, read.subjects, read.change_date)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        how = CodeChange("issue", REASON, history_note(proposal))
        return register_code(uow, proposal, take_resident_code(uow.session), how, history_dates(proposal))


RESIDENT_CODE_ISSUE = register_change_type(ResidentCodeIssue())
