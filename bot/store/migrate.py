"""Schema revisions, run in code: no alembic.ini at run time, and it works from an installed wheel.

The `migrations` package is located through its `__file__`, so the scripts are found wherever the
project is installed. PostgreSQL upgrades hold an advisory lock, so replicas starting together
migrate once; SQLite upgrades run in one BEGIN IMMEDIATE transaction, which serialises them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from bot.errors import StoreUnavailableError
from bot.store.engine import UPGRADE_HINT, Store, describe_error

if TYPE_CHECKING:  # alembic is imported when a revision is read or changed, not by every command
    from alembic.config import Config

# Dated file names: the versions folder reads in the order the schema grew.
FILE_TEMPLATE = "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s"
_PG_LOCK_KEY = 0x45_4B_53_44  # "EKSD": one advisory lock id for schema changes


def migrations_path() -> Path:
    try:
        import migrations
    except ImportError as exc:  # an installation built without the top-level `migrations` package
        raise StoreUnavailableError(
            "the schema migrations are not installed (no `migrations` package)",
            hint="reinstall EKS Doctor; its package must include migrations/",
        ) from exc
    return Path(migrations.__file__).resolve().parent


def alembic_config(*, connection: Connection | None = None, url: str | None = None) -> Config:
    """An alembic Config built in code; `connection` is handed to migrations/env.py."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_path()))
    config.set_main_option("file_template", FILE_TEMPLATE)
    config.set_main_option("timezone", "UTC")
    config.set_main_option("path_separator", "os")
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "migrations/versions holds no revision"
    return head


def _revision_of(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def current_revision(store: Store) -> str | None:
    """The database's revision, None for an empty database."""
    try:
        with store.connect() as connection:
            return _revision_of(connection)
    except DBAPIError as exc:
        raise StoreUnavailableError(f"cannot read the schema revision: {describe_error(exc)} ({store.url})") from exc


def _migrate(store: Store, *, direction: str, revision: str) -> tuple[str | None, str | None]:
    from alembic import command

    try:
        with store.connect() as connection:
            transaction = connection.begin_nested() if connection.in_transaction() else connection.begin()
            with transaction:
                if store.dialect == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
                before = _revision_of(connection)
                config = alembic_config(connection=connection)
                getattr(command, direction)(config, revision)
                after = _revision_of(connection)
    except DBAPIError as exc:
        reason = describe_error(exc)
        raise StoreUnavailableError(f"cannot migrate the incident database: {reason} ({store.url})") from exc
    return before, after


def upgrade(store: Store, *, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the schema to `revision`; returns (from, to). Safe to run repeatedly and concurrently."""
    return _migrate(store, direction="upgrade", revision=revision)


def downgrade(store: Store, *, revision: str) -> tuple[str | None, str | None]:
    return _migrate(store, direction="downgrade", revision=revision)


def ensure_schema_current(store: Store) -> str:
    """Refuse to run against a schema this version does not expect; returns the revision."""
    head = head_revision()
    current = current_revision(store)
    if current == head:
        return current
    from alembic.script import ScriptDirectory

    known = {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current is not None and current not in known:
        raise StoreUnavailableError(
            f"database schema is at {current}, this version needs {head}: the database was migrated by a "
            "newer EKS Doctor; upgrade EKS Doctor"
        )
    raise StoreUnavailableError(
        f"database schema is at {current or 'none (empty)'}, this version needs {head}: {UPGRADE_HINT}"
    )
