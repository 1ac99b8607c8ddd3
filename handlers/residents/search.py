"""Resident search (j320–j340): kana with folding, kanji with variant folding, 旧氏 and the フリガナ of 旧氏・通称,
birth date in 和暦 or 西暦, sex, 続柄, address and 住所コード, the ward of a designated city, 消除事由, every
identifier and items left blank; with former names and addresses on request; tenant-scoped, logged, and
marking protected persons (支援措置).  The conditions themselves are ``search_conditions``.

Kana searches are a prefix match on the folded ``kana_key`` (a btree range scan on (tenant_id, kana_key),
byte-ordered); a given-name-only search matches ``given_kana_key``.  Former names and addresses are rows of
``resident_search_key`` (``search_key_rows``): a search asking for them reads a second part from that index and
merges the two pages in search order.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from sqlalchemy import Row, Select, bindparam, false, not_, or_, select, text, tuple_, union_all

from handlers.audit import record_access
from handlers.errors import Problem, ValidationError
from handlers.permissions import require
from handlers.residents.history import display_name
from handlers.residents.items import SEX_LABELS, STATUS_LABELS
from handlers.residents.protection import active_measures_by_person, protection_label
from handlers.residents.search_conditions import (
    CONDITIONS,
    EXACT_CONDITIONS,
    SCOPE_CONDITIONS,
    blank_clause,
    bound_values,
    clause,
    condition_problems,
    past_conditions,
    past_flags,
    past_match,
)
from handlers.residents.search_wards import ward_problems
from handlers.rules.dates import format_resident_date
from handlers.support_measures import protected_flag
from handlers.tenancy import built_once
from handlers.uow import UnitOfWork
from models.resident import Household, Resident

DEFAULT_LIMIT = 50  # one page of hits; the next page continues after the last one (``after``)
CURSOR_SEPARATOR = "|"
PAST_LABELS = {"name": "旧氏名で一致", "address": "旧住所で一致"}


@dataclass(frozen=True)
class ResidentQuery:
    kana: str | None = None  # 氏名カナ (氏から、または氏名の先頭から)
    given_kana: str | None = None  # 名のカナだけ
    name: str | None = None  # 漢字氏名・アルファベット氏名・通称
    former_surname: str | None = None  # 旧氏 (漢字)
    former_surname_kana: str | None = None  # 旧氏のフリガナ (先頭から)
    alias_kana: str | None = None  # 通称のフリガナ (先頭から)
    birth_date: str | None = None  # 和暦・西暦
    sex: str | None = None
    relation_to_head: str | None = None  # 続柄 (部分一致)
    address: str | None = None
    address_code: str | None = None  # 住所コード (先頭から)
    ward_code: str | None = (
        None  # 区 (指定都市): the screen's default is the operator's ward (``search_wards``)
    )
    removal_reason: str | None = None  # 消除事由 (異動事由 code): asks for 除票
    atena_number: str | None = None
    household_number: str | None = None
    my_number: str | None = None
    resident_code: str | None = None
    residence_card_number: str | None = None
    special_permanent_certificate_number: str | None = None
    blank: frozenset[str] = frozenset()  # items that must be left blank (データ未入力): ``BLANK_ITEMS``
    include_removed: bool = False
    include_past: bool = False  # also match former names and addresses (氏名・カナ・住所)
    limit: int = DEFAULT_LIMIT
    after: str | None = None  # the cursor of the previous page's last hit (``SearchResults.next_after``)

    def given(self) -> tuple[str, ...]:
        """The value conditions given, in the order of ``CONDITIONS``."""
        return tuple(name for name in CONDITIONS if (value := getattr(self, name)) and value.strip())

    def criteria(self) -> list[str]:
        """Names of the conditions given (for the access log: never the values)."""
        return [*self.given(), *(f"blank:{item}" for item in sorted(self.blank))]

    def finds_removed(self) -> bool:
        """除票 are found only when asked for: by ``include_removed`` or by asking for a 消除事由."""
        return self.include_removed or bool((self.removal_reason or "").strip())


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
    matched_past: tuple[
        str, ...
    ] = ()  # "name" / "address": found by a former name or address, not the current

    @property
    def past_match_label(self) -> str:
        """旧氏名で一致 / 旧住所で一致, for a hit found by what the person had before."""
        return "・".join(PAST_LABELS[kind] for kind in self.matched_past)

    def to_json(self) -> dict[str, Any]:
        """The hit as a JSON object (as ``dataclasses.asdict`` gives it, without its deep copies)."""
        return {
            **vars(self),
            "measure_ids": list(self.measure_ids),
            "matched_past": list(self.matched_past),
            "past_match_label": self.past_match_label,
        }


class SearchResults(list[ResidentHit]):
    """The hits, whether more matched than the limit (``truncated``), and the cursor of the next page."""

    truncated: bool = False
    next_after: str | None = None


class Shape(NamedTuple):
    """What a statement depends on besides its values: built once per shape (``_shape_statement``)."""

    conditions: tuple[str, ...]
    blank: tuple[str, ...]
    include_removed: bool
    past: tuple[str, ...]  # the conditions also matched on former names and addresses
    paged: bool
    limit: int


# the columns a hit shows: a page never loads the other ~80 columns of a person or household
_HIT_COLUMNS = (
    Resident.atena_number, Resident.kana_key, Resident.family_name, Resident.given_name,
    Resident.name_alphabet, Resident.family_name_kana, Resident.given_name_kana, Resident.birth_date,
    Resident.birth_date_text, Resident.resident_kind, Resident.sex, Resident.status,
)  # fmt: skip
_HIT_HOUSEHOLD_COLUMNS = (Household.household_number, Household.address, Household.address_katagaki)
_PROTECTED = protected_flag(Resident.atena_number)  # built once: a subquery costs more to build than to run
_COLUMNS: tuple[Any, ...] = (*_HIT_COLUMNS, *_HIT_HOUSEHOLD_COLUMNS, _PROTECTED)


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


def _page(stmt: Select[Any], shape: Shape) -> Select[Any]:
    """Every condition that is not a name or address the person may have had, the 除票 rule and the page."""
    for name in shape.conditions:
        if name not in shape.past:
            stmt = stmt.where(clause(name))
    for item in shape.blank:
        stmt = stmt.where(blank_clause(item))
    if not shape.include_removed:
        stmt = stmt.where(Resident.status != "removed")
    if shape.paged:
        stmt = stmt.where(
            tuple_(Resident.kana_key, Resident.atena_number)
            > tuple_(bindparam("after_kana_key"), bindparam("after_atena_number"))
        )
    return stmt.order_by(Resident.kana_key, Resident.atena_number).limit(shape.limit + 1)


def _current_part(shape: Shape, *flags: Any) -> Select[Any]:
    stmt = select(*_COLUMNS, *flags).select_from(Resident).join(Resident.household)
    for name in shape.past:
        stmt = stmt.where(clause(name))
    return _page(stmt, shape)


def _past_parts(shape: Shape) -> list[Select[Any]]:
    """The persons found only through a former name or address: each name or address condition holds on the
    current register or on a former key, one at least on a former key only.  One part per such condition,
    read from its former keys (``ix_resident_search_key_lookup``), so a part costs what the former keys
    matching cost: part *i* holds the persons whose first condition met only by a former key is the *i*-th
    (the earlier ones hold on the current register), so no person is in two parts."""
    parts = []
    for index, name in enumerate(shape.past):
        stmt = select(*_COLUMNS, *past_flags(shape.past)).select_from(Resident).join(Resident.household)
        stmt = stmt.where(past_match(name), not_(clause(name)))
        stmt = stmt.where(*(clause(earlier) for earlier in shape.past[:index]))
        stmt = stmt.where(*(or_(clause(later), past_match(later)) for later in shape.past[index + 1 :]))
        parts.append(_page(stmt, shape))
    return parts


@functools.lru_cache(maxsize=128)
def _shape_statement(shape: Shape) -> Select[Any]:
    """The page's statement for one shape of query, built once per shape: the page's columns as plain rows
    (no ORM objects: a page of 50 persons and households built as entities cost more than the query), with
    whether each hit is protected; with former names and addresses, the current and the former part each
    read their page and the two are merged in search order."""
    if not shape.past:
        return built_once(_current_part(shape))
    parts = [
        _current_part(shape, false().label("past_name"), false().label("past_address")),
        *_past_parts(shape),
    ]
    merged = union_all(*(select(part.subquery()) for part in parts)).subquery()
    return built_once(
        select(merged).order_by(merged.c.kana_key, merged.c.atena_number).limit(shape.limit + 1)
    )


def _shape(query: ResidentQuery, given: tuple[str, ...]) -> Shape:
    past = past_conditions(given) if query.include_past else ()
    return Shape(
        given, tuple(sorted(query.blank)), query.finds_removed(), past, bool(query.after), query.limit
    )


def _statement(
    query: ResidentQuery, given: tuple[str, ...] | None = None
) -> tuple[Select[Any], dict[str, Any]]:
    """The statement of the query's shape (``given``: its conditions, when already known) and its values."""
    given = query.given() if given is None else given
    values: dict[str, Any] = {}
    for name in given:
        values.update(bound_values(name, getattr(query, name)))
    if query.after:
        values.update(_after_values(query.after))
    return _shape_statement(_shape(query, given)), values


# Shapes of one condition that an index serves whatever its value (a key range, an equality): PostgreSQL's
# generic plan for them is the plan it picks for any value, but the planner's estimate of the range without
# values keeps it planning the kana search anew at every execution (≈ 0.5 ms of the backend's ≈ 1.9 per
# search on the 1M register).  For these shapes the transaction uses generic plans (SET LOCAL: the setting
# ends with it); a shape of several conditions keeps per-value plans, which may choose between indexes.
_GENERIC_PLAN_SHAPES = frozenset({("kana",), ("given_kana",), *((name,) for name in EXACT_CONDITIONS)})
_GENERIC_PLANS = text("SET LOCAL plan_cache_mode = force_generic_plan")


def _plan_once(uow: UnitOfWork, query: ResidentQuery, given: tuple[str, ...]) -> None:
    generic = given in _GENERIC_PLAN_SHAPES and not query.blank and not query.include_past
    if generic and uow.session.get_bind().dialect.name == "postgresql":
        uow.session.execute(_GENERIC_PLANS)


def _hit(row: Row[Any], measures: dict[str, list[dict[str, Any]]]) -> ResidentHit:
    # unpacked in the order of the statement's columns (_HIT_COLUMNS, _HIT_HOUSEHOLD_COLUMNS, _PROTECTED and,
    # with former names and addresses, the two flags): a Row's attributes by name cost more than the rest
    (atena_number, _kana_key, _family, _given, _alphabet, family_kana, given_kana, birth_date, birth_date_text,
     kind, sex, status, household_number, address, katagaki, _protected, *flags) = cast(tuple[Any, ...], row)  # fmt: skip
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
        matched_past=tuple(kind for kind, flag in zip(PAST_LABELS, flags, strict=False) if flag),
    )


def _problems(uow: UnitOfWork, query: ResidentQuery, given: tuple[str, ...]) -> list[Problem]:
    if not set(given) - set(SCOPE_CONDITIONS) and not query.blank:
        return [
            Problem(
                "query",
                "検索条件",
                "検索条件が入力されていません",
                "カナ氏名などの検索条件を一つ以上入力してください（区だけでは検索できません）",
                "required",
            )
        ]
    values = {name: getattr(query, name).strip() for name in given}
    return condition_problems(values, query.blank) + ward_problems(uow, query.ward_code)


def search_residents(uow: UnitOfWork, query: ResidentQuery) -> SearchResults:
    """Persons of the actor's municipality matching every given condition, at most ``query.limit``."""
    require(uow.actor, "resident.search")
    given = query.given()
    if problems := _problems(uow, query, given):
        raise ValidationError(problems)
    statement, values = _statement(query, given)
    _plan_once(uow, query, given)
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
