"""JSON logs, one object a line, each carrying the id of the Slack delivery it belongs to.

`request_id` follows a delivery from the HTTP request through Bolt's listener threads into the jobs
pool (contextvars, carried by `ContextExecutor`), so every line a slow diagnosis writes can be found
from the request that caused it. Secrets never reach the output: the configured token and secret values
and anything shaped like a Slack token or a password in a URL are replaced before a line is written.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import IO, Any

REDACTED = "[redacted]"

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("eks_doctor_request_id", default=None)

#: Slack tokens (bot, user, app, refresh, config), and the password part of `scheme://user:password@host`.
_SECRET_SHAPES = (
    re.compile(r"\bx(?:ox[abprse]|app)-[0-9A-Za-z-]{6,}"),
    re.compile(r"(?<=://)([^/@\s:]*):([^/@\s]+)(?=@)"),
)
_secret_values: set[str] = set()
_values_lock = threading.Lock()


def protect(values: Iterable[str | None]) -> None:
    """Never write these values (tokens, secrets, passwords) to a log, whatever their shape."""
    with _values_lock:
        _secret_values.update(value for value in values if value and len(value) >= 4)


def redact(text: str) -> str:
    with _values_lock:
        values = sorted(_secret_values, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, REDACTED)
    text = _SECRET_SHAPES[0].sub(REDACTED, text)
    return _SECRET_SHAPES[1].sub(rf"\1:{REDACTED}", text)


def new_request_id() -> str:
    return "req-" + secrets.token_hex(6)


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", "request_id"?, "error"?}` with secrets redacted."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = getattr(record, "request_id", None) or request_id.get()
        if current:
            entry["request_id"] = current
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, ensure_ascii=False, default=str))


def configure(level: str = "INFO", *, stream: IO[str] | None = None) -> logging.Handler:
    """JSON lines on stderr (or `stream`) for the whole process; returns the handler it installed."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h.formatter, JsonFormatter)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # uvicorn configures its own loggers: route them through ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    return handler


class ContextExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in the submitter's context (so they keep its request id)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)
