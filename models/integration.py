"""Per-tenant configuration of the systems notices are delivered to (CS, 団体内統合宛名, 宛名連携 subscribers,
戸籍附票 system, other municipalities through the relay)."""

from __future__ import annotations

from sqlalchemy import Boolean, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped, TimestampMixin

DESTINATION_KINDS = ("http_json", "file_drop", "relay", "inquiry", "pf_file", "pf_file_sjis")
SUBSCRIPTIONS = ("full", "realtime_delta", "near_realtime_delta")  # 宛名連携 (j1190)


class IntegrationDestination(TenantScoped, TimestampMixin, Base):
    """Where the notices of one outbox destination go.

    ``name`` is the outbox destination (``cs``, ``addressee``, ``koseki_fuhyo``, ``municipality:<code>`` or the
    catch-all ``municipality:*``) or, for a 宛名連携 subscriber, ``subscriber:<name>`` with a ``subscription``.
    """

    __tablename__ = "integration_destination"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(12))  # DESTINATION_KINDS
    url: Mapped[str | None] = mapped_column(String(300))  # http_json: endpoint; relay: relay service URL
    directory: Mapped[str | None] = mapped_column(String(300))  # file_drop
    secret: Mapped[str | None] = mapped_column(Text)  # HMAC-SHA256 key
    subscription: Mapped[str | None] = mapped_column(String(24))  # SUBSCRIPTIONS, subscribers only
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # 宛名連携: may receive the addresses of protected persons and their households (else blanked, flag kept)
    receives_protected: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # 宛名連携: the subscriber's name as the screens show it (宛名連携先「介護保険」); none: the name's code
    display_name: Mapped[str | None] = mapped_column(String(60))
