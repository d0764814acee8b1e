"""Without kubectl the conformance tests say why they did not run; where it is required (CI) they fail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conformance.kubectl import MISSING, REQUIRE_ENV

ROOT = Path(__file__).resolve().parents[2]
ONE_CASE = "tests/conformance/test_reads.py::test_server_version"


def run_without_kubectl(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in (REQUIRE_ENV, "PYTEST_XDIST_WORKER")}
    env.update(PATH=str(tmp_path / "empty-bin"), **extra)  # a PATH where no kubectl can be found
    argv = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-rs", "-q", ONE_CASE]
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("required", "exit_code", "says"),
    [(None, 0, "1 skipped"), ("1", 1, "1 error")],
    ids=["laptop-skips-with-the-reason", "ci-fails"],
)
def test_a_machine_without_kubectl(tmp_path: Path, required: str | None, exit_code: int, says: str) -> None:
    result = run_without_kubectl(tmp_path, **({REQUIRE_ENV: required} if required else {}))
    assert result.returncode == exit_code, result.stdout + result.stderr
    assert says in result.stdout
    assert MISSING in " ".join(result.stdout.split())
