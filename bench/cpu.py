"""CPU-second accounting for the bulk benchmarks: this process, its children, and the PostgreSQL backends of
an engine's connections (read from /proc, so the database must run on this machine).

On a machine shared with other work, CPU seconds per row are the steady figure; wall-clock rates are printed
beside them with the load average.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event


def backend_cpu(pid: int) -> float:
    """utime + stime of one process, seconds (0 when it has gone)."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class BackendWatch:
    """Remembers the backend pid of every connection the engine opens from now on."""

    pids: set[int] = field(default_factory=set)

    @classmethod
    def on(cls, engine: Engine) -> BackendWatch:
        watch = cls()
        if engine.dialect.name != "postgresql":
            return watch

        def remember(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                watch.pids.add(int(cursor.fetchone()[0]))

        event.listen(engine, "connect", remember)
        engine.dispose()  # connections made before the listener would go unseen
        return watch

    def seconds(self) -> float:
        return sum(backend_cpu(pid) for pid in self.pids)


@dataclass(frozen=True)
class CpuSample:
    own: float
    children: float
    backends: float

    @classmethod
    def take(cls, watch: BackendWatch | None = None) -> CpuSample:
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return cls(
            me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime, watch.seconds() if watch else 0.0
        )

    def since(self, earlier: CpuSample) -> CpuSample:
        return CpuSample(self.own - earlier.own, self.children - earlier.children,
                         self.backends - earlier.backends)  # fmt: skip

    def per_row(self, rows: int) -> str:
        """'client 12 + children 34 + backend 56 = 102 CPU-µs per row'."""
        us = [1e6 * x / rows for x in (self.own, self.children, self.backends)]
        return (f"client {us[0]:.0f} + forked {us[1]:.0f} + backend {us[2]:.0f} = {sum(us):.0f} CPU-µs per "
                f"resident ({self.own:.1f} + {self.children:.1f} + {self.backends:.1f} CPU s)")  # fmt: skip


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _stat_fields(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def process_tree_cpu(pid: int) -> float:
    """CPU seconds of a process (a gunicorn master), of its children it has reaped (a killed worker) and of
    its live children (the workers), from /proc."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK") + sum(backend_cpu(child) for child in _children(pid))


@dataclass(frozen=True)
class CpuSplit:
    """CPU seconds of one stretch of a load run: the web server's processes, their PostgreSQL backends and
    the load tool's client processes."""

    server: float
    backend: float
    tool: float

    def per_request_ms(self, requests: int) -> dict[str, float]:
        n = max(requests, 1)
        return {
            "server": round(1000 * self.server / n, 2),
            "backend": round(1000 * self.backend / n, 2),
            "tool": round(1000 * self.tool / n, 2),
            "total": round(1000 * (self.server + self.backend + self.tool) / n, 2),
        }


@dataclass(frozen=True)
class ServerSample:
    server: float
    backend: float

    def since(self, earlier: ServerSample, tool: float) -> CpuSplit:
        return CpuSplit(self.server - earlier.server, self.backend - earlier.backend, tool)
