"""Who lives in a synthetic household: relations, sexes, ages, names and the family register (本籍/筆頭者).

Pure functions over a ``random.Random`` (the generator's ``SyntheticRandom``): the same generator state always
gives the same people.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

T = TypeVar("T")

HEAD = "世帯主"
MALE, FEMALE = "1", "2"

# Household size (persons) → weight; mean ≈ 2.15 persons per household, like a large Japanese city.
SIZE_WEIGHTS = {1: 40, 2: 28, 3: 16, 4: 11, 5: 4, 6: 1}
_SIZES, _SIZE_CUM_WEIGHTS = list(SIZE_WEIGHTS), list(accumulate(SIZE_WEIGHTS.values()))
_SINGLE_AGES, _SINGLE_AGE_CUM_WEIGHTS = ((18, 29), (30, 49), (50, 69), (70, 96)), (30, 55, 75, 100)


class SyntheticRandom(random.Random):
    """``random.Random`` whose ``randint``, ``randrange`` and ``choice`` draw from one ``random()`` each
    (uniform as before, a few times faster than the bit-exact originals; the stream differs from the
    standard methods', and is as deterministic for a seed)."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if step != 1:
            return super().randrange(start, stop, step)
        if stop is None:
            return int(self.random() * start)
        return start + int(self.random() * (stop - start))

    def choice(self, seq: SupportsLenAndGetItem[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def weighted(self, population: Sequence[T], cum_weights: Sequence[int]) -> T:
        """``choices(population, cum_weights=cum_weights)[0]``, the same draw without building a list."""
        return population[bisect(cum_weights, self.random() * cum_weights[-1], 0, len(population) - 1)]


@dataclass
class Member:
    """One person of a household before numbers, dates and addresses are given."""

    relation: str
    sex: str
    age: int
    family: tuple[str, str] = ("", "")  # (kanji, katakana)
    given: tuple[str, str] = ("", "")
    extra: dict[str, object] = field(default_factory=dict)


def weighted(rng: random.Random, population: Sequence[T], cum_weights: Sequence[int]) -> T:
    """One weighted draw: ``SyntheticRandom.weighted``, or ``choices`` from another generator."""
    if isinstance(rng, SyntheticRandom):
        return rng.weighted(population, cum_weights)
    return rng.choices(population, cum_weights=cum_weights)[0]


def household_size(rng: random.Random) -> int:
    return weighted(rng, _SIZES, _SIZE_CUM_WEIGHTS)


def _single(rng: random.Random) -> list[Member]:
    low, high = weighted(rng, _SINGLE_AGES, _SINGLE_AGE_CUM_WEIGHTS)
    return [Member(HEAD, rng.choice((MALE, FEMALE)), rng.randint(low, high))]


def _couple(rng: random.Random, head_age: int) -> list[Member]:
    """A married couple; the head is usually the husband (as most 住民票 still record it)."""
    spouse_age = max(18, head_age + rng.randint(-6, 3))
    if rng.random() < 0.88:
        return [Member(HEAD, MALE, head_age), Member("妻", FEMALE, spouse_age)]
    return [Member(HEAD, FEMALE, head_age), Member("夫", MALE, spouse_age)]


def _children(rng: random.Random, parent_age: int, how_many: int) -> list[Member]:
    oldest = max(0, min(parent_age - 20, 30))
    return [Member("子", rng.choice((MALE, FEMALE)), rng.randint(0, oldest)) for _ in range(how_many)]


def _parent_of_head(rng: random.Random, head_age: int, sex: str) -> Member:
    return Member("父" if sex == MALE else "母", sex, min(104, head_age + rng.randint(22, 36)))


def household_members(rng: random.Random, size: int, *, with_parents: bool = True) -> list[Member]:
    """Relations and ages of ``size`` persons, head first, in 住民票 order (head, spouse, parents, children);
    ``with_parents=False``: no parents of the head (children instead)."""
    if size == 1:
        return _single(rng)
    if size == 2:
        roll = rng.random()
        if roll < 0.68:
            return _couple(rng, rng.randint(24, 92))
        if roll < 0.92:
            head = Member(HEAD, rng.choice((MALE, FEMALE)), rng.randint(28, 80))
            return [head, *_children(rng, head.age, 1)]
        head = Member(HEAD, rng.choice((MALE, FEMALE)), rng.randint(30, 66))
        return [head, _parent_of_head(rng, head.age, FEMALE)]
    members = _couple(rng, rng.randint(27, 58))
    parents: list[Member] = []
    if with_parents and size >= 4 and rng.random() < 0.25:
        parents.append(_parent_of_head(rng, members[0].age, FEMALE))
        if size >= 5 and rng.random() < 0.5:
            parents.insert(0, _parent_of_head(rng, members[0].age, MALE))
    mother_age = min(m.age for m in members)
    children = _children(rng, mother_age, size - len(members) - len(parents))
    children.sort(key=lambda m: -m.age)
    return members + parents + children


def birth_date_for(rng: random.Random, age: int, as_of: dt.date) -> dt.date:
    """A birth date that makes the person ``age`` years old on ``as_of``."""
    latest = _years_before(as_of, age)
    return latest - dt.timedelta(days=rng.randint(0, 364))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def name_japanese_family(
    rng: random.Random,
    members: list[Member],
    surnames: tuple[list[tuple[str, str]], list[int]],  # (surnames, cumulative weights)
    male: list[tuple[str, str]],
    female: list[tuple[str, str]],
) -> None:
    """One surname for the household (a married couple shares it), a given name each."""
    family = weighted(rng, surnames[0], surnames[1])
    for member in members:
        member.family = family
        member.given = rng.choice(male if member.sex == MALE else female)


def kanji_number(n: int) -> str:
    """1 → 一 … 19 → 十九 (丁目 are written in kanji numerals)."""
    digits = "〇一二三四五六七八九"
    if n < 10:
        return digits[n]
    return ("" if n < 20 else digits[n // 10]) + "十" + ("" if n % 10 == 0 else digits[n % 10])
