"""Municipalities (tenants) and their wards."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin


class Municipality(TimestampMixin, Base):
    """A municipality using the system: the tenant every row of resident data belongs to."""

    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(6), unique=True)  # 全国地方公共団体コード with check digit
    name: Mapped[str] = mapped_column(String(40))
    prefecture: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))  # designated_city / core_city / general
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)  # choices among "may implement" functions

    wards: Mapped[list[Ward]] = relationship(back_populates="municipality", order_by="Ward.code")


class Ward(Base):
    """An administrative ward (区) of a designated city (指定都市)."""

    __tablename__ = "ward"
    __table_args__ = (UniqueConstraint("municipality_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    code: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(40))

    municipality: Mapped[Municipality] = relationship(back_populates="wards")
