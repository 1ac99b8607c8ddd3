"""API tokens: how systems and scripts authenticate to the JSON API.  Only a hash of the secret is kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped, TimestampMixin


class ApiToken(TenantScoped, TimestampMixin, Base):
    """A token per user (``user_id`` set: acts as that user) or per system (``user_id`` empty: ``name`` is
    the system's name and ``roles`` its rights)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the secret
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    roles: Mapped[list[Any]] = mapped_column(default=list)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
