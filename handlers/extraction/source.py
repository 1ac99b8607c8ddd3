"""The EUC data source (j1360): the live register (住民 and 除票 still in the live tables) and the 除票用データベース
(archive), read alike.  Conditions compile to SQL per source; rows come out in one shape, in 宛名番号 order,
in chunks (keyset pagination) so that each chunk is its own short transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, false, func, literal, not_, or_, select, true
from sqlalchemy.orm import Session

from handlers.extraction.conditions import FIELDS, ChangedIn, Condition, Group, Node
from handlers.rules.kanji import fold_address
from handlers.statistics.report import CATEGORY_OF, CHANGE_CATEGORIES, REMOVAL_CATEGORIES
from models.removed import RemovedRecordArchive as RRA
from models.resident import Household, Resident, ResidentHistory

HOUSEHOLD_COLUMNS = {
    "household_number": Household.household_number,
    "address": Household.address,
    "address_katagaki": Household.address_katagaki,
    "postal_code": Household.postal_code,
    "ward_code": Household.ward_code,
}
ARCHIVE_COLUMNS = {
    "atena_number": RRA.atena_number,
    "household_number": RRA.household_number,
    "birth_date": RRA.birth_date,
    "age": RRA.birth_date,
    "removal_date": RRA.removal_date,
    "removal_reason": RRA.removal_reason,
    "status": literal("removed"),
}
OUTPUT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("atena_number", "宛名番号"),
    ("household_number", "世帯番号"),
    ("name", "氏名"),
    ("kana", "フリガナ"),
    ("birth_date", "生年月日"),
    ("sex", "性別"),
    ("postal_code", "郵便番号"),
    ("address", "住所"),
    ("address_katagaki", "方書"),
    ("resident_kind", "住民種別"),
    ("nationality", "国籍・地域"),
    ("status", "住民状態"),
    ("removal_date", "消除日"),
    ("source", "格納先"),
)


@dataclass(frozen=True)
class Scope:
    """Which persons: with or without 除票 (live removed and archived), ages counted on ``reference_date``."""

    include_removed: bool
    reference_date: dt.date


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _age_clause(birth: Any, op: str, value: Any, on: dt.date, as_text: bool) -> Any:
    """Age on ``on`` as a birth-date range: age in [low, high] ⇔ on-(high+1)y < birth <= on-low·y."""
    if op == "between":
        low, high = value
    else:
        low, high = {
            "eq": (value, value), "ne": (value, value), "ge": (value, 200), "gt": (value + 1, 200),
            "le": (0, value), "lt": (0, value - 1),
        }[op]  # fmt: skip
    latest, earliest = _years_before(on, low), _years_before(on, high + 1)
    bounds = (latest.isoformat(), earliest.isoformat()) if as_text else (latest, earliest)
    clause = and_(birth <= bounds[0], birth > bounds[1])
    return not_(clause) if op == "ne" else clause


def _compare(column: Any, cond: Condition, as_text: bool) -> Any:
    value = cond.value

    def cast(v: Any) -> Any:
        return v.isoformat() if as_text and isinstance(v, dt.date) else v

    simple = {
        "eq": lambda: column == cast(value), "ne": lambda: column != cast(value), "lt": lambda: column < cast(value),
        "le": lambda: column <= cast(value), "gt": lambda: column > cast(value), "ge": lambda: column >= cast(value),
        "between": lambda: column.between(cast(value[0]), cast(value[1])),
        "in": lambda: column.in_([cast(v) for v in value]),
        "prefix": lambda: column.startswith(value, autoescape=True),
        "contains": lambda: column.contains(value, autoescape=True),
        "is_null": lambda: or_(column.is_(None), column == ""), "not_null": lambda: and_(column.is_not(None), column != ""),
    }  # fmt: skip
    return simple[cond.op]()


def _live_condition(cond: Condition, scope: Scope) -> Any:
    if cond.field == "age":
        return _age_clause(Resident.birth_date, cond.op, cond.value, scope.reference_date, False)
    if cond.field == "address" and cond.op in ("prefix", "contains"):
        folded = Condition("address", cond.op, fold_address(str(cond.value)))
        return _compare(Household.address_key, folded, False)
    column = HOUSEHOLD_COLUMNS.get(cond.field) or getattr(Resident, cond.field)
    return _compare(column, cond, False)


def _archive_condition(cond: Condition, scope: Scope) -> Any:
    field = FIELDS[cond.field]
    if cond.field == "age":
        return _age_clause(RRA.birth_date, cond.op, cond.value, scope.reference_date, False)
    column = ARCHIVE_COLUMNS.get(cond.field)
    if column is not None:
        return _compare(column, cond, False)
    item = RRA.record[field.snapshot_key]
    return _compare(item.as_boolean() if field.type == "bool" else item.as_string(), cond, True)


def _changed_live(node: ChangedIn) -> Any:
    codes = CHANGE_CATEGORIES[node.category]
    rh = ResidentHistory
    removal_only = rh.status == "removed" if node.category in REMOVAL_CATEGORIES else true()
    return exists(
        select(rh.id).where(
            rh.atena_number == Resident.atena_number,
            rh.change_reason.in_(codes),
            rh.effective_date.between(node.start, node.end),
            removal_only,
        )
    )


def _changed_archive(node: ChangedIn) -> Any:
    """Archived 除票 are searched by their removal only (their older changes are five years and more back)."""
    if node.category not in REMOVAL_CATEGORIES:
        return false()
    codes = [c for c, cat in CATEGORY_OF.items() if cat == node.category]
    return and_(RRA.removal_reason.in_(codes), RRA.removal_date.between(node.start, node.end))


def compile_node(node: Node, scope: Scope, source: str) -> Any:
    """The SQL condition of ``node`` for ``source`` (live / archive)."""
    if isinstance(node, Group):
        parts = [compile_node(item, scope, source) for item in node.items]
        if not parts:
            return true()
        return and_(*parts) if node.mode == "and" else or_(*parts)
    if isinstance(node, ChangedIn):
        return _changed_live(node) if source == "live" else _changed_archive(node)
    return _live_condition(node, scope) if source == "live" else _archive_condition(node, scope)


def _live_select(node: Node, scope: Scope) -> Select:
    columns = (
        Resident.atena_number, Household.household_number, Resident.family_name, Resident.given_name,
        Resident.name_alphabet, Resident.family_name_kana, Resident.given_name_kana, Resident.birth_date,
        Resident.sex, Household.postal_code, Household.address, Household.address_katagaki,
        Resident.resident_kind, Resident.nationality, Resident.status, Resident.removal_date,
    )  # fmt: skip
    stmt = select(*columns).join(Household, Household.id == Resident.household_id)
    if not scope.include_removed:
        stmt = stmt.where(Resident.status != "removed")
    return stmt.where(compile_node(node, scope, "live"))


def _archive_select(node: Node, scope: Scope) -> Select[Any]:
    def rec(key: str) -> Any:
        return RRA.record[key].as_string()

    columns = (
        RRA.atena_number, RRA.household_number, rec("family_name"), rec("given_name"), rec("name_alphabet"),
        rec("family_name_kana"), rec("given_name_kana"), RRA.birth_date, rec("sex"), rec("household_postal_code"),
        rec("household_address"), rec("household_address_katagaki"), rec("resident_kind"), rec("nationality"),
        literal("removed"), RRA.removal_date,
    )  # fmt: skip
    return select(*columns).where(compile_node(node, scope, "archive"))


def sources(scope: Scope) -> tuple[str, ...]:
    return ("live", "archive") if scope.include_removed else ("live",)


def _statement(node: Node, scope: Scope, source: str) -> Select[Any]:
    return _live_select(node, scope) if source == "live" else _archive_select(node, scope)


def _key_column(source: str) -> Any:
    return Resident.atena_number if source == "live" else RRA.atena_number


def count_matches(session: Session, node: Node, scope: Scope) -> int:
    total = 0
    for source in sources(scope):
        inner = _statement(node, scope, source).subquery()
        total += int(session.scalar(select(func.count()).select_from(inner)) or 0)
    return total


def fetch_chunk(
    session: Session, node: Node, scope: Scope, source: str, after: str | None, size: int
) -> list[dict[str, Any]]:
    """The next ``size`` rows of ``source`` after 宛名番号 ``after``, streamed with yield_per."""
    key = _key_column(source)
    stmt = _statement(node, scope, source).order_by(key).limit(size)
    if after is not None:
        stmt = stmt.where(key > after)
    result = session.execute(stmt.execution_options(yield_per=min(size, 1000)))
    return [_row(values, source) for values in result]


def fetch_keys(session: Session, node: Node, scope: Scope) -> Iterator[tuple[str, str]]:
    """(source, 宛名番号) of every match, in order (for sampling)."""
    for source in sources(scope):
        stmt = (
            _statement(node, scope, source)
            .with_only_columns(_key_column(source))
            .order_by(_key_column(source))
        )
        for (atena,) in session.execute(stmt.execution_options(yield_per=5000)):
            yield source, atena


def fetch_by_keys(
    session: Session, node: Node, scope: Scope, source: str, keys: list[str]
) -> list[dict[str, Any]]:
    stmt = _statement(node, scope, source).where(_key_column(source).in_(keys)).order_by(_key_column(source))
    return [_row(values, source) for values in session.execute(stmt)]


def _row(values: Any, source: str) -> dict[str, Any]:
    (atena, household, family, given, alphabet, fkana, gkana, birth, sex, postal, address, katagaki, kind,
     nationality, status, removal) = values  # fmt: skip
    name = " ".join(p for p in (family, given) if p) or alphabet or ""
    return {
        "atena_number": atena, "household_number": household, "name": name,
        "kana": " ".join(p for p in (fkana, gkana) if p), "birth_date": birth, "sex": sex, "postal_code": postal,
        "address": address, "address_katagaki": katagaki, "resident_kind": kind, "nationality": nationality,
        "status": status, "removal_date": removal, "source": "除票用DB" if source == "archive" else "住民記録DB",
    }  # fmt: skip
