"""The incident store for a long-running process: one engine per database URL, opened on first use.

The schema is checked (or, for SQLite, migrated) once, when the store first opens. A database that is
away is not remembered as broken: the next request tries again, so a restart of PostgreSQL costs the
requests made while it was down, not the rest of the process's life.

Without EKS_DOCTOR_DATABASE_URL the store is a SQLite file in the user's data directory, the same
whichever folder a command runs from; the first command that creates it says where it is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.paths import database_url, default_database_path

if TYPE_CHECKING:
    from bot.store import Store


class StoreProvider:
    def __init__(self, url: str | None, *, on_note: Callable[[str], None] | None = None) -> None:
        self.url, self.is_default = database_url(url)
        self._on_note = on_note
        self._store: Store | None = None
        self._lock = threading.Lock()

    def get(self) -> Store:
        """The shared store; raises StoreUnavailableError / ConfigError if it cannot be opened now."""
        if self._store is not None:
            return self._store
        with self._lock:
            if self._store is None:
                from bot.store import open_checked_store

                new_file = self._new_default_file()
                self._store = open_checked_store(self.url, create_folder=self.is_default)
                if new_file is not None and self._on_note is not None:
                    self._on_note(
                        f"incidents are kept in {new_file} (created now; set EKS_DOCTOR_DATABASE_URL to use another)"
                    )
            return self._store

    def _new_default_file(self) -> Path | None:
        if not self.is_default:
            return None
        path = default_database_path()
        return None if path.exists() else path

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.dispose()
                self._store = None
