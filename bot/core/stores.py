"""The incident store for a long-running process: one engine per database URL, opened on first use.

The schema is checked (or, for SQLite, migrated) once, when the store first opens. A database that is
away is not remembered as broken: the next request tries again, so a restart of PostgreSQL costs the
requests made while it was down, not the rest of the process's life.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.store import Store


class StoreProvider:
    def __init__(self, url: str) -> None:
        self.url = url
        self._store: Store | None = None
        self._lock = threading.Lock()

    def get(self) -> Store:
        """The shared store; raises StoreUnavailableError / ConfigError if it cannot be opened now."""
        if self._store is not None:
            return self._store
        with self._lock:
            if self._store is None:
                from bot.store import open_checked_store

                self._store = open_checked_store(self.url)
            return self._store

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.dispose()
                self._store = None
