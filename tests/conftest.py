"""Fixtures shared by every test package."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bot.cli.app import main
from bot.cli.context import reset_cli_context
from tests.postgres import PgServer, running_server

# The Kubernetes-API emulator's `kube` and `kubeconfig` fixtures, for every test package.
# The RBAC audit: every API call the bot makes in the suite, checked against deploy/kubernetes/rbac.yaml.
pytest_plugins = ["tests.kube_emulator.fixtures", "tests.rbac.plugin"]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """The PostgreSQL server for this test process: the configured one, else a throwaway embedded one."""
    try:
        with running_server() as server:
            yield server
    except ConnectionError as exc:
        pytest.fail(f"no PostgreSQL server for the tests: {exc}", pytrace=False)


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def kb_cache_home(tmp_path_factory) -> str:
    """One cache folder for the whole run: the compiled knowledge base is built once, not per test."""
    return str(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def cli(capsys, monkeypatch, tmp_path, kb_cache_home):
    """Run `eks-doctor ARGS...` in-process, as the console script would, with a clean environment.
    The user's data and cache directories are the test's own."""
    for name in ("EKS_DOCTOR_DATABASE_URL", "EKS_DOCTOR_KB_PATH", "EKS_DOCTOR_CONFIG", "KUBECONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EKS_DOCTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", kb_cache_home)
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> CliResult:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin or ""))
        capsys.readouterr()
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            reset_cli_context()
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run
