"""方書の登録 (j260): the buildings — apartments, mansions, dormitories — that staff register at the address
(住所地番) they stand at, so the counter can offer them when that address is entered (j520)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped, TimestampMixin
from models.resident import SearchKey

KATAGAKI_KINDS = ("apartment", "mansion", "dormitory", "other")


class Katagaki(TenantScoped, TimestampMixin, Base):
    """One 方書 of the municipality's register, linked to its 住所地番 by the folded address key."""

    __tablename__ = "katagaki"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (UniqueConstraint("tenant_id", "address_key", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(200))  # 住所（地番・住居表示の番号まで）
    address_key: Mapped[str] = mapped_column(SearchKey)  # fold_address(address): what the counter looks up
    address_code: Mapped[str | None] = mapped_column(String(11))  # 住所コード
    name: Mapped[str] = mapped_column(String(200))  # 方書 (建物名)
    name_kana: Mapped[str | None] = mapped_column(String(200))  # フリガナ
    kind: Mapped[str] = mapped_column(String(12))  # KATAGAKI_KINDS
    retired_date: Mapped[dt.date | None] = mapped_column(Date)  # 廃止日: kept, no longer offered
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
