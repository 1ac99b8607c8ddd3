"""Tenant isolation, decided in one place.

Every ORM statement run by a session opened through ``handlers.uow`` is filtered by the session's tenant
(``session.info["tenant_id"]``), including relationship and lazy loads, bulk UPDATE and DELETE.  A session
with no tenant that touches tenant-scoped data fails closed.  On flush, a new row takes the session's tenant
and a row of another tenant is refused.  Only system batches that say so (``cross_tenant=True``) see all.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Executable, event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from handlers import rls
from handlers.errors import TenancyError
from models.base import TenantScoped

TENANT_KEY = "tenant_id"
CROSS_TENANT_KEY = "cross_tenant"


def bind_session(session: Session, tenant_id: int | None, *, cross_tenant: bool = False) -> None:
    """Scope ``session``; on PostgreSQL the row-level security settings follow (``handlers.rls``)."""
    session.info[TENANT_KEY] = tenant_id
    session.info[CROSS_TENANT_KEY] = cross_tenant
    rls.rescope_session(session)


def session_tenant(session: Session) -> int | None:
    return session.info.get(TENANT_KEY)


def _touches_tenant_data(state: ORMExecuteState) -> bool:
    return any(issubclass(m.class_, TenantScoped) for m in state.all_mappers)


@event.listens_for(Session, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    if state.is_column_load or state.is_relationship_load:
        return  # criteria added to the parent statement propagate to these loads
    if not (state.is_select or state.is_update or state.is_delete):
        return
    info = state.session.info
    if info.get(CROSS_TENANT_KEY):
        return
    tenant_id = info.get(TENANT_KEY)
    if tenant_id is None:
        if _touches_tenant_data(state):
            raise TenancyError("テナント（市区町村）が設定されていないため、住民データにアクセスできません。")
        return
    state.statement = _scoped(state.statement, tenant_id)


# Statements built once and run on every request (``built_once``), and their tenant-scoped forms per tenant,
# keyed by the statement's id and kept with the statement itself (an id is only trusted while its object is
# held here).  A statement derived from one of them (``.where`` …) is another object and is scoped anew each
# time, as every other statement.  Both are bounded: past the bound a statement is simply scoped at each run.
MAX_BUILT_ONCE = 256
MAX_SCOPED = 1024
_BUILT_ONCE: dict[int, Executable] = {}
_SCOPED: dict[tuple[int, int], tuple[Executable, Executable]] = {}

S = TypeVar("S", bound=Executable)


def built_once(statement: S) -> S:
    """Mark a statement built once (at import, or once per shape of query) and run many times with its
    parameters bound at execution: its tenant-scoped form is made once per tenant and kept, so it is neither
    copied nor its cache key computed again at every execution."""
    if len(_BUILT_ONCE) < MAX_BUILT_ONCE:
        _BUILT_ONCE[id(statement)] = statement
    return statement


def _scoped(statement: Executable, tenant_id: int) -> Executable:
    """``statement`` filtered by the tenant (``_tenant_criteria``); kept for statements ``built_once``."""
    key = (id(statement), tenant_id)
    kept = _SCOPED.get(key)
    if kept is not None and kept[0] is statement:
        return kept[1]
    scoped = statement.options(_tenant_criteria(tenant_id))
    if _BUILT_ONCE.get(id(statement)) is statement and len(_SCOPED) < MAX_SCOPED:
        _SCOPED[key] = (statement, scoped)
    return scoped


_CRITERIA: dict[int, Any] = {}


def _tenant_criteria(tenant_id: int) -> Any:
    """The loader criteria option of one tenant, built once per tenant and process (options are immutable;
    building one analyses its lambda, which every statement paid for)."""
    option = _CRITERIA.get(tenant_id)
    if option is None:
        option = _CRITERIA[tenant_id] = _build_criteria(tenant_id)
    return option


def _build_criteria(tenant_id: int) -> Any:
    return with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)


def check_row_tenant(session: Session, tenant_id: int | None) -> None:
    """The flush's check (below) for a row written by a Core INSERT instead of the unit of work."""
    if not session.info.get(CROSS_TENANT_KEY):
        _check_tenant(session, tenant_id)


@event.listens_for(Session, "before_flush")
def _check_rows(session: Session, _ctx: Any, _instances: Any) -> None:
    if session.info.get(CROSS_TENANT_KEY):
        return
    new = session.new  # built anew on every access: once per flush, not once per row
    for obj in list(new) + list(session.dirty) + list(session.deleted):
        _check_row(session, obj, is_new=obj in new)


def admit_new_row(session: Session, obj: Any) -> None:
    """The flush's rule for a new row written by a Core INSERT instead (``handlers.row_writes``): it takes
    the session's tenant when it names none, and a row of another tenant is refused."""
    if not session.info.get(CROSS_TENANT_KEY):
        _check_row(session, obj, is_new=True)


def admit_changed_row(session: Session, obj: Any) -> None:
    """The flush's rule for a changed row written by a Core UPDATE instead (``handlers.row_writes``)."""
    if not session.info.get(CROSS_TENANT_KEY):
        _check_row(session, obj, is_new=False)


def _check_row(session: Session, obj: Any, *, is_new: bool) -> None:
    if not isinstance(obj, TenantScoped):
        return
    if is_new and obj.tenant_id is None:
        obj.tenant_id = _writing_tenant(session)
    _check_tenant(session, obj.tenant_id)


def _writing_tenant(session: Session) -> int:
    """The session's tenant, or the refusal to write tenant data without one."""
    tenant_id = session.info.get(TENANT_KEY)
    if tenant_id is None:
        raise TenancyError("テナント（市区町村）が設定されていないため、住民データを書き込めません。")
    return tenant_id


def _check_tenant(session: Session, tenant_id: int | None) -> None:
    """Refuse a write of a row of ``tenant_id`` unless it is the session's tenant."""
    if tenant_id != _writing_tenant(session):
        raise TenancyError("他の市区町村のデータは変更できません。")
