"""The provisional change of a case (仮登録), the locks a case holds on persons and households while it is
open, and the outbox of notices written at 本登録 (delivered after commit by issue 7's worker).

A provisional change is not part of the register: it lives here until ``register`` applies it (j530).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped

PENDING_STATUSES = ("provisional", "registered", "rejected", "cancelled")
OUTBOX_STATUSES = ("pending", "sent", "dead")


class PendingChange(TenantScoped, Base):
    """仮登録: the assessed proposal of one case, its alerts and who acknowledged them."""

    __tablename__ = "pending_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    change_type: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(12), default="provisional")  # PENDING_STATUSES
    proposal: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # 届出人 entered at intake (handlers.cases.notifier): name, kind, birth_date, atena_number; None if none
    notifier: Mapped[dict[str, Any] | None] = mapped_column()
    alerts: Mapped[list[Any]] = mapped_column(default=list)  # Problem.to_json() of each alert
    acknowledgements: Mapped[list[Any]] = mapped_column(
        default=list
    )  # {code, field, by_user_id, by_login, at}
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    entered_by_login: Mapped[str] = mapped_column(String(60))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    entered_place: Mapped[str | None] = mapped_column(String(6))  # 入力場所: the operator's ward (支所) code
    entered_terminal: Mapped[str | None] = mapped_column(String(60))  # 入力端末
    registered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    result: Mapped[dict[str, Any] | None] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class SubjectLock(TenantScoped, Base):
    """An open case's claim on a person ("resident:<宛名番号>") or a household ("household:<世帯番号>")."""

    __tablename__ = "subject_lock"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (UniqueConstraint("tenant_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class OutboxMessage(TenantScoped, Base):
    """One notice to another system, written in the 本登録 transaction and delivered after commit."""

    __tablename__ = "outbox_message"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        UniqueConstraint("tenant_id", "destination", "seq", name="uq_outbox_message_destination_seq"),
        Index("ix_outbox_message_status", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    destination: Mapped[str] = mapped_column(String(60))  # cs / municipality:<code> / department:<name> …
    kind: Mapped[str] = mapped_column(String(40))  # identity_change, move_in_notice …
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(100))  # "<case_number>:<n>"
    seq: Mapped[int] = mapped_column(Integer)  # order per tenant and destination
    status: Mapped[str] = mapped_column(String(12), default="pending")  # OUTBOX_STATUSES
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # retry backoff
