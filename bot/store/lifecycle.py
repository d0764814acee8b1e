"""Opening the store the way each caller needs it.

The default SQLite file is created and migrated on first use, so the README's first command works
without a setup step. PostgreSQL is shared by replicas and changed deliberately: it is never migrated
implicitly, and callers check the revision (`ensure_schema_current`) and point at `eks-doctor db upgrade`.
"""

from __future__ import annotations

from bot.store.engine import RetryPolicy, Store, create_store_engine
from bot.store.migrate import current_revision, ensure_schema_current, head_revision, upgrade


def open_store(
    url: str,
    *,
    migrate: bool = True,
    retry: RetryPolicy | None = None,
    busy_timeout_ms: int = 5000,
    create_folder: bool = True,
) -> Store:
    """A Store for `url`. With `migrate` (the default), a SQLite database is brought to the current
    schema on open (creating the file; its folder too with `create_folder`); PostgreSQL is only
    migrated by `upgrade`.
    """
    engine = create_store_engine(url, busy_timeout_ms=busy_timeout_ms, create_folder=create_folder)
    store = Store(engine, retry=retry)
    if migrate and store.dialect == "sqlite" and current_revision(store) != head_revision():
        upgrade(store)
    return store


def open_checked_store(url: str, *, create_folder: bool = True) -> Store:
    """For commands that read or write incidents: SQLite is migrated, PostgreSQL must already be current."""
    store = open_store(url, migrate=True, create_folder=create_folder)
    if store.dialect != "sqlite":
        try:
            ensure_schema_current(store)
        except Exception:
            store.dispose()
            raise
    return store
