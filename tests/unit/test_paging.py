"""A page of a long list (handlers.paging): the asked number brought within the list, the links to show."""

from __future__ import annotations

import pytest

from handlers.paging import Page, page_within


@pytest.mark.parametrize(
    ("asked", "total", "expected"),
    [
        (1, 0, 1),
        (5, 0, 1),
        (0, 250, 1),
        (-3, 250, 1),
        (2, 250, 2),
        (3, 250, 3),
        (4, 250, 3),
        (10**12, 250, 3),
    ],
)
def test_the_asked_page_is_brought_within_the_list(asked: int, total: int, expected: int) -> None:
    assert page_within(asked, total, 100) == expected


@pytest.mark.parametrize(
    ("number", "pages", "links"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 10, [1, 2, 3, None, 10]),
        (5, 10, [1, None, 3, 4, 5, 6, 7, None, 10]),
        (4, 10, [1, 2, 3, 4, 5, 6, None, 10]),
        (10, 10, [1, None, 8, 9, 10]),
    ],
)
def test_the_links_show_the_ends_and_the_pages_around_the_current_one(
    number: int, pages: int, links: list[int | None]
) -> None:
    page = Page(items=["x"], total=pages * 10, number=number, per_page=10)
    assert page.pages == pages and page.links() == links


def test_the_page_says_which_items_it_shows() -> None:
    last = Page(items=list(range(30)), total=230, number=3, per_page=100)
    assert (last.first_shown, last.last_shown, last.has_previous, last.has_next) == (201, 230, True, False)
    empty = Page(items=[], total=0, number=1, per_page=100)
    assert (empty.pages, empty.first_shown, empty.last_shown, empty.has_next) == (1, 0, 0, False)
