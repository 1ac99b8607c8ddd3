"""One page of a long list, for the settings registers kept on one screen (住所辞書 j250, 方書 j260): the list's
statement is counted, the asked page number brought within the list (below the first → the first, past the
last → the last, an empty list → page 1) and that page read — never the whole register, never a cap that
hides the rest.  ``webui/templates/_pager.html`` shows the count and the page links."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
PER_PAGE = 100
AROUND = 2  # page links either side of the current one


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    number: int  # 1-based, within 1 … pages
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_shown(self) -> int:
        """The position (1-based) of the page's first item in the whole list; 0 for an empty list."""
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_shown(self) -> int:
        return (self.number - 1) * self.per_page + len(self.items)

    def links(self) -> list[int | None]:
        """The page numbers to link: the first, the last and ``AROUND`` either side of the current one; None
        where numbers are left out between them."""
        wanted = {1, self.pages, *range(self.number - AROUND, self.number + AROUND + 1)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.pages)
        shown: list[int | None] = []
        for number in numbers:
            if shown and number - (shown[-1] or 0) > 1:
                shown.append(None)
            shown.append(number)
        return shown


def page_within(number: int, total: int, per_page: int) -> int:
    """The asked page number brought within a list of ``total`` items."""
    return min(max(number, 1), max(1, math.ceil(total / per_page)))


def read_page(
    session: Session,
    query: Select[Any],
    number: int,
    view: Callable[[Any], T],
    *,
    per_page: int = PER_PAGE,
) -> Page[T]:
    """Page ``number`` of ``query`` (ordered, a select of one entity), each row shown through ``view``."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = page_within(number, total, per_page)
    rows = session.scalars(query.limit(per_page).offset((number - 1) * per_page))
    return Page([view(row) for row in rows], total, number, per_page)
