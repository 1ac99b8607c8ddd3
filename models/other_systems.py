"""Other business systems of the municipality (j1170, j1180): the latest registration each keeps of a person
(他業務照会) and the files received from the regional information platform's units (地域情報プラットフォーム)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped

REGISTRATION_SOURCES = ("inquiry", "platform")  # answered to our 照会 / received from a PF unit
RECEIPT_STATUSES = ("applied", "rejected")


class OtherSystemRegistration(TenantScoped, Base):
    """What one other system (``system``: election, nhi, late_elderly, long_term_care, national_pension,
    child_allowance, card) last said about one person, and the state of our latest 照会 of it."""

    __tablename__ = "other_system_registration"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (UniqueConstraint("tenant_id", "atena_number", "system"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    atena_number: Mapped[str] = mapped_column(String(10))
    system: Mapped[str] = mapped_column(String(24))
    requested_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # our latest 照会
    fetched_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # when the answer came
    source: Mapped[str | None] = mapped_column(String(12))  # REGISTRATION_SOURCES
    registered: Mapped[bool | None] = mapped_column(Boolean)  # 登録・該当の有無
    as_of: Mapped[dt.date | None] = mapped_column(Date)  # the other system's own date of the answer
    items: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the system's items (catalog), ISO dates
    last_error: Mapped[str | None] = mapped_column(Text)  # why the latest 照会 has no answer yet


class PlatformFileReceipt(TenantScoped, Base):
    """One file taken from a platform unit's drop folder: applied or rejected (never applied twice)."""

    __tablename__ = "platform_file_receipt"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (UniqueConstraint("tenant_id", "unit", "message_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(24))  # nhi, national_pension, … koseki
    message_key: Mapped[str] = mapped_column(String(100))  # the file's MessageId, else sha256:<digest>
    file_name: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of the file's bytes
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(12))  # RECEIPT_STATUSES
    record_count: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[Any]] = mapped_column(default=list)  # the problems of a rejected file (Japanese)
    encoding: Mapped[str | None] = mapped_column(String(20))  # as the file declared it
    note: Mapped[str | None] = mapped_column(Text)
