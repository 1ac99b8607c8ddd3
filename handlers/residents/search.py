"""Resident search (j320–j340): kana with folding, kanji with variant folding, birth date in 和暦 or 西暦,
sex, address and every identifier; tenant-scoped, logged, and marking protected persons (支援措置).

Kana searches are a prefix match on the folded ``kana_key`` (a btree range scan on (tenant_id, kana_key),
byte-ordered); a given-name-only search matches ``given_kana_key``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, cast

from sqlalchemy import Row, Select, and_, bindparam, select, text, tuple_

from handlers.audit import record_access
from handlers.errors import Problem, ValidationError
from handlers.permissions import require
from handlers.residents.history import display_name
from handlers.residents.items import SEX_LABELS, STATUS_LABELS
from handlers.residents.protection import active_measures_by_person, protection_label
from handlers.residents.search_keys import name_search_key
from handlers.rules.date_input import DateInputError, parse_calendar_date
from handlers.rules.dates import format_resident_date
from handlers.rules.digits import ascii_digits, ascii_hyphens
from handlers.rules.kana import fold_kana
from handlers.rules.kanji import fold_address
from handlers.support_measures import protected_flag
from handlers.tenancy import built_once
from handlers.uow import UnitOfWork
from models.resident import Household, Resident

DEFAULT_LIMIT = 50  # one page of hits; the next page continues after the last one (``after``)
CURSOR_SEPARATOR = "|"


@dataclass(frozen=True)
class ResidentQuery:
    kana: str | None = None  # 氏名カナ (氏から、または氏名の先頭から)
    given_kana: str | None = None  # 名のカナだけ
    name: str | None = None  # 漢字氏名・アルファベット氏名・通称
    birth_date: str | None = None  # 和暦・西暦
    sex: str | None = None
    address: str | None = None
    atena_number: str | None = None
    household_number: str | None = None
    my_number: str | None = None
    resident_code: str | None = None
    residence_card_number: str | None = None
    special_permanent_certificate_number: str | None = None
    include_removed: bool = False
    limit: int = DEFAULT_LIMIT
    after: str | None = None  # the cursor of the previous page's last hit (``SearchResults.next_after``)

    def criteria(self) -> list[str]:
        """Names of the conditions given (for the access log: never the values)."""
        skip = {"include_removed", "limit", "after"}
        return [f.name for f in fields(self) if f.name not in skip and (getattr(self, f.name) or "").strip()]


@dataclass(frozen=True)
class ResidentHit:
    atena_number: str
    household_number: str
    name: str
    kana: str
    birth_date: str
    sex: str
    address: str
    status: str
    status_label: str
    resident_kind: str
    protected: bool
    protection_label: str = ""  # 支援措置中 / 仮支援措置中 (j160)
    measure_ids: tuple[int, ...] = ()  # only for users with support.view (the link to the measure)

    def to_json(self) -> dict[str, Any]:
        """The hit as a JSON object (as ``dataclasses.asdict`` gives it, without its deep copies)."""
        return {**vars(self), "measure_ids": list(self.measure_ids)}


class SearchResults(list[ResidentHit]):
    """The hits, whether more matched than the limit (``truncated``), and the cursor of the next page."""

    truncated: bool = False
    next_after: str | None = None


def _like_prefix(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _starts_with(column: Any, name: str) -> Any:
    """A prefix match the planner can always serve from the btree: a byte range (search keys are COLLATE "C")
    beside the exact LIKE.  Under PostgreSQL row-level security a LIKE alone is not leakproof, so it is never
    used as an index condition and the search would scan the whole register.  Values: ``_prefix_values``."""
    return and_(
        column >= bindparam(f"{name}_from"),
        column < bindparam(f"{name}_to"),
        column.like(bindparam(f"{name}_like"), escape="\\"),
    )


def _prefix_values(name: str, prefix: str) -> dict[str, str]:
    return {f"{name}_from": prefix, f"{name}_to": prefix + "\U0010ffff", f"{name}_like": _like_prefix(prefix)}


def _like_contains(value: str) -> str:
    return "%" + _like_prefix(value)


def _number(value: str) -> str:
    return ascii_hyphens(ascii_digits(value)).replace("-", "").replace(" ", "").replace("\u3000", "").upper()


def _birth_date(text: str) -> dt.date:
    try:
        return parse_calendar_date(text)
    except DateInputError as err:
        raise ValidationError([err.to_problem("birth_date", "生年月日")]) from err


# Each condition a query may give: its part of the statement (values bound at execution) and its values.
_EXACT_COLUMNS = {
    "atena_number": Resident.atena_number,
    "household_number": Household.household_number,
    "my_number": Resident.my_number,
    "resident_code": Resident.resident_code,
    "residence_card_number": Resident.residence_card_number,
    "special_permanent_certificate_number": Resident.special_permanent_certificate_number,
}


def _equals(column: Any, name: str) -> Callable[[], Any]:
    return lambda: column == bindparam(name)


_CONDITIONS: dict[str, Callable[[], Any]] = {
    "kana": lambda: _starts_with(Resident.kana_key, "kana"),
    "given_kana": lambda: _starts_with(Resident.given_kana_key, "given_kana"),
    "name": lambda: Resident.name_key.like(bindparam("name"), escape="\\"),
    "address": lambda: Household.address_key.like(bindparam("address"), escape="\\"),
    **{name: _equals(column, name) for name, column in _EXACT_COLUMNS.items()},
    "birth_date": lambda: Resident.birth_date == bindparam("birth_date"),
    "sex": lambda: Resident.sex == bindparam("sex"),
}


def _condition_values(name: str, value: str) -> dict[str, Any]:
    if name in ("kana", "given_kana"):
        return _prefix_values(name, fold_kana(value))
    if name == "name":
        return {name: _like_contains(name_search_key(value))}
    if name == "address":
        return {name: _like_contains(fold_address(value))}
    if name == "birth_date":
        return {name: _birth_date(value)}
    if name == "sex":
        return {name: value.strip()}
    return {name: _number(value)}


# the columns a hit shows: a page never loads the other ~80 columns of a person or household
_HIT_COLUMNS = (
    Resident.atena_number, Resident.kana_key, Resident.family_name, Resident.given_name,
    Resident.name_alphabet, Resident.family_name_kana, Resident.given_name_kana, Resident.birth_date,
    Resident.birth_date_text, Resident.resident_kind, Resident.sex, Resident.status,
)  # fmt: skip
_HIT_HOUSEHOLD_COLUMNS = (Household.household_number, Household.address, Household.address_katagaki)
_PROTECTED = protected_flag(Resident.atena_number)  # built once: a subquery costs more to build than to run


def _cursor(row: Row[Any]) -> str:
    return f"{row.kana_key}{CURSOR_SEPARATOR}{row.atena_number}"


def _after_values(after: str) -> dict[str, str]:
    """Keyset paging: the hits that sort after the cursor, read from the same index range."""
    kana_key, separator, atena_number = after.rpartition(CURSOR_SEPARATOR)
    if not separator or not atena_number.isdigit():
        raise ValidationError(
            [
                Problem(
                    "after",
                    "次ページ",
                    "ページの指定が正しくありません",
                    "検索をやり直してください",
                    "invalid",
                )
            ]
        )
    return {"after_kana_key": kana_key, "after_atena_number": atena_number}


@functools.lru_cache(maxsize=64)
def _shape_statement(
    conditions: tuple[str, ...], include_removed: bool, paged: bool, limit: int
) -> Select[Any]:
    """The page's statement for one shape of query (which conditions are given), built once per shape: the
    page's columns as plain rows (no ORM objects: a page of 50 persons and households built as entities cost
    more than the query), with whether each hit is protected."""
    columns: tuple[Any, ...] = (*_HIT_COLUMNS, *_HIT_HOUSEHOLD_COLUMNS, _PROTECTED)
    stmt: Select[Any] = select(*columns).select_from(Resident).join(Resident.household)
    for name in conditions:
        stmt = stmt.where(_CONDITIONS[name]())
    if not include_removed:
        stmt = stmt.where(Resident.status != "removed")
    if paged:
        stmt = stmt.where(
            tuple_(Resident.kana_key, Resident.atena_number)
            > tuple_(bindparam("after_kana_key"), bindparam("after_atena_number"))
        )
    return built_once(stmt.order_by(Resident.kana_key, Resident.atena_number).limit(limit + 1))


def _given(query: ResidentQuery) -> tuple[str, ...]:
    return tuple(name for name in _CONDITIONS if (value := getattr(query, name)) and value.strip())


def _statement(
    query: ResidentQuery, given: tuple[str, ...] | None = None
) -> tuple[Select[Any], dict[str, Any]]:
    """The statement of the query's shape (``given``: its conditions, when already known) and its values."""
    given = _given(query) if given is None else given
    values: dict[str, Any] = {}
    for name in given:
        values.update(_condition_values(name, getattr(query, name)))
    if query.after:
        values.update(_after_values(query.after))
    return _shape_statement(given, query.include_removed, bool(query.after), query.limit), values


# Shapes of one condition that an index serves whatever its value (a key range, an equality): PostgreSQL's
# generic plan for them is the plan it picks for any value, but the planner's estimate of the range without
# values keeps it planning the kana search anew at every execution (≈ 0.5 ms of the backend's ≈ 1.9 per
# search on the 1M register).  For these shapes the transaction uses generic plans (SET LOCAL: the setting
# ends with it); a shape of several conditions keeps per-value plans, which may choose between indexes.
_GENERIC_PLAN_SHAPES = frozenset({("kana",), ("given_kana",), *((name,) for name in _EXACT_COLUMNS)})
_GENERIC_PLANS = text("SET LOCAL plan_cache_mode = force_generic_plan")


def _plan_once(uow: UnitOfWork, given: tuple[str, ...]) -> None:
    if given in _GENERIC_PLAN_SHAPES and uow.session.get_bind().dialect.name == "postgresql":
        uow.session.execute(_GENERIC_PLANS)


def _hit(row: Row[Any], measures: dict[str, list[dict[str, Any]]]) -> ResidentHit:
    # unpacked in the order of the statement's columns (_HIT_COLUMNS, _HIT_HOUSEHOLD_COLUMNS, _PROTECTED): a
    # Row's attributes by name cost more than the rest of a hit
    (atena_number, _kana_key, _family, _given, _alphabet, family_kana, given_kana, birth_date, birth_date_text,
     kind, sex, status, household_number, address, katagaki, _protected) = cast(tuple[Any, ...], row)  # fmt: skip
    found = measures.get(atena_number, [])
    return ResidentHit(
        atena_number=atena_number,
        household_number=household_number,
        name=display_name(row),
        kana=" ".join(p for p in (family_kana, given_kana) if p),
        birth_date=format_resident_date("birth_date", birth_date, birth_date_text, kind),
        sex=SEX_LABELS.get(sex, ""),
        address=" ".join(p for p in (address, katagaki) if p),
        status=status,
        status_label=STATUS_LABELS.get(status, status),
        resident_kind=kind,
        protected=atena_number in measures,
        protection_label=protection_label(found),
        measure_ids=tuple(m["id"] for m in found if m["id"] is not None),
    )


def search_residents(uow: UnitOfWork, query: ResidentQuery) -> SearchResults:
    """Persons of the actor's municipality matching every given condition, at most ``query.limit``."""
    require(uow.actor, "resident.search")
    if not query.criteria():
        raise ValidationError(
            [
                Problem(
                    "query",
                    "検索条件",
                    "検索条件が入力されていません",
                    "カナ氏名などの検索条件を一つ以上入力してください",
                    "required",
                )
            ]
        )
    given = _given(query)
    statement, values = _statement(query, given)
    _plan_once(uow, given)
    rows = list(uow.session.execute(statement, values))
    results = SearchResults()
    results.truncated = len(rows) > query.limit
    rows = rows[: query.limit]
    results.next_after = _cursor(rows[-1]) if results.truncated else None
    measures = active_measures_by_person(uow, [r.atena_number for r in rows if r.is_protected])
    results.extend(_hit(r, measures) for r in rows)
    record_access(
        uow,
        "resident_searched",
        "search",
        [hit.atena_number for hit in results],
        detail={"criteria": query.criteria(), "count": len(results), "truncated": results.truncated},
    )
    return results
