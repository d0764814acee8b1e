"""The container image as built from the Dockerfile (no Docker engine here: its instructions are read,
its health check is run against the real server, and hadolint lints it in `make test`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), " ".join(rest.split())))
    return found


def args(keyword: str) -> list[str]:
    return [rest for key, rest in instructions() if key == keyword]


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(i for i, (key, _) in enumerate(steps) if key == "FROM")
    return steps[last_from:]


def test_multi_stage_on_a_slim_python_base_installing_from_the_projects_metadata():
    bases = args("FROM")
    assert len(bases) == 2 and bases[0].endswith(" AS build")
    assert all(base.split()[0].startswith("python:3.11-slim") for base in bases)
    build = " ".join(args("RUN"))
    # From pyproject.toml: the dependencies and the package data.
    assert "pip --python /opt/eks-doctor/bin/python install --no-compile ." in build
    copied = args("COPY")
    assert "pyproject.toml README.md ./" in copied
    assert {"bot ./bot", "knowledge ./knowledge", "migrations ./migrations"} <= set(copied)
    assert any(c.startswith("--from=build ") for c in copied)


def test_runs_as_a_non_root_user_on_port_3000_serving_slack_over_http():
    final = final_stage()
    users = [rest for key, rest in final if key == "USER"]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    assert int(users[-1].split(":")[0]) >= 10000
    assert [rest for key, rest in final if key == "EXPOSE"] == ["3000"]
    assert "9100" not in (ROOT / "Dockerfile").read_text().replace("Never 9100", "")
    (cmd,) = [rest for key, rest in final if key == "CMD"]
    assert json.loads(cmd) == ["eks-doctor", "serve", "--http"]
    env = " ".join(rest for key, rest in final if key == "ENV")
    assert "EKS_DOCTOR_KB_PATH=/etc/eks-doctor/knowledge" in env  # where your own entries are mounted
    assert "mkdir -p /etc/eks-doctor/knowledge" in " ".join(rest for key, rest in final if key == "RUN")


def _healthcheck_command(port: int) -> list[str]:
    (healthcheck,) = args("HEALTHCHECK")
    exec_form = json.loads(healthcheck.split(" CMD ", 1)[1])
    assert exec_form[0] == "python"  # the slim image has no curl
    return [sys.executable, *(part.replace(":3000/", f":{port}/") for part in exec_form[1:])]


def test_the_health_check_passes_against_the_running_bot_and_fails_without_it(slack_bot):
    command = _healthcheck_command(slack_bot.server.port)
    assert any("/healthz" in part for part in command)
    assert subprocess.run(command, capture_output=True, timeout=20).returncode == 0
    slack_bot.server.stop()
    assert subprocess.run(command, capture_output=True, timeout=20).returncode != 0


@pytest.mark.parametrize("kept_out", [".git", ".venv", "tests", "*.db", ".env"])
def test_the_build_context_leaves_out_local_state_and_secrets(kept_out):
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()]
    assert kept_out in ignored


def test_hadolint_finds_nothing():
    hadolint = Path(sys.executable).with_name("hadolint")
    result = subprocess.run([str(hadolint), str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
