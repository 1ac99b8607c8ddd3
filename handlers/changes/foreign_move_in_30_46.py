"""法第30条の46転入 (j910): a foreign resident with a status of residence sets an address here on arrival from
abroad.  Registered like a 国外転入 (「国外転入等」); 転入前住所 may be blank; the 上陸許可証による転入 flag is kept;
notices go to 住基ネット CS and, as 「住基法・入管法」, to the Immigration Services Agency (j970).  A person with a
除票 here is a 再転入 under the old 宛名番号 (j600), and takes over the 通称 of a 国外転出 from here (j70).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.changes.base import Assessment, RegistrationResult, register_change_type
from handlers.changes.foreign_arrival import REASON, assess_arrival, register_arrival
from handlers.residents.events import check_change_request
from handlers.uow import UnitOfWork


class ForeignMoveIn3046:
    code = "foreign_move_in_30_46"
    label = "法第30条の46転入"
    process_id = "foreign_move_in_30_46"
    deadline = "event_plus_14"  # within 14 days of setting the address (Act art. 30-46)

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        request, problems = check_change_request(
            REASON,
            intake.get("change_date"),
            intake.get("notified_date"),
            category="record",
            kinds=["foreign"],
        )
        return assess_arrival(uow, intake, problems, request.change_date, from_abroad=True)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        return register_arrival(uow, proposal, event=self.code, event_label=self.label)


FOREIGN_MOVE_IN_30_46 = register_change_type(ForeignMoveIn3046())
