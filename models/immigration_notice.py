"""出入国在留管理庁長官通知 (Act art. 30-50, j960): notices about a foreign resident, imported into a pending
list and applied to the register by a case (``immigration_notice`` change type) after the before/after check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped

NOTICE_STATUSES = ("pending", "applied", "rejected")


class ImmigrationNotice(TenantScoped, Base):
    __tablename__ = "immigration_notice"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (Index("ix_immigration_notice_tenant_status", "tenant_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(30))  # status_change / period_extension / status_revoked …
    event_date: Mapped[dt.date] = mapped_column(Date)  # the day the permission / revocation took effect
    residence_card_number: Mapped[str | None] = mapped_column(String(12), index=True)  # as notified
    atena_number: Mapped[str | None] = mapped_column(String(10))  # 宛名番号 when the notice carries it
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the new values, item by item
    status: Mapped[str] = mapped_column(String(12), default="pending")  # NOTICE_STATUSES
    applied_case_id: Mapped[int | None] = mapped_column(Integer)
    applied_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)
