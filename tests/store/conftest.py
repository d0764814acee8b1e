"""Store fixtures: every test runs against SQLite and against a real PostgreSQL database.

PostgreSQL: each test session (each xdist worker) creates uniquely named databases through the
maintenance database in EKS_DOCTOR_TEST_PG_URL and drops them at the end. If the server cannot be
reached the PostgreSQL tests fail, unless EKS_DOCTOR_SKIP_PG=1 says skipping is intended.

Most tests get `store`: bound to one connection whose transaction is rolled back after the test
(sessions join it through savepoints). Tests that need committed data seen by other connections
(concurrency, retries) use `live_url`, which is emptied afterwards.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.store import Store, open_store, upgrade
from bot.store.models import Base

PG_URL_ENV = "EKS_DOCTOR_TEST_PG_URL"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


class PgServer:
    """Creates and drops this run's databases; names are unique per xdist worker and process."""

    def __init__(self, base_url: str) -> None:
        self.base = make_url(base_url).set(drivername="postgresql+psycopg")
        self.prefix = f"eksdoc_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}_{secrets.token_hex(2)}"
        self.created: list[str] = []
        self._admin_conninfo = self._find_maintenance_db()

    def _conninfo(self, database: str | None) -> str:
        return self.base.set(drivername="postgresql", database=database).render_as_string(hide_password=False)

    def _find_maintenance_db(self) -> str:
        errors = []
        for database in dict.fromkeys([self.base.database or "test", "postgres"]):
            conninfo = self._conninfo(database)
            try:
                with psycopg.connect(conninfo, autocommit=True, connect_timeout=5):
                    return conninfo
            except psycopg.OperationalError as exc:
                errors.append(f"{database}: {str(exc).strip().splitlines()[0]}")
        raise ConnectionError("; ".join(errors))

    def create_database(self, hint: str) -> str:
        name = f"{self.prefix}_{hint}"[:63].lower()
        with psycopg.connect(self._admin_conninfo, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.created.append(name)
        return self.base.set(database=name).render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        with psycopg.connect(self._admin_conninfo, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if name in self.created:
            self.created.remove(name)

    def drop_all(self) -> None:
        for name in list(self.created):
            self.drop_database(self.base.set(database=name).render_as_string(hide_password=False))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    base_url = os.environ.get(PG_URL_ENV, DEFAULT_PG_URL)
    try:
        server = PgServer(base_url)
    except ConnectionError as exc:
        message = f"PostgreSQL at {make_url(base_url).render_as_string(hide_password=True)} is unreachable ({exc})"
        if os.environ.get("EKS_DOCTOR_SKIP_PG") == "1":
            pytest.skip(message + "; skipped because EKS_DOCTOR_SKIP_PG=1")
        pytest.fail(message + "; set EKS_DOCTOR_SKIP_PG=1 to skip the PostgreSQL tests on purpose", pytrace=False)
    yield server
    server.drop_all()


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
def _pg_live_url(pg_server: PgServer) -> str:
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
    server: PgServer = request.getfixturevalue("pg_server")
    url = server.create_database("empty_" + secrets.token_hex(2))
    yield url
    server.drop_database(url)


@pytest.fixture
def live_store(live_url: str) -> Iterator[Store]:
    store = open_store(live_url, migrate=False)
    yield store
    store.dispose()
