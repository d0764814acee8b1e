"""Opening the store: one engine per database URL, sessions that commit on success, bounded retries.

A write that meets a briefly unavailable database (a restart, a failover, SQLite's lock) is retried a
few times with short backoff; if the database stays down the caller gets StoreUnavailableError, so it
can still answer the user and say the incident was not recorded. Nothing is silently dropped.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from bot.errors import ConfigError, StoreUnavailableError
from bot.store.types import json_serializer

log = logging.getLogger("eks_doctor.store")

T = TypeVar("T")

UPGRADE_HINT = "run `eks-doctor db upgrade`"
_TRANSIENT = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)
_STORE_ERRORS = (DBAPIError, DisconnectionError, PoolTimeoutError)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3
    first_delay: float = 0.1
    max_delay: float = 1.0


@dataclass(frozen=True, slots=True)
class _SqlitePragmas:
    busy_timeout_ms: int = 5000
    read_only: bool = False

    def apply(self, dbapi_connection: Any, _record: Any) -> None:
        # The driver's own BEGIN handling is disabled: `_begin` below emits BEGIN IMMEDIATE, so that a
        # transaction takes the write lock up front instead of failing half-way when it tries to write.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
        if not self.read_only:  # switching to WAL writes to the file: a read-only one could not be read at all
            cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
            cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a commit needs no fsync
        cursor.close()


def _begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_read_only(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN")  # IMMEDIATE takes a write lock, which a read-only file refuses


#: user:password@ after "//" (at the start when there is none), up to the last "@": a password may hold
#: ":" and "@" itself.
_PASSWORD_IN_URL = re.compile(r"(//[^/:@\s]*:)[^\s]*@(?=[^@]*$)")
_PASSWORD_AT_START = re.compile(r"(^[^/:@\s]*:)[^\s]*@(?=[^@]*$)")
_PASSWORD_IN_QUERY = re.compile(r"((?:password|passwd|pwd)=)[^&\s]*", re.IGNORECASE)


def redact_url(raw: str) -> str:
    """A database URL fit for a message: the password hidden, even in a URL too broken to parse."""
    userinfo = _PASSWORD_IN_URL if "//" in raw else _PASSWORD_AT_START
    return _PASSWORD_IN_QUERY.sub(r"\1***", userinfo.sub(r"\1***@", raw))


def _normalise_url(raw: str) -> URL:
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise ConfigError(
            f"EKS_DOCTOR_DATABASE_URL is not a database URL: {redact_url(raw)!r}",
            hint="use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db",
        ) from exc
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver we ship
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"unsupported database {url.get_backend_name()!r} in EKS_DOCTOR_DATABASE_URL",
            hint="use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db",
        )
    return url


def create_store_engine(
    raw_url: str, *, busy_timeout_ms: int = 5000, connect_timeout: int = 5, create_folder: bool = True
) -> Engine:
    """An engine for `raw_url`. Without `create_folder` (a URL someone typed into
    EKS_DOCTOR_DATABASE_URL) a SQLite file's folder must exist: a mistyped path is an error, not a
    new, empty store in a folder nobody meant to create."""
    url = _normalise_url(raw_url)
    options: dict[str, Any] = {"json_serializer": json_serializer}
    if url.get_backend_name() == "sqlite":
        in_memory = url.database in (None, "", ":memory:")
        if in_memory:
            # One shared connection, or every checkout would see a fresh, empty database.
            options.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        read_only = False
        if not in_memory and not url.database.startswith("file:"):
            path = Path(url.database).expanduser()
            if not create_folder and not path.parent.is_dir():
                raise ConfigError(
                    f"EKS_DOCTOR_DATABASE_URL points into {path.parent}, which is not an existing folder",
                    hint="create the folder, or fix the path",
                )
            read_only = _read_only(path)
            if read_only:
                url = _read_only_url(path)
            else:
                _create_private(path)
        engine = create_engine(url, **options)
        event.listen(engine, "connect", _SqlitePragmas(busy_timeout_ms, read_only=read_only).apply)
        event.listen(engine, "begin", _begin_read_only if read_only else _begin)
        return engine
    # No pool_pre_ping: it costs a round trip per transaction. A connection killed by a restart or a
    # failover fails its next statement instead, the pool is invalidated, and Store.run retries.
    options.update(connect_args={"connect_timeout": connect_timeout, "application_name": "eks-doctor"})
    return create_engine(url, **options)


def _read_only(path: Path) -> bool:
    """An existing database this process may read but not write (the file, or its folder, which must
    hold the WAL files): it is opened read-only, so listing still works."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return False
    except PermissionError as exc:
        raise StoreUnavailableError(f"cannot open the incident database {path}: {exc.strerror}") from None
    except OSError:
        return False
    return not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK)


def _read_only_url(path: Path) -> URL:
    # `immutable` when the folder is read-only too: SQLite could not create the shared-memory file.
    immutable = "" if os.access(path.parent, os.W_OK) else "&immutable=1"
    return make_url(f"sqlite:///file:{quote(str(path.resolve()))}?mode=ro{immutable}&uri=true")


def _create_private(path: Path) -> None:
    """A new database file readable by its owner only (incidents quote logs and names), in a new folder
    of the same kind; an existing file keeps the mode its owner gave it."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise StoreUnavailableError(f"cannot create the incident database {path}: {exc.strerror or exc}") from exc
    os.close(fd)


def describe_error(exc: BaseException) -> str:
    """The driver's first line, without SQL or parameters (which may hold user text)."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def _missing_schema(exc: BaseException) -> bool:
    text = describe_error(exc).lower()
    return isinstance(exc, (OperationalError, ProgrammingError)) and (
        "no such table" in text or ("relation" in text and "does not exist" in text)
    )


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, _TRANSIENT) and not _missing_schema(exc)


class Store:
    """A handle on the incident database; cheap to share between threads."""

    def __init__(self, engine: Engine, *, retry: RetryPolicy | None = None, bind: Connection | None = None):
        self.engine = engine
        self.retry = retry or RetryPolicy()
        # Tests bind the store to a connection with an open transaction; every session then works in a
        # savepoint of it, and the test rolls the whole transaction back.
        self._bind = bind

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def url(self) -> str:
        return redact_url(self.engine.url.render_as_string(hide_password=True))  # `?password=` too

    def bound_to(self, connection: Connection) -> Store:
        return Store(self.engine, retry=self.retry, bind=connection)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A Connection for schema work (migrations, revision checks)."""
        if self._bind is not None:
            yield self._bind
            return
        with self.engine.connect() as connection:
            yield connection

    @contextmanager
    def _raw_session(self) -> Iterator[Session]:
        if self._bind is not None:
            session = Session(bind=self._bind, join_transaction_mode="create_savepoint", expire_on_commit=False)
        else:
            session = Session(self.engine, expire_on_commit=False)
        with session, session.begin():
            yield session

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        try:
            with self._raw_session() as session:
                yield session
        except _STORE_ERRORS as exc:
            if _missing_schema(exc) or _is_transient(exc):
                raise self._unavailable(exc, attempts=1) from exc
            raise

    def run(self, work: Callable[[Session], T], *, what: str = "use the incident store") -> T:
        """`work(session)` in its own transaction, retried on connection-level failures.

        `work` must be safe to run again from the start: everything it wrote in a failed attempt was
        rolled back with the transaction.
        """
        delay = self.retry.first_delay
        for attempt in range(1, self.retry.attempts + 1):
            try:
                with self._raw_session() as session:
                    return work(session)
            except _STORE_ERRORS as exc:
                if not _is_transient(exc) or attempt == self.retry.attempts:
                    if _missing_schema(exc) or _is_transient(exc):
                        raise self._unavailable(exc, attempts=attempt, what=what) from exc
                    raise
                log.warning("store: attempt %d to %s failed (%s); retrying", attempt, what, describe_error(exc))
                time.sleep(delay)
                delay = min(delay * 2, self.retry.max_delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _unavailable(self, exc: BaseException, *, attempts: int, what: str = "") -> StoreUnavailableError:
        if _missing_schema(exc):
            return StoreUnavailableError(f"the incident database at {self.url} has no schema", hint=UPGRADE_HINT)
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        doing = f"could not {what}" if what else "the incident store is unavailable"
        return StoreUnavailableError(f"{doing}{tries}: {describe_error(exc)} ({self.url})")

    def dispose(self) -> None:
        self.engine.dispose()
