"""The page links of a paged list (``handlers.paging``): the asked page number and the filter the links keep."""

from __future__ import annotations

from flask import request


def requested_page() -> int:
    """The ``page`` argument; anything but a whole number is page 1 (the handler brings any number within the
    list: below 1 → the first page, past the end → the last)."""
    return request.args.get("page", 1, type=int) or 1


def kept_filter(**values: str | bool) -> dict[str, str]:
    """The list's filter as URL arguments for its page links: only what is set (a box ticked as ``1``)."""
    return {key: "1" if value is True else str(value) for key, value in values.items() if value}
