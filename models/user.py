"""People who sign in: clerks, supervisors, analysts, support-measure officers, auditors, administrators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped, TimestampMixin


class User(TenantScoped, TimestampMixin, Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    login_id: Mapped[str] = mapped_column(String(60), unique=True)  # unique across the deployment
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    roles: Mapped[list[Any]] = mapped_column(default=list)  # clerk, supervisor, analyst, support_officer, ...
    ward_code: Mapped[str | None] = mapped_column(String(6))  # 指定都市: the operator's ward
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enrolled: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)  # last accepted time step (no reuse)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # per-user hiding of sensitive items on every screen (j1390)
    hide_honseki: Mapped[bool] = mapped_column(Boolean, default=False)
    hide_my_number: Mapped[bool] = mapped_column(Boolean, default=False)
    hide_resident_code: Mapped[bool] = mapped_column(Boolean, default=False)
    hide_residence_status: Mapped[bool] = mapped_column(Boolean, default=False)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
