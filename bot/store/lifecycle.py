"""Opening the store the way each caller needs it.

The default SQLite file is created and migrated on first use, so the README's first command works
without a setup step. PostgreSQL is shared by replicas and changed deliberately: it is never migrated
implicitly, and callers check the revision (`ensure_schema_current`) and point at `eks-doctor db upgrade`.

Checking the revision with alembic costs more than a short command should wait, so the head revision
of the installed migrations is remembered in the user's cache (keyed by the migration files): a
database already at that revision is opened with one `SELECT`, without importing alembic. Anything
else (an empty database, an older or newer one, no cache) takes alembic's way.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.store.engine import RetryPolicy, Store, create_store_engine
from bot.store.migrate import current_revision, ensure_schema_current, head_revision, migrations_path, upgrade

log = logging.getLogger(__name__)


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
    if migrate and store.dialect == "sqlite" and not at_known_head(store):
        if current_revision(store) != head_revision():
            upgrade(store)
        remember_head()
    return store


def open_checked_store(url: str, *, create_folder: bool = True) -> Store:
    """For commands that read or write incidents: SQLite is migrated, PostgreSQL must already be current."""
    store = open_store(url, migrate=True, create_folder=create_folder)
    if store.dialect != "sqlite" and not at_known_head(store):
        try:
            ensure_schema_current(store)
        except Exception:
            store.dispose()
            raise
        remember_head()
    return store


def _head_file() -> Path | None:
    """Where the head revision of these migration files is remembered (None: nowhere to keep it)."""
    try:
        from bot.paths import user_cache_dir

        versions = sorted(p.name for p in (migrations_path() / "versions").glob("*.py"))
        key = hashlib.sha256("\n".join(versions).encode()).hexdigest()[:16]
        return user_cache_dir() / f"schema-head-{key}"
    except Exception:  # no home directory, no migrations package: alembic answers every time
        return None


def at_known_head(store: Store) -> bool:
    """True when the database's revision is the remembered head (one SELECT, no alembic)."""
    path = _head_file()
    try:
        head = path.read_text().strip() if path is not None else ""
    except OSError:
        return False
    if not head:
        return False
    try:
        with store.engine.connect() as connection:
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return False  # no schema yet, or the database is away: the usual way says which
    return current == head


def remember_head() -> None:
    path = _head_file()
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(head_revision())
    except OSError as exc:
        log.debug("schema head not remembered in %s: %s", path, exc)
