"""Column types that never let the database reject a write because of what a user typed.

PostgreSQL refuses NUL characters in text and JSONB, and enforces VARCHAR lengths; SQLite does neither.
Cleaning values at bind time gives both dialects the same behaviour: long text is cut with a visible
marker, short identifiers are clipped, and timestamps are always timezone-aware UTC.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, String, Text
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator

MAX_TEXT_BYTES = 32 * 1024
_MARKER = "…[truncated {n} bytes]"
_REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")


def utcnow() -> datetime:
    return datetime.now(UTC)


def scrub(text: str) -> str:
    """Replace what PostgreSQL cannot store (NUL, lone surrogates) with U+FFFD."""
    if "\x00" in text:
        text = text.replace("\x00", _REPLACEMENT)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, e.g. from bytes decoded with surrogateescape
        text = _SURROGATE.sub(_REPLACEMENT, text)
    return text


def bound_text(text: str, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """`text` if it fits in `max_bytes` of UTF-8, else its head plus '…[truncated N bytes]'.

    N counts the bytes removed, so a reader knows how much is missing; the result never exceeds
    `max_bytes`, and a multi-byte character is never split.
    """
    text = scrub(text)
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    budget = max_bytes - len(_MARKER.format(n=len(data)).encode("utf-8"))
    head = data[: max(budget, 0)].decode("utf-8", "ignore")
    removed = len(data) - len(head.encode("utf-8"))
    return head + _MARKER.format(n=removed)


def clip(text: str, length: int) -> str:
    """At most `length` characters; a clipped value ends with '…' so it is visibly not the original."""
    text = scrub(text)
    return text if len(text) <= length else text[: length - 1] + "…"


def scrub_json(value: Any) -> Any:
    """A copy of a JSON-able value with every string scrubbed (JSONB rejects \\u0000)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {scrub(str(k)): scrub_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub_json(v) for v in value]
    return value


def json_serializer(value: Any) -> str:
    # default=str: a stray datetime or enum in evidence must not turn a triage into a failed write.
    return json.dumps(scrub_json(value), ensure_ascii=False, default=str)


class BoundedText(TypeDecorator[str]):
    """Free text (symptoms, messages) cut at MAX_TEXT_BYTES with a marker instead of being refused."""

    impl = Text
    cache_ok = True

    def __init__(self, max_bytes: int = MAX_TEXT_BYTES) -> None:
        super().__init__()
        self.max_bytes = max_bytes

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else bound_text(str(value), self.max_bytes)


class ShortString(TypeDecorator[str]):
    """A bounded name (cluster, user, workload): clipped rather than rejected by VARCHAR(n)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        length = self.impl.length  # type: ignore[attr-defined]
        return clip(str(value), length) if length else scrub(str(value))


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out; SQLite has no time zones, so it stores naive UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: JSON documents: JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
JSONDoc = JSON().with_variant(postgresql.JSONB(), "postgresql")

#: Surrogate keys for append-only tables; SQLite only auto-increments INTEGER PRIMARY KEY.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")
