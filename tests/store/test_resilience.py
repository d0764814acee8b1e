"""Nothing lost: a briefly unavailable store is retried; a store that stays down says so clearly."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
import time

import psycopg
import pytest
from sqlalchemy import event, text

from bot.errors import StoreUnavailableError
from bot.store import RetryPolicy, list_incidents, open_store, upgrade
from bot.store.models import Incident

from .helpers import count, triage

FAST = RetryPolicy(attempts=3, first_delay=0.01, max_delay=0.05)


class FailingConnects:
    """Makes the next `failures` connection attempts fail as the driver would when the server is down."""

    def __init__(self, store, failures: int) -> None:
        self.store, self.failures, self.attempts = store, failures, 0
        error = sqlite3.OperationalError if store.dialect == "sqlite" else psycopg.OperationalError
        self.error = error("connection refused: the server is restarting")

    def __call__(self, dialect, conn_rec, cargs, cparams):
        self.attempts += 1
        if self.attempts <= self.failures:
            raise self.error
        return None  # connect normally

    def __enter__(self):
        self.store.engine.dispose()  # the next checkout must open a new connection
        event.listen(self.store.engine, "do_connect", self)
        return self

    def __exit__(self, *exc):
        event.remove(self.store.engine, "do_connect", self)


def test_brief_outage_is_retried_and_recorded_once(live_url):
    store = open_store(live_url, migrate=False, retry=FAST)
    try:
        with FailingConnects(store, failures=2) as fault:
            recorded = triage(store, delivery_id="Ev-retry")
        assert fault.attempts == 3
        assert recorded.created
        assert count(store, Incident) == 1
    finally:
        store.dispose()


def test_store_that_stays_down_raises_a_clear_error_after_a_bounded_number_of_attempts(live_url):
    store = open_store(live_url, migrate=False, retry=FAST)
    try:
        with FailingConnects(store, failures=100) as fault, pytest.raises(StoreUnavailableError) as caught:
            triage(store, delivery_id="Ev-down")
        assert fault.attempts == FAST.attempts
        assert str(caught.value).startswith("could not record the incident after 3 attempts: connection refused")
        assert caught.value.exit_code == 3
        assert count(store, Incident) == 0  # and it was not half-written either
    finally:
        store.dispose()


def test_unreachable_postgresql_fails_fast_with_store_unavailable():
    store = open_store("postgresql+psycopg://postgres@127.0.0.1:1/nothing", retry=FAST)
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError, match="could not record the incident after 3 attempts"):
        triage(store)
    assert time.monotonic() - started < 10
    store.dispose()


def test_unopenable_sqlite_file_is_store_unavailable(tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(StoreUnavailableError):
        open_store(f"sqlite:///{folder}")  # a directory cannot be opened as a database


def test_missing_schema_is_not_retried_and_points_at_db_upgrade(empty_url):
    store = open_store(empty_url, migrate=False, retry=RetryPolicy(attempts=3, first_delay=1.0))
    started = time.monotonic()
    try:
        with pytest.raises(StoreUnavailableError, match=r"has no schema.*eks-doctor db upgrade"):
            list_incidents(store)
        assert time.monotonic() - started < 1.0  # no backoff for an error a retry cannot fix
    finally:
        store.dispose()


@pytest.mark.postgres
def test_connections_killed_by_a_failover_are_replaced(pg_server, caplog):
    url = pg_server.create_database("failover")
    store = open_store(url, migrate=False)
    killer = open_store(url, migrate=False)
    try:
        upgrade(store)
        triage(store)  # leaves an idle pooled connection behind
        with killer.engine.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = 'eks-doctor'"
                )
            )
        with caplog.at_level(logging.WARNING, logger="eks_doctor.store"):
            assert triage(store).created  # the dead pooled connection fails once; the retry reconnects
        assert "attempt 1 to record the incident failed" in caplog.text
        assert count(store, Incident) == 2
    finally:
        store.dispose()
        killer.dispose()
        pg_server.drop_database(url)


def test_sqlite_lock_held_by_another_writer_is_waited_out(sqlite_template, tmp_path, caplog):
    path = tmp_path / "locked.db"
    shutil.copy(sqlite_template, path)
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, lambda: blocker.execute("COMMIT"))
    release.start()
    store = open_store(
        f"sqlite:///{path}", migrate=False, retry=RetryPolicy(attempts=4, first_delay=0.1), busy_timeout_ms=100
    )
    try:
        with caplog.at_level(logging.WARNING, logger="eks_doctor.store"):
            assert triage(store).created
        assert "failed (database is locked); retrying" in caplog.text  # the first attempt met the lock
    finally:
        store.dispose()
        release.join()
        blocker.close()
