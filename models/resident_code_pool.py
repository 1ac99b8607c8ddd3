"""住民票コードの空き番 (j870): free codes fetched from the CS and kept per municipality until one is taken."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import Boolean, DateTime, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped, TimestampMixin


class ResidentCodePoolEntry(TenantScoped, TimestampMixin, Base):
    """One 住民票コード supplied for new numbering; ``taken`` once given to a person (never reused)."""

    __tablename__ = "resident_code_pool_entry"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        # Free codes in their drawing order: the next code is the free one with the lowest draw key.
        Index("ix_resident_code_pool_draw", "tenant_id", "taken", "draw_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(11))
    taken: Mapped[bool] = mapped_column(Boolean, default=False)
    taken_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Drawn at random when the code is stored: codes are handed out in this order, so the next one cannot be
    # told from the codes before it.
    draw_key: Mapped[int] = mapped_column(Integer, default=lambda: secrets.randbelow(2**31))
