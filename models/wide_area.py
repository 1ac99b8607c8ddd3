"""広域交付 (住基法12条の4, j1210): a request this municipality's counter sent to the person's own municipality
for a copy of their 住民票, and the answer that came back through the CS relay (the items the copy may carry,
or the refusal and its reason)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped

WIDE_AREA_STATUSES = ("sent", "answered", "refused", "issued", "expired")  # expired: no answer in time


class WideAreaRequest(TenantScoped, Base):
    __tablename__ = "wide_area_request"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (UniqueConstraint("tenant_id", "request_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_number: Mapped[str] = mapped_column(String(20))  # 広域交付の請求番号 (the relay's key)
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    requested_by: Mapped[str] = mapped_column(String(60))  # the clerk's login id
    home_code: Mapped[str] = mapped_column(String(6))  # 住所地市町村 (全国地方公共団体コード)
    certificate_type: Mapped[str] = mapped_column(String(40))  # copy_individual / copy_household
    person: Mapped[dict[str, Any]] = mapped_column(default=dict)  # 住民票コード or 氏名・生年月日・住所
    requester: Mapped[dict[str, Any]] = mapped_column(default=dict)  # who came, and the 本人確認 done
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(12), default="sent")  # WIDE_AREA_STATUSES
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # the home municipality's answer must come by then (requested_at + the municipality's setting); None on a
    # request sent before the setting existed (the setting then counts from requested_at)
    answer_due_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    answer: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the persons' items, or the reason
    issue_numbers: Mapped[list[Any]] = mapped_column(default=list)
