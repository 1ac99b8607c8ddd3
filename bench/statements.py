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


def commit_step(db: Any, rows: int) -> str:
    """One unit of work that logs ``rows`` access-log rows: the wall and CPU time of its commit step."""
    import os
    import time

    from sqlalchemy import select

    from handlers.audit import record_access
    from handlers.context import Actor
    from handlers.uow import unit_of_work
    from models.tenant import Municipality

    with unit_of_work(db, Actor.system(0), cross_tenant=True) as uow:
        tenant = uow.session.scalar(select(Municipality.id).order_by(Municipality.id))
    counter = StatementCounter(db.bind)
    with unit_of_work(db, Actor.system(tenant, "bench")) as uow:
        for n in range(rows):
            record_access(uow, "case_opened", "change", [f"{n:09d}"], detail={"case": n})
        cpu, start = time.process_time(), time.perf_counter()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    counts = counter.take()
    counter.close()
    return (
        f"{rows:>6} rows: commit step {elapsed * 1000:.1f} ms wall, {cpu * 1000:.1f} ms CPU, "
        f"{counts.statements} statements; load average {os.getloadavg()[0]:.2f}"
    )


def main() -> None:
    """``python -m bench.statements [ROWS …]``: the commit step on BENCH_DATABASE_URL (after bench.cases)."""
    import os
    import sys

    from handlers.db import Database

    db = Database.from_url(
        os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/jumin_bench_cases")
    )
    for rows in [int(a) for a in sys.argv[1:]] or [1, 100, 10_000]:
        print(commit_step(db, rows))


if __name__ == "__main__":
    main()
