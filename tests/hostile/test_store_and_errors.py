"""The incident database's URL, file mode and read-only use; unexpected errors as one line."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

NOBODY = 65534


def run(*args: str, env: dict[str, str], as_nobody: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bot.cli.app", *args]
    if as_nobody and os.geteuid() == 0:  # root ignores file modes: run as nobody to see them apply
        command = [shutil.which("setpriv") or "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                   *command]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)


def environment(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "EKS_DOCTOR_DEBUG"}
    return {**env, "EKS_DOCTOR_DATABASE_URL": url, "HOME": "/tmp", **extra}


@pytest.mark.parametrize("url", ["postgres//bob:s3cret@db/eks", "postgresql+psycopg://bob:s3cret@[db/eks"])
def test_a_broken_database_url_is_quoted_without_its_password(url):
    done = run("incidents", "list", env=environment(url))
    assert done.returncode in (2, 3)
    assert "s3cret" not in done.stderr + done.stdout
    assert "bob:***@" in done.stderr


def test_a_new_sqlite_file_is_private(tmp_path):
    given = tmp_path / "given"
    given.mkdir()
    done = run("incidents", "list", env=environment(f"sqlite:///{given}/eks-doctor.db"))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE((given / "eks-doctor.db").stat().st_mode) == 0o600


def test_the_default_database_and_its_new_folder_are_private(tmp_path):
    env = environment("", XDG_DATA_HOME=str(tmp_path / "data"))
    env.pop("EKS_DOCTOR_DATABASE_URL")
    done = run("incidents", "list", env=env)
    assert done.returncode == 0, done.stderr
    database = next((tmp_path / "data").rglob("*.db"))
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(database.parent.stat().st_mode) == 0o700


@pytest.mark.skipif(os.geteuid() == 0 and not shutil.which("setpriv"), reason="needs setpriv to drop root")
def test_a_read_only_database_in_a_read_only_folder_can_still_be_listed(shared_tmp):
    folder = shared_tmp / "ro"
    folder.mkdir()
    database = folder / "eks-doctor.db"
    env = environment(f"sqlite:///{database}")
    assert run("db", "upgrade", env=env).returncode == 0
    assert run("match", "pods pending: exceeded quota of pods in the cluster", env=env).returncode == 0
    for leftover in folder.glob("eks-doctor.db-*"):
        leftover.unlink()
    database.chmod(0o444)
    folder.chmod(0o555)
    try:
        done = run("incidents", "list", env=env, as_nobody=True)
    finally:
        folder.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert "readonly" not in done.stderr


def test_a_database_behind_a_folder_it_may_not_enter_is_a_store_error(shared_tmp):
    private = shared_tmp / "private"
    private.mkdir(mode=0o700)
    env = environment(f"sqlite:///{private}/eks-doctor.db")
    assert run("db", "upgrade", env=env).returncode == 0
    done = run("incidents", "list", env=env, as_nobody=True)
    if os.geteuid() != 0:
        pytest.skip("the folder is this user's own")
    assert done.returncode == 3 and "Permission denied" in done.stderr, done.stderr


@pytest.fixture
def shared_tmp():
    """A folder every user may enter (pytest's own is private to its user)."""
    folder = Path(tempfile.mkdtemp(prefix="eks-doctor-test-"))
    folder.chmod(0o755)
    yield folder
    for path in folder.rglob("*"):
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(folder)


BOOM = """
import sys
import bot.core.inspection as inspection
def boom(*args, **kwargs):
    raise RuntimeError("a bug")
inspection.check = boom
from bot.cli.app import main
main(sys.argv[1:])
"""


def test_an_unexpected_error_is_one_line_with_a_reference(tmp_path):
    env = environment(f"sqlite:///{tmp_path}/db")
    done = subprocess.run([sys.executable, "-c", BOOM, "check", "x.yaml"], capture_output=True, text=True, env=env,
                          timeout=60, check=False)  # fmt: skip
    assert done.returncode == 70
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "unexpected failure (reference " in lines[0], done.stderr
    debug = subprocess.run([sys.executable, "-c", BOOM, "check", "x.yaml"], capture_output=True, text=True,
                           env={**env, "EKS_DOCTOR_DEBUG": "1"}, timeout=60, check=False)  # fmt: skip
    assert "Traceback" in debug.stderr and "RuntimeError: a bug" in debug.stderr


def test_a_bad_manifest_is_never_a_bug(tmp_path):
    (tmp_path / "odd.yaml").write_text(Path(__file__).with_name("corpus").joinpath("spec-list.yaml").read_text())
    done = run("check", str(tmp_path / "odd.yaml"), env=environment(f"sqlite:///{tmp_path}/db"))
    assert done.returncode == 2  # nothing to check: an input error, not exit 70
    assert "Traceback" not in done.stderr and "spec: expected a map, found a list" in done.stderr
