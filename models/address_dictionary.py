"""住所辞書 (j250): the municipality's address dictionary, one row per 大字 (町域) or 小字 (丁目・小字), each with its
11-digit 住所コード (都道府県2 + 市区町村3 of JIS X 0401/0402 + 大字3 + 小字3), postcode and the kanji and kana of
every level.  Loaded from Japan Post's postcode data and kept by staff; a row is retired, never deleted, because
registered addresses keep its code."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped, TimestampMixin
from models.resident import SearchKey

ENTRY_SOURCES = ("japan_post", "staff")


class AddressEntry(TenantScoped, TimestampMixin, Base):
    """One 大字 (``koaza`` empty, code ending 000) or 小字 of the municipality's dictionary."""

    __tablename__ = "address_entry"
    tenant_id_indexed = False  # every key of this table starts with tenant_id
    __table_args__ = (
        UniqueConstraint("tenant_id", "address_code"),
        UniqueConstraint("tenant_id", "source_key", name="uq_address_entry_tenant_id_source_key"),
        Index("ix_address_entry_oaza_kana", "tenant_id", "oaza_kana"),
        Index("ix_address_entry_postal_code", "tenant_id", "postal_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    address_code: Mapped[str] = mapped_column(String(11))  # 住所コード
    postal_code: Mapped[str | None] = mapped_column(String(7))  # 郵便番号, 7 digits
    prefecture: Mapped[str] = mapped_column(String(10))  # 都道府県
    prefecture_kana: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(40))  # 市区町村 (a designated city: the city)
    city_kana: Mapped[str] = mapped_column(String(80))
    ward: Mapped[str] = mapped_column(String(40), default="")  # 区 of a designated city, "" elsewhere
    ward_kana: Mapped[str] = mapped_column(String(80), default="")
    oaza: Mapped[str] = mapped_column(String(100))  # 大字 (町域)
    oaza_kana: Mapped[str] = mapped_column(SearchKey)  # katakana, the 住所カナ入力's indexed prefix
    koaza: Mapped[str] = mapped_column(String(100), default="")  # 小字・丁目, "" for the 大字 itself
    koaza_kana: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(12))  # ENTRY_SOURCES: who keeps the row (the refresh or staff)
    source_key: Mapped[str | None] = mapped_column(String(200))  # the Japan Post town it was loaded from
    retired_date: Mapped[dt.date | None] = mapped_column(Date)  # 廃止日: kept, no longer offered
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
