"""A fixed-window rate limiter shared by every web worker: Redis when configured, else the database.

No counter lives in a process: several gunicorn workers (and machines) answer the same client.  The limits
guard the sign-in pages and the public certificate verification door.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from models.rate_limit import RateLimitWindow

LIMITER_ACTOR = "rate-limit"


@dataclass(frozen=True)
class Limit:
    name: str
    hits: int  # allowed per window
    seconds: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window ends


class CounterStore(Protocol):
    def hit(self, key: str, window: int, seconds: int) -> int: ...


class DatabaseCounters:
    """One row per key; an atomic upsert counts the hit (row-locked by the database, not by us)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def hit(self, key: str, window: int, seconds: int) -> int:
        insert = pg_insert if self.db.dialect == "postgresql" else sqlite_insert
        values = insert(RateLimitWindow).values(key=key, window=window, hits=1)
        upsert = values.on_conflict_do_update(
            index_elements=[RateLimitWindow.key],
            set_={
                "hits": _case_same_window(values.excluded.window),
                "window": values.excluded.window,
            },
        ).returning(RateLimitWindow.hits)
        with unit_of_work(self.db, Actor.system(0, LIMITER_ACTOR)) as uow:
            return int(uow.session.execute(upsert).scalar_one())


def _case_same_window(new_window: object) -> object:
    from sqlalchemy import case

    return case((RateLimitWindow.window == new_window, RateLimitWindow.hits + 1), else_=1)


class RedisCounters:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2.0)

    def hit(self, key: str, window: int, seconds: int) -> int:
        name = f"jumin:rl:{key}:{window}"
        pipe = self.client.pipeline()
        pipe.incr(name)
        pipe.expire(name, seconds + 1)
        hits, _ = pipe.execute()
        return int(hits)


def check(store: CounterStore, limit: Limit, subject: str, now: float | None = None) -> Verdict:
    now = time.time() if now is None else now
    window = int(now // limit.seconds)
    hits = store.hit(f"{limit.name}:{subject}", window, limit.seconds)
    retry_after = int((window + 1) * limit.seconds - now) + 1
    return Verdict(hits <= limit.hits, retry_after)


def current_hits(db: Database, key: str) -> int:
    """For tests and operators: the hits of ``key`` in its stored window."""
    with unit_of_work(db, Actor.system(0, LIMITER_ACTOR)) as uow:
        return int(uow.session.scalar(select(RateLimitWindow.hits).where(RateLimitWindow.key == key)) or 0)


def store_for(db: Database, redis_url: str | None) -> CounterStore:
    if redis_url and redis_url.startswith(("redis://", "rediss://")):
        return RedisCounters(redis_url)
    return DatabaseCounters(db)
