"""証明書の交付履歴 (j300): one row per issued copy.  Rows are never deleted within the retention period
(must-not-implement j300): the ORM refuses ``session.delete`` and the database refuses DELETE with triggers.
A spoiled copy is recorded as ``disposed`` instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DDL, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped


class CertificateIssuance(TenantScoped, Base):
    __tablename__ = "certificate_issuance"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (UniqueConstraint("tenant_id", "issue_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_number: Mapped[str] = mapped_column(String(120))  # 発行番号 without the page part, one per copy
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)  # 交付年月日時
    place: Mapped[str] = mapped_column(String(60))  # 交付場所
    terminal: Mapped[str] = mapped_column(String(60))  # 端末名
    printer: Mapped[str] = mapped_column(String(60))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))  # ユーザID
    login_id: Mapped[str] = mapped_column(String(60))
    certificate_type: Mapped[str] = mapped_column(String(40))  # 証明書の種別
    subjects: Mapped[list[Any]] = mapped_column(default=list)  # 交付対象者 (宛名番号)
    items_printed: Mapped[list[Any]] = mapped_column(default=list)  # 記載事項
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    pages: Mapped[int] = mapped_column(Integer)  # 枚数
    copy_index: Mapped[int] = mapped_column(Integer, default=1)  # which of the copies asked for (1-based)
    fee: Mapped[int] = mapped_column(Integer, default=0)  # 手数料 (円)
    requester_kind: Mapped[str] = mapped_column(String(30))
    purpose: Mapped[str | None] = mapped_column(Text)  # 請求の事由 / 使用目的
    content_digest: Mapped[str] = mapped_column(String(64))  # sha256 of the printed text
    signature: Mapped[str] = mapped_column(String(128))  # signature of the QR payload
    status: Mapped[str] = mapped_column(String(12), default="issued")  # issued / disposed
    disposed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    disposed_by: Mapped[str | None] = mapped_column(String(60))
    disposal_reason: Mapped[str | None] = mapped_column(Text)


class IssuanceDeletionRefusedError(Exception):
    """交付履歴は保存期間内に削除できません (j300)."""


@event.listens_for(CertificateIssuance, "before_delete")
def _refuse_delete(_mapper: Any, _connection: Any, target: CertificateIssuance) -> None:
    raise IssuanceDeletionRefusedError(f"交付履歴（発行番号 {target.issue_number}）は削除できません。")


# Statements per dialect, plain strings so the Alembic migration can run them too (no "%" in them).
NO_DELETE_DDL: dict[str, tuple[str, ...]] = {
    "postgresql": (
        """CREATE OR REPLACE FUNCTION certificate_issuance_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'certificate_issuance rows are kept: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END
$$""",
        "CREATE TRIGGER certificate_issuance_no_delete BEFORE DELETE ON certificate_issuance "
        "FOR EACH ROW EXECUTE FUNCTION certificate_issuance_refuse_delete()",
        "CREATE TRIGGER certificate_issuance_no_truncate BEFORE TRUNCATE ON certificate_issuance "
        "FOR EACH STATEMENT EXECUTE FUNCTION certificate_issuance_refuse_delete()",
    ),
    "sqlite": (
        "CREATE TRIGGER certificate_issuance_no_delete BEFORE DELETE ON certificate_issuance "
        "BEGIN SELECT RAISE(ABORT, 'certificate_issuance rows are kept: DELETE refused'); END",
    ),
}

for _dialect, _statements in NO_DELETE_DDL.items():
    for _statement in _statements:
        event.listen(
            CertificateIssuance.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect)
        )
