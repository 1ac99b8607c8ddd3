"""The 和暦 era table (j280).  A new era is added by configuration: JUMIN_EXTRA_ERAS="名前:YYYY-MM-DD"."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Era:
    name: str
    start: dt.date  # first day of the era
    initial: str  # M, T, S, H, R


BUILTIN_ERAS = (
    Era("明治", dt.date(1868, 10, 23), "M"),
    Era("大正", dt.date(1912, 7, 30), "T"),
    Era("昭和", dt.date(1926, 12, 25), "S"),
    Era("平成", dt.date(1989, 1, 8), "H"),
    Era("令和", dt.date(2019, 5, 1), "R"),
)


@lru_cache(maxsize=1)
def eras() -> tuple[Era, ...]:
    """Known eras, oldest first, including those configured in JUMIN_EXTRA_ERAS."""
    extra: list[Era] = []
    for spec in filter(None, os.environ.get("JUMIN_EXTRA_ERAS", "").split(",")):
        name, _, start = spec.partition(":")
        parts = name.split("/")
        extra.append(
            Era(parts[0].strip(), dt.date.fromisoformat(start.strip()), parts[1] if len(parts) > 1 else "")
        )
    return tuple(sorted(BUILTIN_ERAS + tuple(extra), key=lambda e: e.start))


def era_of(value: dt.date) -> Era | None:
    found = None
    for era in eras():
        if value >= era.start:
            found = era
    return found


def era_named(name: str) -> Era | None:
    for era in eras():
        if name in (era.name, era.initial, era.name[0]):
            return era
    return None
