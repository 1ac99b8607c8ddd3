"""Counters of the rate limiter when no Redis is configured (shared by every web worker through the database)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class RateLimitWindow(Base):
    """Hits of one key (e.g. ``login:<client address>``) in its current fixed window; not tenant data."""

    __tablename__ = "rate_limit_window"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window: Mapped[int] = mapped_column(BigInteger)  # epoch seconds // window length
    hits: Mapped[int] = mapped_column(Integer, default=0)
