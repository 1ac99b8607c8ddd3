"""The register of input places and terminals (入力場所・入力端末, j230): where the system is used — 本庁, 支所,
出張所, the departments using it and, in a designated city, the ward offices — and the terminals at each place.
The access log, the history rows and the certificate issuance history name the terminal; its place is read here."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TenantScoped, TimestampMixin

PLACE_KINDS = ("main_office", "branch", "sub_branch", "department", "ward_office")


class InputPlace(TenantScoped, TimestampMixin, Base):
    """A place where the system is used (入力場所)."""

    __tablename__ = "input_place"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10))  # the municipality's own code of the place
    name: Mapped[str] = mapped_column(String(40))  # 入力場所名 (recorded as the 入力場所 / 交付場所)
    kind: Mapped[str] = mapped_column(String(20))  # PLACE_KINDS
    ward_code: Mapped[str | None] = mapped_column(
        String(6)
    )  # designated city: the ward (区役所) it belongs to
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)

    terminals: Mapped[list[InputTerminal]] = relationship(
        back_populates="place", order_by="InputTerminal.code"
    )


class InputTerminal(TenantScoped, TimestampMixin, Base):
    """A terminal (入力端末) at one place; ``code`` is what the terminal sends as ``X-Terminal-Id``."""

    __tablename__ = "input_terminal"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60))  # 端末名 as recorded in the logs
    name: Mapped[str] = mapped_column(String(60))  # a description (窓口1番 …)
    place_id: Mapped[int] = mapped_column(ForeignKey("input_place.id"), index=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)

    place: Mapped[InputPlace] = relationship(back_populates="terminals")
