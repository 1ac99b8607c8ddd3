"""Recording the SQL statements a piece of work sends, for tests that count or inspect them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy


@contextmanager
def recorded_statements(target: Any) -> Iterator[list[str]]:
    """The statements sent through ``target`` (an Engine or Connection) while the block runs, as sent."""
    statements: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sqlalchemy.event.listen(target, "before_cursor_execute", remember)
    try:
        yield statements
    finally:
        sqlalchemy.event.remove(target, "before_cursor_execute", remember)
