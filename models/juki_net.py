"""住基ネット CS: the files received from CS (j1100, j1120, j1140), the consistency checks of our 本人確認情報
against CS's extract and their mismatches (j1100), the 符号取得要求 and CS's answers (j1140), the 居所 chosen as
the destination of 番号通知書類 and the history of 送付先情報 sent to CS (j1120), the 個人番号 生成要求・変更要求
(j1130) and the 利用者証明用電子証明書のシリアル番号 requests (j1160).  Data only; the rules live in
``handlers/juki_net/``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped

RECEIVED_FILE_STATUSES = ("processed", "refused")
MISMATCH_KINDS = ("item_differs", "missing_at_cs", "unknown_here", "removed_here")
CODE_REQUEST_RESULTS = ("accepted", "refused")
CARD_DESTINATION_TRIGGERS = ("change", "cs_request", "residence")
PERSON_REQUEST_KINDS = ("my_number_generation", "my_number_change", "certificate_serial")
PERSON_REQUEST_RESULTS = ("done", "refused")


class CsReceivedFile(TenantScoped, Base):
    """One file CS delivered (our fixed layout, docs/integration.md), taken once: its digest is unique."""

    __tablename__ = "cs_received_file"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (UniqueConstraint("tenant_id", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of the bytes
    kind: Mapped[str] = mapped_column(String(40))  # the header's kind (identity_extract, code_result …)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    status: Mapped[str] = mapped_column(String(12))  # RECEIVED_FILE_STATUSES
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)  # counts, or the reasons it was refused


class CsConsistencyCheck(TenantScoped, Base):
    """整合性確認 (j1100): one comparison of the register with one 本人確認情報 extract from CS."""

    __tablename__ = "cs_consistency_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_file_id: Mapped[int] = mapped_column(ForeignKey("cs_received_file.id"), index=True)
    extract_date: Mapped[str | None] = mapped_column(String(10))  # the day CS made the extract (as sent)
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    checked_by: Mapped[str] = mapped_column(String(60))
    persons_at_cs: Mapped[int] = mapped_column(Integer)
    persons_here: Mapped[int] = mapped_column(Integer)
    mismatch_count: Mapped[int] = mapped_column(Integer)


class CsConsistencyMismatch(TenantScoped, Base):
    """One difference a check found: an item that differs, a person CS lacks, one we do not know (or removed)."""

    __tablename__ = "cs_consistency_mismatch"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (Index("ix_cs_consistency_mismatch_check", "tenant_id", "check_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("cs_consistency_check.id"))
    kind: Mapped[str] = mapped_column(String(20))  # MISMATCH_KINDS
    atena_number: Mapped[str | None] = mapped_column(String(10))  # None when the person is unknown here
    resident_code: Mapped[str | None] = mapped_column(String(11))
    item: Mapped[str | None] = mapped_column(String(30))  # the 本人確認情報 item (item_differs only)
    ours: Mapped[str | None] = mapped_column(Text)  # our value as CS would carry it
    theirs: Mapped[str | None] = mapped_column(Text)  # CS's value


class CodeRequest(TenantScoped, Base):
    """符号取得要求 (j1140): one request sent to CS as an outbox message; CS's answer arrives in a result file."""

    __tablename__ = "code_request"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (Index("ix_code_request_tenant_atena", "tenant_id", "atena_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    atena_number: Mapped[str] = mapped_column(String(10))
    resident_code: Mapped[str] = mapped_column(String(11))
    outbox_message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"), index=True)
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    requested_by: Mapped[str] = mapped_column(String(60))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    result: Mapped[str | None] = mapped_column(String(12))  # CODE_REQUEST_RESULTS
    error: Mapped[str | None] = mapped_column(Text)  # CS's reason when refused


class CardMailingResidence(TenantScoped, Base):
    """A 居所 other than the address, set as the destination of the person's 番号通知書類 (j1120) until ended."""

    __tablename__ = "card_mailing_residence"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (Index("ix_card_mailing_residence_tenant_atena", "tenant_id", "atena_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    atena_number: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(200))
    address_katagaki: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(7))
    reason: Mapped[str] = mapped_column(Text)
    set_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    set_by: Mapped[str] = mapped_column(String(60))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class CardDestinationSent(TenantScoped, Base):
    """送付先情報 (j1120): one destination sent to CS for a person's card documents, with why it was made."""

    __tablename__ = "card_destination_sent"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (Index("ix_card_destination_sent_tenant_atena", "tenant_id", "atena_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    atena_number: Mapped[str] = mapped_column(String(10))
    resident_code: Mapped[str | None] = mapped_column(String(11))
    trigger: Mapped[str] = mapped_column(String(12))  # CARD_DESTINATION_TRIGGERS
    case_id: Mapped[int | None] = mapped_column(Integer)  # the change that caused it
    outbox_key: Mapped[str] = mapped_column(String(100))  # the idempotency key of its outbox message
    address: Mapped[str] = mapped_column(String(200))
    address_katagaki: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(7))
    is_residence: Mapped[bool] = mapped_column(Boolean, default=False)  # a 居所, not the address
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CsPersonRequest(TenantScoped, Base):
    """A request about one person sent to CS as an outbox message, answered by CS in a file: a 個人番号の生成要求
    or 変更要求 (j1130), a request for the serial number of the person's 利用者証明用電子証明書 (j1160)."""

    __tablename__ = "cs_person_request"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (
        Index("ix_cs_person_request_tenant_atena", "tenant_id", "atena_number"),
        UniqueConstraint("tenant_id", "outbox_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))  # PERSON_REQUEST_KINDS
    atena_number: Mapped[str] = mapped_column(String(10))
    resident_code: Mapped[str | None] = mapped_column(String(11))
    case_id: Mapped[int | None] = mapped_column(Integer)  # the change that caused it
    outbox_key: Mapped[str] = mapped_column(String(100))  # the idempotency key of its outbox message
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    requested_by: Mapped[str] = mapped_column(String(60))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    result: Mapped[str | None] = mapped_column(String(12))  # PERSON_REQUEST_RESULTS
    serial_number: Mapped[str | None] = mapped_column(String(40))  # the certificate's (certificate_serial)
    error: Mapped[str | None] = mapped_column(Text)  # CS's reason when refused
