"""Structured logs and the request id that follows a call from the web door into its Celery tasks.

``LOG_FORMAT=json`` (the production default in deploy/) writes one JSON object per line with the time, level,
logger, message and the current request id; ``LOG_FORMAT=text`` (the default) keeps plain lines.  The request id
lives in a context variable: the web door sets it from ``X-Request-Id`` (or makes one), Celery publishing copies
it into the task's headers and the worker sets it again before the task runs (``worker/celery_app.py``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import uuid
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-Id"
CELERY_HEADER = "jumin_request_id"
_request_id: ContextVar[str | None] = ContextVar("jumin_request_id", default=None)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


def current_request_id() -> str | None:
    return _request_id.get()


def set_request_id(value: str | None) -> None:
    _request_id.set(value)


def accept_request_id(incoming: str | None) -> str:
    """The caller's id when it is a plain token (no log injection), else a new one."""
    if incoming and _SAFE_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; extra fields passed with ``extra={...}`` are kept."""

    RESERVED = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or _request_id.get(),
            "process": record.process,
        }
        for key, value in record.__dict__.items():
            if key not in self.RESERVED and key not in entry:
                entry[key] = value if isinstance(value, str | int | float | bool | None) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def configure_logging(log_format: str | None = None, level: str | None = None) -> None:
    """Install one handler on the root logger (idempotent): JSON or text by ``LOG_FORMAT``."""
    log_format = (log_format or os.environ.get("LOG_FORMAT", "text")).lower()
    root = logging.getLogger()
    root.setLevel((level or os.environ.get("LOG_LEVEL", "INFO")).upper())
    for handler in list(root.handlers):
        if getattr(handler, "jumin", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.jumin = True  # type: ignore[attr-defined]
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
