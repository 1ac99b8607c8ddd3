"""Statement counts per door call, and how long the access-log chain head stays locked inside it.

``StatementCounter`` listens on an engine: every statement sent, the ``SELECT … FOR UPDATE`` of
``access_log_head`` among them, and the statements that ran on a connection after that lock and before its
COMMIT or ROLLBACK (the head is held for all of them: the lower, the less other requests of the municipality
wait).  Used by ``bench/cases.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event


def is_head_lock(statement: str) -> bool:
    text = " ".join(statement.split()).lower()
    return "from access_log_head" in text and "for update" in text


@dataclass
class Counts:
    statements: int = 0
    head_locks: int = 0
    statements_after_lock: int = 0  # statements run while the head was held (the lock itself excluded)

    def per(self, calls: int) -> str:
        return (
            f"{self.statements / calls:.1f} statements, {self.head_locks / calls:.1f} head locks, "
            f"{self.statements_after_lock / calls:.1f} statements while the head is held"
        )


@dataclass
class StatementCounter:
    engine: Engine
    counts: Counts = field(default_factory=Counts)
    _holding: set[int] = field(default_factory=set)  # id() of connections holding the head

    def __post_init__(self) -> None:
        event.listen(self.engine, "before_cursor_execute", self._on_statement)
        event.listen(self.engine, "commit", self._on_end)
        event.listen(self.engine, "rollback", self._on_end)

    def _on_statement(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.counts.statements += 1
        if is_head_lock(statement):
            self.counts.head_locks += 1
            self._holding.add(id(conn.connection))
        elif id(conn.connection) in self._holding:
            self.counts.statements_after_lock += 1

    def _on_end(self, conn: Any) -> None:
        self._holding.discard(id(conn.connection))

    def take(self) -> Counts:
        """The counts since the last ``take`` (and start again from zero)."""
        counts, self.counts = self.counts, Counts()
        return counts

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_statement)
        event.remove(self.engine, "commit", self._on_end)
        event.remove(self.engine, "rollback", self._on_end)
