"""Suppression (抑止, j410): per-process suppressions, the officer's release of one stopped request, and
temporary lifts (一時解除).

Data only; what they mean for a disclosure is decided in ``handlers.suppression``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped

SUPPRESSION_PROCESSES = ("change_input", "certificate", "inquiry")  # 異動入力 / 証明書発行 / 照会
SUPPRESSION_LEVELS = ("error", "alert")


class Suppression(TenantScoped, Base):
    """One suppression of one process for a person (宛名番号) or a household (世帯番号).  Several may be set
    per person.  The end date is informational: passing it never lifts the suppression, only a release does."""

    __tablename__ = "suppression"

    id: Mapped[int] = mapped_column(primary_key=True)
    atena_number: Mapped[str | None] = mapped_column(String(10), index=True)
    household_number: Mapped[str | None] = mapped_column(String(10), index=True)
    process: Mapped[str] = mapped_column(String(20))  # SUPPRESSION_PROCESSES
    level: Mapped[str] = mapped_column(String(10))  # SUPPRESSION_LEVELS
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    released_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    release_reason: Mapped[str | None] = mapped_column(Text)


class DisclosureRelease(TenantScoped, Base):
    """The support-measure officer's release of exactly one stopped request (j440), single use."""

    __tablename__ = "disclosure_release"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of the canonical request
    subjects: Mapped[list[Any]] = mapped_column(default=list)  # 宛名番号
    purpose: Mapped[str] = mapped_column(String(30))
    requester_kind: Mapped[str] = mapped_column(String(30))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    requested_by_login: Mapped[str] = mapped_column(String(60))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    released_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class TemporaryLift(TenantScoped, Base):
    """一時解除 (j410) of a support measure or a suppression for one purpose, until ``expires_at``.  Never
    sent to other systems, so nobody mistakes it for a real release."""

    __tablename__ = "temporary_lift"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("support_measure.id"), index=True)
    suppression_id: Mapped[int | None] = mapped_column(ForeignKey("suppression.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(30))  # a disclosure purpose
    reason: Mapped[str | None] = mapped_column(Text)
    lifted_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    lifted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
