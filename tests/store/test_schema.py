"""Schema and models agree; migrations go up and down; the revision check says what to run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

import migrations
from bot.errors import StoreUnavailableError
from bot.store import (
    current_revision,
    downgrade,
    ensure_schema_current,
    head_revision,
    open_checked_store,
    open_store,
    upgrade,
)
from bot.store.migrate import alembic_config, migrations_path
from bot.store.models import Base

from .helpers import run_in_threads

TABLES = {table.name for table in Base.metadata.sorted_tables}


def test_models_and_migrations_agree(store):
    # The `alembic check` equivalent: autogenerate finds nothing to add, drop or alter.
    with store.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_downgrade_upgrade(empty_url):
    store = open_store(empty_url, migrate=False)
    try:
        assert current_revision(store) is None
        assert upgrade(store) == (None, head_revision())
        assert set(inspect(store.engine).get_table_names()) >= TABLES
        assert downgrade(store, revision="base") == (head_revision(), None)
        assert not TABLES & set(inspect(store.engine).get_table_names())
        assert current_revision(store) is None
        assert upgrade(store) == (None, head_revision())
        assert upgrade(store) == (head_revision(), head_revision())  # repeatable
        ensure_schema_current(store)
    finally:
        store.dispose()


def test_replicas_upgrading_at_once_migrate_once(empty_url):
    store = open_store(empty_url, migrate=False)
    try:
        results = run_in_threads(lambda: upgrade(store), threads=3)
        assert sorted(before is None for before, _ in results) == [False, False, True]  # one migrated
        assert {after for _, after in results} == {head_revision()}
        assert current_revision(store) == head_revision()
    finally:
        store.dispose()


def test_out_of_date_schema_names_the_fix(empty_url):
    store = open_store(empty_url, migrate=False)
    try:
        with pytest.raises(StoreUnavailableError) as caught:
            ensure_schema_current(store)
        expected = (
            f"database schema is at none (empty), this version needs {head_revision()}: run `eks-doctor db upgrade`"
        )
        assert str(caught.value) == expected
        assert caught.value.exit_code == 3
    finally:
        store.dispose()


def test_a_newer_schema_is_refused_too(live_url):
    store = open_store(live_url, migrate=False)
    try:
        with store.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
        with pytest.raises(StoreUnavailableError, match="database schema is at ffffffffffff, this version needs"):
            ensure_schema_current(store)
        with store.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head_revision()})
    finally:
        store.dispose()


def test_default_sqlite_file_is_created_and_migrated_on_first_use(tmp_path: Path):
    path = tmp_path / "new" / "folder" / "eks-doctor.db"
    store = open_store(f"sqlite:///{path}")
    try:
        assert path.exists()
        assert current_revision(store) == head_revision()
        with store.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    finally:
        store.dispose()


@pytest.mark.postgres
def test_postgresql_is_never_migrated_implicitly(pg_server):
    url = pg_server.create_database("implicit")
    try:
        store = open_store(url)  # migrate=True only ever applies to SQLite
        assert current_revision(store) is None
        store.dispose()
        with pytest.raises(StoreUnavailableError, match="run `eks-doctor db upgrade`"):
            open_checked_store(url)
    finally:
        pg_server.drop_database(url)


def test_revision_files_have_dated_names():
    versions = migrations_path() / "versions"
    names = sorted(p.name for p in versions.glob("*.py") if p.name != "__init__.py")
    assert names, "no revisions"
    for name in names:
        assert re.fullmatch(r"\d{4}_\d{2}_\d{2}_\d{4}-[0-9a-f]{12}_[a-z0-9_]+\.py", name), name
    config = alembic_config()
    assert config.get_main_option("file_template") == (
        "%(year)d_%(month).2d_%(day).2d_%(hour).2d%(minute).2d-%(rev)s_%(slug)s"
    )


def test_migrations_are_found_through_the_package_not_the_working_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no alembic.ini, no migrations/ folder here
    assert migrations_path() == Path(migrations.__file__).resolve().parent
    assert alembic_config().get_main_option("script_location") == str(migrations_path())
    assert head_revision()
