"""The CS relay's inbox: messages another municipality of this deployment sent to this one (転出証明書情報 for
a 特例転入, 転入通知 for a person who moved out of here)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped

RELAY_STATUSES = ("received", "used", "applied", "review", "refused")


class RelayInbox(TenantScoped, Base):
    __tablename__ = "relay_inbox"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_relay_inbox_resident_code", "tenant_id", "resident_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    sender_code: Mapped[str] = mapped_column(String(6))  # 全国地方公共団体コード of the sending municipality
    kind: Mapped[str] = mapped_column(String(40))  # move_out_certificate_info / move_in_notice
    idempotency_key: Mapped[str] = mapped_column(String(140))  # "<sender code>:<sender's key>"
    resident_code: Mapped[str | None] = mapped_column(String(11))  # 住民票コード (first person)
    name: Mapped[str | None] = mapped_column(String(120))  # as sent (MJ Unicode)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(12), default="received")  # RELAY_STATUSES
    case_id: Mapped[int | None] = mapped_column(Integer)  # the case opened from it (転入通知の受理)
