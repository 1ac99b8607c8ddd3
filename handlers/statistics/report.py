"""住民基本台帳関係年報 (j1080): population and households on a date by sex, age group and Japanese/foreign,
and the changes in a period by reason category; and the 中長期在留者 report by 在留資格 and 国籍.

Every figure comes from grouped SQL over the as-of snapshots (``handlers.statistics.as_of``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.audit import record_access
from handlers.errors import PermissionDeniedError
from handlers.permissions import has_permission
from handlers.statistics.as_of import RH, age_on, present_persons, snapshot_text
from handlers.uow import UnitOfWork

SEXES = {"1": "男", "2": "女"}
KINDS = {"japanese": "日本人", "foreign": "外国人"}
AGE_GROUP_WIDTH = 5
TOP_AGE_GROUP = 100  # 100歳以上

# 異動事由 → the report's change categories.  改製・再製 are not movements and are not counted.
CHANGE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "move_in": ("domestic_move_in", "move_in_from_abroad"),
    "birth": ("birth",),
    "other_record": (
        "naturalization_record", "nationality_loss_record", "ex_officio_record", "cancellation_increase",
    ),
    "move_out": ("domestic_move_out", "move_out_abroad"),
    "death": ("death",),
    "other_removal": (
        "naturalization_removal", "nationality_loss_removal", "ex_officio_removal", "cancellation_decrease",
    ),
}  # fmt: skip
CHANGE_LABELS = {
    "move_in": "転入",
    "birth": "出生",
    "other_record": "その他の記載",
    "move_out": "転出",
    "death": "死亡",
    "other_removal": "その他の消除",
}
REMOVAL_CATEGORIES = frozenset({"move_out", "death", "other_removal"})
CATEGORY_OF = {code: category for category, codes in CHANGE_CATEGORIES.items() for code in codes}


def require_statistics(actor: Any) -> None:
    """Statistics are for analysts (``extraction.run``) and supervisors (``statistics.view``)."""
    if not (has_permission(actor, "extraction.run") or has_permission(actor, "statistics.view")):
        raise PermissionDeniedError("この操作（統計）を行う権限がありません。")


def age_group(age: int | None) -> str:
    if age is None or age < 0:
        return "不詳"
    if age >= TOP_AGE_GROUP:
        return f"{TOP_AGE_GROUP}歳以上"
    low = age // AGE_GROUP_WIDTH * AGE_GROUP_WIDTH
    return f"{low}～{low + AGE_GROUP_WIDTH - 1}歳"


def age_group_labels() -> list[str]:
    return [age_group(a) for a in range(0, TOP_AGE_GROUP + 1, AGE_GROUP_WIDTH)] + ["不詳"]


@dataclass
class PopulationReport:
    on: dt.date
    population: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, sex) → persons
    by_age: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (kind, sex, age group)
    households: Counter[str] = field(default_factory=Counter)  # japanese / foreign / mixed
    mid_long_term: Counter[tuple[str, str, str]] = field(
        default_factory=Counter
    )  # (category, 在留資格, 国籍)

    @property
    def total(self) -> int:
        return sum(self.population.values())


def _fill_population(session: Session, on: dt.date, report: PopulationReport) -> None:
    present = present_persons(session, on)
    age = age_on(present.c.birth_date, on).label("age")
    group = (
        present.c.resident_kind, present.c.sex, age,
        present.c.foreign_category, present.c.residence_status, present.c.nationality,
    )  # fmt: skip
    rows = session.execute(select(*group, func.count()).group_by(*group)).all()
    for kind, sex, years, category, status, nationality, count in rows:
        report.population[(kind, sex)] += count
        report.by_age[(kind, sex, age_group(years))] += count
        if kind == "foreign":
            key = (category or "不明", status or "（なし）", nationality or "不明")
            report.mid_long_term[key] += count


def _fill_households(session: Session, on: dt.date, report: PopulationReport) -> None:
    present = present_persons(session, on)
    per_household = (
        select(
            present.c.household_number,
            func.min(present.c.resident_kind).label("low"),
            func.max(present.c.resident_kind).label("high"),
        )
        .group_by(present.c.household_number)
        .subquery()
    )
    rows = session.execute(
        select(per_household.c.low, per_household.c.high, func.count()).group_by(
            per_household.c.low, per_household.c.high
        )
    ).all()
    for low, high, count in rows:
        report.households["mixed" if low != high else low] += count


def population_on(uow: UnitOfWork, on: dt.date) -> PopulationReport:
    """Population, households and foreign residents present on ``on`` (past dates from the history)."""
    require_statistics(uow.actor)
    report = PopulationReport(on)
    _fill_population(uow.session, on, report)
    _fill_households(uow.session, on, report)
    record_access(uow, "statistics_computed", "export", detail={"report": "population", "on": on.isoformat()})
    return report


@dataclass
class ChangeReport:
    start: dt.date
    end: dt.date
    counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (category, kind, sex)
    by_month: Counter[tuple[str, str]] = field(default_factory=Counter)  # ("YYYY-MM", category)
    foreign_move_ins: Counter[str] = field(default_factory=Counter)  # 在留資格 → 転入 (住居地届出)


def _change_rows(session: Session, start: dt.date, end: dt.date) -> list[Any]:
    """(reason, kind, sex, year, month, 在留資格, persons) for counted changes in [start, end].  A removal counts on
    the row that made the 除票 (status removed), not on the 転出届 that made a 転出予定者."""
    kind, sex, status = (snapshot_text(k) for k in ("resident_kind", "sex", "residence_status"))
    year, month = func.extract("year", RH.effective_date), func.extract("month", RH.effective_date)
    counted = [code for codes in CHANGE_CATEGORIES.values() for code in codes]
    removal_codes = [c for c in counted if CATEGORY_OF[c] in REMOVAL_CATEGORIES]
    group = (RH.change_reason, kind, sex, year, month, status)
    stmt = (
        select(*group, func.count(func.distinct(RH.atena_number)))
        .where(RH.effective_date.between(start, end), RH.change_reason.in_(counted))
        .where((RH.status == "removed") | RH.change_reason.not_in(removal_codes))
        .group_by(*group)
    )
    return list(session.execute(stmt).all())


def changes_between(uow: UnitOfWork, start: dt.date, end: dt.date) -> ChangeReport:
    """転入・転出・出生・死亡 and the other changes whose 異動日 falls in [start, end]."""
    require_statistics(uow.actor)
    report = ChangeReport(start, end)
    for reason, kind, sex, year, month, status, count in _change_rows(uow.session, start, end):
        category = CATEGORY_OF[reason]
        report.counts[(category, kind, sex)] += count
        report.by_month[(f"{int(year):04d}-{int(month):02d}", category)] += count
        if kind == "foreign" and category == "move_in":
            report.foreign_move_ins[status or "（なし）"] += count
    detail = {"report": "changes", "start": start.isoformat(), "end": end.isoformat()}
    record_access(uow, "statistics_computed", "export", detail=detail)
    return report
