"""The ward (区) of the resident search in a designated city (j340): the city's wards, the operator's own ward
as the search screen's default, and the check of a ward asked for.  Outside designated cities there are no
wards and no default."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from handlers.errors import Problem
from handlers.permissions import require
from handlers.uow import UnitOfWork
from models.tenant import Municipality, Ward


@dataclass(frozen=True)
class SearchWards:
    wards: dict[str, str]  # code → name, in code order; empty outside designated cities
    default: str | None  # the operator's ward (the screen's default), when it is one of them


def _wards(uow: UnitOfWork) -> dict[str, str]:
    """The wards of the actor's municipality if it is a designated city (one query)."""
    rows = uow.session.execute(
        select(Ward.code, Ward.name)
        .join(Municipality, Municipality.id == Ward.municipality_id)
        .where(Ward.municipality_id == uow.actor.tenant_id, Municipality.kind == "designated_city")
        .order_by(Ward.code)
    )
    return {code: name for code, name in rows}


def search_wards(uow: UnitOfWork) -> SearchWards:
    """The wards a search may keep to, and the one the screen starts with: the operator's ward."""
    require(uow.actor, "resident.search")
    wards = _wards(uow)
    ward = uow.actor.ward_code
    return SearchWards(wards, ward if ward in wards else None)


def ward_problems(uow: UnitOfWork, ward_code: str | None) -> list[Problem]:
    """A ward asked for must be one of the municipality's (none outside designated cities)."""
    if not (ward_code or "").strip() or (ward_code or "").strip() in _wards(uow):
        return []
    return [Problem("ward_code", "区", "この市区町村の区ではありません", "区を選び直してください", "invalid")]
