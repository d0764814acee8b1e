"""A short-lived cache of cloud facts, per cluster, so a scan or a busy channel asks the API once.

Only answers are kept, never errors: the next request after an outage tries again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

DEFAULT_TTL = 60.0


class FactsCache:
    def __init__(self, ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._items: dict[Hashable, tuple[float, Any]] = {}

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if self._clock() - item[0] > self.ttl:
                del self._items[key]
                return None
            return item[1]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = (self._clock(), value)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_shared = FactsCache()


def shared_cache() -> FactsCache:
    """The process-wide cache the bot and the CLI share."""
    return _shared
