"""住民票コードの修正 (j880, j890): a 住民票コード recorded wrongly is corrected ex officio to the right code
(e.g. as 住基ネット holds it).  The standard has no reason of its own for it (j210), so the reason is 職権修正.
The wrong code is retired, never given out again; the 住民票コード修正通知票 is issued in the same flow.

Intake: ``atena_number``; ``resident_code`` (the right code: 11 digits with a valid check digit, held by
nobody else and not retired); ``change_date`` (default today); the ex-officio items.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from handlers.changes.base import Assessment, RegistrationResult, register_change_type
from handlers.changes.ex_officio import history_dates, history_note, read_ex_officio
from handlers.changes.resident_codes import (
    CodeChange,
    code_problem,
    holder_of,
    pool_entry,
    read_code_intake,
    register_code,
    retire_code,
)
from handlers.errors import Problem
from handlers.rules.check_digit import resident_code_valid
from handlers.rules.digits import ascii_digits
from handlers.uow import UnitOfWork
from models.resident import Resident

REASON = "ex_officio_correction"
NOTE = "（住民票コードの修正）"


def right_code_problems(session: Session, resident: Resident | None, code: str) -> list[Problem]:
    """The right code must be a valid code, a different one, and nobody else's (nor a retired one)."""
    if not resident_code_valid(code):
        return [
            code_problem(
                "resident_code",
                "11桁の住民票コードとして検査用数字が一致しません",
                "正しい住民票コードを入力してください",
                "check_digit",
            )
        ]
    if resident is not None and resident.resident_code == code:
        return [
            code_problem(
                "resident_code",
                "現在の住民票コードと同じです",
                "正しい住民票コードを入力してください",
                "unchanged",
            )
        ]
    holder = holder_of(session, code)
    entry = pool_entry(session, code)
    if (holder is not None and holder is not resident) or (entry is not None and entry.taken):
        return [
            code_problem(
                "resident_code",
                "この住民票コードは他の住民に付番済み、または使用できなくなったコードです",
                "住基ネットで正しい住民票コードを確認してください",
                "resident_code_in_use",
            )
        ]
    return []


class ResidentCodeCorrection:
    code = "resident_code_correction"
    label = "住民票コードの修正"
    process_id = "resident_code_correction"
    deadline = "none"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        problems: list[Problem] = []
        proposal = read_ex_officio(intake, problems, koseki=False)
        read = read_code_intake(uow, intake, problems, has_code=True)
        right = ascii_digits(str(intake.get("resident_code") or "")).strip()
        problems += right_code_problems(uow.session, read.resident, right)
        proposal.update(read.proposal, resident_code=right)
        return Assessment(proposal, problems, [], read.subjects, read.change_date)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        right = str(proposal["resident_code"])
        retire_code(uow, right)  # a free pool code named here is taken, so the pool never hands it out
        how = CodeChange("correction", REASON, history_note(proposal) + NOTE)
        return register_code(uow, proposal, right, how, history_dates(proposal))


RESIDENT_CODE_CORRECTION = register_change_type(ResidentCodeCorrection())
