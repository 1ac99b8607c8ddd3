"""Register B's long-term store: 除票 moved out of the live tables after five years (j1300).

Kept until 150 years after removal.  The live 除票 are ``Resident`` rows with status ``removed``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, DateTime, Index, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped


class RemovedRecordArchive(TenantScoped, Base):
    __tablename__ = "removed_record_archive"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (
        UniqueConstraint("tenant_id", "atena_number"),
        Index("ix_removed_archive_kana", "tenant_id", "kana_key"),
        Index("ix_removed_archive_name", "tenant_id", "name_key"),
        Index("ix_removed_archive_removal", "tenant_id", "removal_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    atena_number: Mapped[str] = mapped_column(String(10))
    household_number: Mapped[str] = mapped_column(String(10))
    removal_reason: Mapped[str] = mapped_column(String(40))
    removal_date: Mapped[dt.date] = mapped_column(Date)
    retain_until: Mapped[dt.date] = mapped_column(Date)  # removal date + 150 years
    display_name: Mapped[str] = mapped_column(String(200))
    kana_key: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    record: Mapped[dict[str, Any]] = mapped_column()  # final state of every item
    history: Mapped[list[Any]] = mapped_column()  # every history snapshot, in order
    memos: Mapped[list[Any]] = mapped_column(default=list)
    archived_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
