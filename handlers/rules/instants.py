"""Stored instants: PostgreSQL hands timestamps back with their zone, SQLite naive (they were stored as UTC
wall time)."""

from __future__ import annotations

import datetime as dt


def as_utc(moment: dt.datetime) -> dt.datetime:
    """The instant in UTC; a naive value is taken as UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
