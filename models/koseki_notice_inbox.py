"""住民票記載事項通知 from the 本籍地 (Act art. 9(2), j770): imported into a pending list, shown before/after,
and applied by a ``koseki_notice`` case after confirmation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped

KOSEKI_NOTICE_STATUSES = ("pending", "applied", "rejected")


class KosekiNoticeInbox(TenantScoped, Base):
    __tablename__ = "koseki_notice_inbox"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (Index("ix_koseki_notice_inbox_tenant_status", "tenant_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    sender_code: Mapped[str | None] = mapped_column(String(6))  # the 本籍地 municipality
    notice_date: Mapped[dt.date] = mapped_column(Date)
    atena_number: Mapped[str | None] = mapped_column(String(10))
    resident_code: Mapped[str | None] = mapped_column(String(11))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)  # honseki / hittosha as notified
    status: Mapped[str] = mapped_column(String(12), default="pending")
    applied_case_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
