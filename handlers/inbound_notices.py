"""The pending list shared by the inbound notices (出入国在留管理庁長官通知 j960, 住民票記載事項通知 j770): rows
wait with status ``pending`` until a case applies them after review."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import select

from handlers.audit import record_access
from handlers.permissions import require
from handlers.uow import UnitOfWork
from models.immigration_notice import ImmigrationNotice
from models.koseki_notice_inbox import KosekiNoticeInbox
from models.resident import Resident

Notice = TypeVar("Notice", ImmigrationNotice, KosekiNoticeInbox)


def add_to_pending_list(
    uow: UnitOfWork,
    notices: Sequence[Notice],
    function: str,
    target_of: Callable[[UnitOfWork, Notice], Resident | None],
) -> None:
    """Store the imported notices and log the import against every recorded person they name."""
    uow.session.add_all(notices)
    uow.session.flush()
    targets = [t.atena_number for n in notices if (t := target_of(uow, n)) is not None]
    record_access(uow, function, "change", targets, detail={"count": len(notices)})


def pending_notices(uow: UnitOfWork, model: type[Notice]) -> list[Notice]:
    """The notices of ``model`` not applied yet, oldest first, whatever their notice date."""
    require(uow.actor, "resident.view")
    return list(
        uow.session.scalars(
            select(model).where(model.status == "pending").order_by(model.received_at, model.id)
        )
    )
