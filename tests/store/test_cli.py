"""`eks-doctor incidents|stats|db` through the real entry point, against a SQLite file (and PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.app import main
from bot.store import head_revision, open_store, record_action

from .helpers import triage


@pytest.fixture
def cli(capsys, monkeypatch, tmp_path):
    """Run `eks-doctor ARGS` in-process; returns (exit code, stdout, stderr)."""
    (tmp_path / "cli").mkdir()
    monkeypatch.setenv("EKS_DOCTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli' / 'eks-doctor.db'}")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str) -> tuple[int, str, str]:
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def seeded(cli):
    """Two incidents, one with an applied fix, in the CLI's database."""
    store = open_store(os.environ["EKS_DOCTOR_DATABASE_URL"])
    try:
        first = triage(store, symptom="pods fail: listen tcp :9100: bind: address already in use [bold]x[/]")
        second = triage(store, source="cli", reporter=None, matches=[("istio-dns-timeout-ipvs-udp", 70.0)], findings=[])
        record_action(
            store,
            incident_id=first.incident_id,
            entry_id="port-9100-conflict",
            cluster="prod-gz",
            namespace="shop",
            workload_kind="Deployment",
            workload_name="api",
            actor="U1",
            kind="patch",
            before={"a": None},
            after={"a": "9110"},
            status="applied",
        )
    finally:
        store.dispose()
    return first.incident_id, second.incident_id


def test_first_use_creates_and_migrates_the_given_file(cli, tmp_path):
    code, out, err = cli("incidents", "list")
    assert (code, err) == (0, "")
    assert "no incidents recorded" in out
    assert (tmp_path / "cli" / "eks-doctor.db").exists()


def test_default_store_lives_in_the_user_data_directory_whatever_the_folder(cli, tmp_path, monkeypatch):
    """Without EKS_DOCTOR_DATABASE_URL, commands run from two folders share one store, and the first
    one says where it is."""
    monkeypatch.delenv("EKS_DOCTOR_DATABASE_URL")
    default = tmp_path / "data" / "eks-doctor" / "eks-doctor.db"
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir(), second.mkdir()
    monkeypatch.chdir(first)
    code, _, err = cli("incidents", "list")
    assert code == 0 and default.exists()
    assert f"incidents are kept in {default}" in err
    store = open_store(f"sqlite:///{default}")
    try:
        incident = triage(store, symptom="from folder one").incident_id
    finally:
        store.dispose()
    monkeypatch.chdir(second)
    code, out, err = cli("incidents", "list")
    assert code == 0 and incident in out
    assert err == ""  # said once, on first use
    assert not (first / "eks-doctor.db").exists() and not (second / "eks-doctor.db").exists()


def test_a_database_url_into_a_missing_folder_is_an_error_naming_the_setting(cli, tmp_path, monkeypatch):
    missing = tmp_path / "no-such-folder" / "eks-doctor.db"
    monkeypatch.setenv("EKS_DOCTOR_DATABASE_URL", f"sqlite:///{missing}")
    code, out, err = cli("incidents", "list")
    assert code == 2
    assert "EKS_DOCTOR_DATABASE_URL" in err and str(missing.parent) in err
    assert not missing.parent.exists()
    code, out, _ = cli("incidents", "list", "--json")
    assert code == 2 and json.loads(out)["error"]["exit_code"] == 2


def test_list_json_shape_and_status_filter(cli, seeded):
    first, second = seeded
    code, out, _ = cli("incidents", "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [second, first]
    for key in ("id", "status", "entries", "created_at", "source", "cluster", "namespace", "workload", "symptom"):
        assert key in rows[0]
    assert rows[1]["entries"][0] == "port-9100-conflict" and rows[1]["status"] == "mitigated"
    code, out, _ = cli("incidents", "list", "--status", "mitigated", "--json")
    assert [r["id"] for r in json.loads(out)] == [first]


def test_list_table_prints_user_text_literally(cli, seeded):
    code, out, _ = cli("incidents", "list")
    assert code == 0 and seeded[0] in out and "mitigated" in out
    code, out, _ = cli("incidents")  # bare group lists too
    assert code == 0 and seeded[1] in out


def test_show_prints_the_timeline(cli, seeded):
    code, out, _ = cli("incidents", "show", seeded[0])
    assert code == 0
    for text in ("opened", "triage", "action", "status", "[bold]x[/]", "port-9100-conflict"):
        assert text in out
    code, out, _ = cli("incidents", "show", seeded[0], "--json")
    detail = json.loads(out)
    assert detail["incident"]["id"] == seeded[0]
    assert [e["kind"] for e in detail["timeline"]][:2] == ["opened", "triage"]
    assert detail["actions"][0]["status"] == "applied"


def test_unknown_incident_is_exit_2_with_one_line(cli, seeded):
    code, out, err = cli("incidents", "show", "inc-doesnotexist")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no incident 'inc-doesnotexist'" in err
    code, _, err = cli("incidents", "resolve", "inc-doesnotexist")
    assert code == 2


def test_resolve(cli, seeded):
    code, out, _ = cli("incidents", "resolve", seeded[1], "--json")
    assert code == 0
    row = json.loads(out)
    assert row["status"] == "resolved" and row["resolved_at"]
    code, out, _ = cli("incidents", "resolve", seeded[1])
    assert code == 0 and "resolved" in out


def test_stats(cli, seeded):
    code, out, _ = cli("stats", "--json")
    assert code == 0
    figures = json.loads(out)
    assert figures["incidents"]["total"] == 2 and figures["fixes"]["applied"] == 1
    assert figures["entries"][0]["entry_id"] in {"port-9100-conflict", "istio-dns-timeout-ipvs-udp"}
    assert figures["time_to_mitigate"]["count"] == 1
    code, out, _ = cli("stats", "--since", "7d")
    assert code == 0 and "incidents: 2" in out and "port-9100-conflict" in out
    code, _, err = cli("stats", "--since", "last tuesday")
    assert code == 2 and "--since" in err


def test_db_current_and_upgrade(cli):
    """On an empty database, `db current` says it is behind (and creates nothing but the file)."""
    code, out, _ = cli("db", "current", "--json")
    assert code == 0
    assert json.loads(out)["current"] is None and json.loads(out)["up_to_date"] is False
    code, out, _ = cli("db", "upgrade")
    assert code == 0 and f"from empty to {head_revision()}" in out
    code, out, _ = cli("db", "upgrade", "--json")
    assert json.loads(out)["changed"] is False
    code, out, _ = cli("db", "current")
    assert code == 0 and f"{head_revision()} (up to date)" in out


@pytest.mark.postgres
def test_postgresql_behind_refuses_and_names_the_command(cli, monkeypatch, pg_server):
    url = pg_server.create_database("cli")
    try:
        monkeypatch.setenv("EKS_DOCTOR_DATABASE_URL", url)
        code, out, err = cli("incidents", "list")
        assert code == 3 and out == ""
        assert (
            f"database schema is at none (empty), this version needs {head_revision()}: run `eks-doctor db upgrade`"
            in err.replace("\n", " ")
        )
        code, out, _ = cli("db", "current")
        assert code == 0 and "run `eks-doctor db upgrade`" in out
        code, out, _ = cli("db", "upgrade")
        assert code == 0 and head_revision() in out
        code, out, _ = cli("incidents", "list", "--json")
        assert (code, json.loads(out)) == (0, [])
    finally:
        pg_server.drop_database(url)


def test_unreachable_database_is_exit_3_in_a_real_process(tmp_path):
    env = {**os.environ, "EKS_DOCTOR_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/nothing"}
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli.app", "incidents", "list"],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert "127.0.0.1" in result.stderr
