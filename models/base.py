"""Declarative base, shared column types and the tenant mixin.

Models hold data only; every rule lives in ``handlers/``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Integer, MetaData, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSON on SQLite, JSONB on PostgreSQL.  Use sqlalchemy.type_coerce(col, JSONB) for JSONB operators.
JsonType = JSON().with_variant(JSONB(), "postgresql")

# Integer primary keys that are BIGINT on PostgreSQL but stay INTEGER on SQLite (so ROWID aliasing works).
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JsonType, list[Any]: JsonType}


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class TenantScoped:
    """Marker mixin: every row belongs to exactly one municipality (tenant).

    ``handlers.tenancy`` filters every ORM query on these models by the session's tenant and refuses to
    flush a row of another tenant.  Nothing else may bypass it.

    ``tenant_id`` gets an index of its own unless the model sets ``tenant_id_indexed = False`` because one
    of its unique keys or indexes already starts with ``tenant_id`` (a second index on the same leading
    column serves no query and costs every insert; tests/unit/test_model_indexes.py keeps it so).
    """

    tenant_id_indexed: ClassVar[bool] = True

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805 - declared_attr convention
        return mapped_column(ForeignKey("municipality.id"), index=cls.tenant_id_indexed, nullable=False)
