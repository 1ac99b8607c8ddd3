"""Register C: support measures (支援措置) for victims of DV, stalking and abuse (j160).

Data only; who may see, set, release or lift them, and what they suppress, is decided in
``handlers.support_measures`` and ``handlers.suppression``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TenantScoped, TimestampMixin

SUPPORT_MEASURE_STATUSES = ("requested", "provisional", "in_force", "terminated")


class SupportMeasure(TenantScoped, TimestampMixin, Base):
    __tablename__ = "support_measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20))  # SUPPORT_MEASURE_STATUSES
    provisional: Mapped[bool] = mapped_column(Boolean, default=True)  # 仮支援措置
    provisional_start_date: Mapped[dt.date | None] = mapped_column(Date)
    originating_municipality: Mapped[str | None] = mapped_column(
        String(6)
    )  # for provisional as former address
    victim_kind: Mapped[str | None] = mapped_column(String(20))  # dv / stalking / child_abuse / other
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    request_date: Mapped[dt.date | None] = mapped_column(Date)
    opinion_source: Mapped[str | None] = mapped_column(
        String(40)
    )  # police / consultation centre / child guidance
    opinion_text: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_date: Mapped[dt.date | None] = mapped_column(Date)
    termination_date: Mapped[dt.date | None] = mapped_column(Date)
    termination_reason: Mapped[str | None] = mapped_column(String(40))  # victim_request / expired / officer
    # protected services (閲覧, 住民票の写し等, 戸籍の附票の写し等) and addresses (current / previous / 本籍 …)
    protected_services: Mapped[list[Any]] = mapped_column(default=list)
    protected_addresses: Mapped[list[Any]] = mapped_column(default=list)
    # transfer information
    forwarded_to_municipality: Mapped[str | None] = mapped_column(String(6))
    forwarded_date: Mapped[dt.date | None] = mapped_column(Date)
    forwarded_received_date: Mapped[dt.date | None] = mapped_column(Date)
    told_not_needed_date: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    parties: Mapped[list[SupportMeasureParty]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="SupportMeasureParty.id"
    )

    __mapper_args__ = {"version_id_col": version}


class SupportMeasureParty(TenantScoped, Base):
    """The applicant (申出者), co-applicants (併せて支援を求める者) and perpetrators (加害者) of a measure."""

    __tablename__ = "support_measure_party"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("support_measure.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # applicant / co_applicant / perpetrator
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id", ondelete="SET NULL"))
    atena_number: Mapped[str | None] = mapped_column(String(10), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_kana: Mapped[str | None] = mapped_column(String(200))
    kana_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    alias: Mapped[str | None] = mapped_column(String(200))
    alias_kana: Mapped[str | None] = mapped_column(String(200))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))
    address: Mapped[str | None] = mapped_column(String(200))
    previous_addresses: Mapped[list[Any]] = mapped_column(default=list)
    honseki: Mapped[str | None] = mapped_column(String(200))
    previous_honseki: Mapped[str | None] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(200))
    relation_to_applicant: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    order_no: Mapped[int] = mapped_column(Integer, default=0)

    measure: Mapped[SupportMeasure] = relationship(back_populates="parties")
