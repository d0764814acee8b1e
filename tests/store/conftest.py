"""Store fixtures: every test runs against SQLite and against a real PostgreSQL database.

PostgreSQL: the session-wide `pg_server` fixture (tests/conftest.py, tests/postgres.py) is the server at
EKS_DOCTOR_TEST_PG_URL, or a throwaway embedded one when nothing answers there; each test session (each
xdist worker) creates uniquely named databases on it and drops them at the end.

Most tests get `store`: bound to one connection whose transaction is rolled back after the test
(sessions join it through savepoints). Tests that need committed data seen by other connections
(concurrency, retries) use `live_url`, which is emptied afterwards.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.store import Store, open_store, upgrade
from bot.store.models import Base

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test that needs a database of its own."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    store = open_store(f"sqlite:///{path}")
    store.dispose()
    return path


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def shared_store(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """One migrated database per backend for the rollback-isolated tests."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("shared") / "shared.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        store = open_store(f"sqlite:///{path}", migrate=False)
    else:
        url = request.getfixturevalue("pg_server").create_database("shared")
        store = open_store(url, migrate=False)
        upgrade(store)
    yield store
    store.dispose()


@pytest.fixture
def store(shared_store: Store) -> Iterator[Store]:
    """Rolled back after the test: join_transaction_mode='create_savepoint' on an outer transaction."""
    connection = shared_store.engine.connect()
    transaction = connection.begin()
    try:
        yield shared_store.bound_to(connection)
    finally:
        transaction.rollback()
        connection.close()


@pytest.fixture(scope="session")
def _pg_live_url(pg_server) -> str:
    url = pg_server.create_database("live")
    store = open_store(url, migrate=False)
    upgrade(store)
    store.dispose()
    return url


@pytest.fixture
def live_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database whose writes are committed (other connections and processes see them)."""
    if backend == "sqlite":
        path = tmp_path / "live.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("_pg_live_url")
    yield url
    cleaner = open_store(url, migrate=False)
    try:
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        with cleaner.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} CASCADE"))
    finally:
        cleaner.dispose()


@pytest.fixture
def empty_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all, for migration tests; dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty' / 'eks-doctor.db'}"
        return
    server = request.getfixturevalue("pg_server")
    url = server.create_database("empty_" + secrets.token_hex(2))
    yield url
    server.drop_database(url)


@pytest.fixture
def live_store(live_url: str) -> Iterator[Store]:
    store = open_store(live_url, migrate=False)
    yield store
    store.dispose()
