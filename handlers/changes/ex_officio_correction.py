"""職権修正 (j840): amend a person's items (or their household's address) ex officio; a changed head's name
is carried into every member's snapshot.  Rules in ``handlers.changes.corrections``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.changes.base import Assessment, RegistrationResult, register_change_type
from handlers.changes.corrections import assess_correction, describe_changes, register_correction
from handlers.uow import UnitOfWork


class ExOfficioCorrection:
    code = "ex_officio_correction"
    label = "職権修正"
    process_id = "ex_officio_correction"
    deadline = "none"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        return assess_correction(uow, intake, "ex_officio_correction")

    def describe_changes(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> list[dict[str, Any]]:
        return describe_changes(uow, proposal)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        return register_correction(uow, proposal)


EX_OFFICIO_CORRECTION = register_change_type(ExOfficioCorrection())
