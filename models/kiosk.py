"""コンビニ交付 (j1210): one request of the 証明書交付センター for a certificate at a kiosk, kept under the center's
request id so a retry gets the same answer and nothing is issued twice.  An issued answer keeps its PDF (the
copies as handed over, to answer a retry); a refused one keeps its reason.  Data only: the rules are in
``handlers.kiosk``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped

KIOSK_OUTCOMES = ("pending", "issued", "refused")  # pending: only inside the transaction that answers it


class KioskRequest(TenantScoped, Base):
    __tablename__ = "kiosk_request"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (UniqueConstraint("tenant_id", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(String(64))  # the center's id of the request (idempotency key)
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of the request as received
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    received_by: Mapped[str] = mapped_column(String(60))  # the system's login id (its API token)
    resident_code: Mapped[str] = mapped_column(String(11))  # 住民票コード the center resolved the card to
    card_serial: Mapped[str] = mapped_column(String(40))  # 利用者証明用電子証明書のシリアル番号, as received
    atena_number: Mapped[str | None] = mapped_column(String(10))  # the person, when found
    terminal_code: Mapped[str] = mapped_column(String(40))  # 端末 (店舗・キオスク端末のコード)
    terminal_name: Mapped[str] = mapped_column(String(60))
    document: Mapped[str] = mapped_column(String(30))
    outcome: Mapped[str] = mapped_column(String(12), default="pending")  # KIOSK_OUTCOMES
    reason_code: Mapped[str | None] = mapped_column(String(40))  # why refused (our own, precise)
    answer: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the JSON answered, without the PDF
    issue_numbers: Mapped[list[Any]] = mapped_column(default=list)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)  # the copies handed over (issued only)
    detail: Mapped[str | None] = mapped_column(Text)  # the refusal's own words, for staff
