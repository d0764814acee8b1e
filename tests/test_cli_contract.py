"""The command line's contract as a user and a script meet it: exit codes, one error line, a JSON error
object with --json, bad settings named, --version, help without type placeholders, output that pipes
well, and the compiled knowledge base kept in a cache that follows the entries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from knowledge.loader import BUNDLED_ENTRIES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("EKS_DOCTOR_KUBE_TIMEOUT", "abc", "valid number"),
        ("EKS_DOCTOR_QUOTA_WARN_RATIO", "5", "less than or equal to 1"),
        ("EKS_DOCTOR_LOG_TAIL_LINES", "-3", "greater than or equal to 0"),
        ("EKS_DOCTOR_INCIDENT_REUSE_WINDOW", "soon", "valid number"),
    ],
)
def test_a_bad_setting_is_exit_2_naming_the_variable(cli, variable, value, said):
    result = cli("match", "dns timeout", env={variable: value})
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"{variable}='{value}'" in result.stderr and said in result.stderr
    as_json = cli("incidents", "list", "--json", env={variable: value})
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout)["error"]["message"].startswith(f"{variable}=")


def test_a_kb_path_that_is_not_a_folder_names_the_variable(cli, tmp_path):
    result = cli("match", "dns timeout", env={"EKS_DOCTOR_KB_PATH": str(tmp_path / "nope")})
    assert result.exit_code == 2
    assert result.stderr == f"error: EKS_DOCTOR_KB_PATH names {tmp_path / 'nope'}, which is not a folder\n"


def test_a_broken_user_entry_names_the_variable(cli, tmp_path):
    (tmp_path / "broken.yaml").write_text("id: broken\n")
    result = cli("kb", "list", env={"EKS_DOCTOR_KB_PATH": str(tmp_path)})
    assert result.exit_code == 2 and "(from EKS_DOCTOR_KB_PATH)" in result.stderr


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.startswith("eks-doctor ") and result.stdout.strip()[-1].isdigit()


def test_errors_with_json_leave_an_error_object_on_stdout(cli):
    missing = cli("kb", "show", "port-9101-conflict", "--json")
    assert missing.exit_code == 2
    assert missing.stderr.startswith("error: no knowledge entry 'port-9101-conflict'")
    error = json.loads(missing.stdout)["error"]
    assert error["exit_code"] == 2 and "did you mean port-9100-conflict?" in error["message"]
    usage = cli("match", "x", "--top", "99", "--json")
    assert usage.exit_code == 2 and json.loads(usage.stdout)["error"]["exit_code"] == 2
    plain = cli("kb", "show", "port-9101-conflict")
    assert plain.stdout == ""  # without --json, errors stay off stdout


def test_help_shows_names_not_type_placeholders(cli):
    commands = (["--help"], ["match", "--help"], ["diagnose", "--help"], ["fix", "--help"], ["kb", "show", "--help"])
    for command in commands:
        text = cli(*command).stdout
        for placeholder in ("<bool>", "<str>", "<int>", "{text}", "{workload}", "<list"):
            assert placeholder not in text, (command, placeholder)
    assert "Usage: eks-doctor match [OPTIONS] TEXT" in cli("match", "--help").stdout
    assert "WORKLOAD" in cli("diagnose", "--help").stdout


def test_kb_validate_json(cli, tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    entry = yaml.safe_load((BUNDLED_ENTRIES / "port-9100-conflict.yaml").read_text())
    entry["id"] = "port-9100-conflict-copy"
    (good / "copy.yaml").write_text(yaml.safe_dump(entry))
    valid = cli("kb", "validate", str(good), "--json")
    assert valid.exit_code == 0
    assert json.loads(valid.stdout) == {
        "folder": str(good),
        "entries": 1,
        "valid": True,
        "problems": [],
        "findings": [],
        "widened_annotations": [],
    }
    (good / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n")
    invalid = cli("kb", "validate", str(good), "--json")
    report = json.loads(invalid.stdout)
    assert invalid.exit_code == 2 and report["valid"] is False and report["error"]["exit_code"] == 2
    assert any("broken.yaml" in p and "not valid YAML" in p for p in report["problems"])


def test_match_stream_columns_line_up(cli):
    queries = ["port 9100 already in use", "DNS timeout istio", "who is on call?"]
    lines = cli("match", "-", stdin="\n".join(queries) + "\n").stdout.splitlines()
    assert len(lines) == 3
    assert len({line.index(query) for line, query in zip(lines, queries, strict=True)}) == 1


def test_piped_output_never_breaks_a_line(cli, monkeypatch, tmp_path):
    """Without a terminal (and no COLUMNS), long evidence stays on one line: it can be searched for."""
    monkeypatch.delenv("COLUMNS")
    image = "registry.example.com/" + "mirror/" * 12 + "prometheus/node-exporter:v1.8.1"
    container = {"name": "metrics", "image": image, "ports": [{"containerPort": 9100}]}
    template = {"metadata": {"labels": {"app": "e"}}, "spec": {"containers": [container]}}
    manifest = tmp_path / "wide.yaml"
    manifest.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "exporter", "namespace": "shop"},
                "spec": {"selector": {"matchLabels": {"app": "e"}}, "template": template},
            }
        )
    )
    out = cli("check", str(manifest)).stdout
    evidence = next(line for line in out.splitlines() if f"runs {image}" in line)
    assert len(evidence) > 120 and evidence.rstrip().endswith("which listens on 9100 by default")


def test_the_compiled_knowledge_base_is_cached_and_rebuilt_when_an_entry_changes(cli, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    folder = tmp_path / "entries"
    folder.mkdir()
    entry = yaml.safe_load((BUNDLED_ENTRIES / "port-9100-conflict.yaml").read_text())
    entry["title"] = "Port 9100 taken (our wording)"
    (folder / "port.yaml").write_text(yaml.safe_dump(entry, allow_unicode=True))
    env = {"EKS_DOCTOR_KB_PATH": str(folder)}
    first = cli("kb", "list", "--json", env=env)
    cached = sorted((cache / "eks-doctor").glob("kb-*.pickle"))
    assert len(cached) == 1
    assert "Port 9100 taken (our wording)" in first.stdout
    assert "replaces the bundled entry port-9100-conflict" in first.stderr
    again = cli("kb", "list", "--json", env=env)
    assert again.stdout == first.stdout and sorted((cache / "eks-doctor").glob("kb-*.pickle")) == cached
    assert "replaces the bundled entry" in again.stderr  # said from the cache too
    entry["title"] = "Port 9100 taken (reworded)"
    (folder / "port.yaml").write_text(yaml.safe_dump(entry, allow_unicode=True))
    changed = cli("kb", "list", "--json", env=env)
    assert "Port 9100 taken (reworded)" in changed.stdout
    assert sorted((cache / "eks-doctor").glob("kb-*.pickle")) != cached
    cached[0].parent.joinpath(sorted((cache / "eks-doctor").glob("kb-*.pickle"))[0].name).write_bytes(b"garbage")
    assert "Port 9100 taken (reworded)" in cli("kb", "list", "--json", env=env).stdout  # a broken cache is rebuilt


def test_help_does_not_import_the_database_cluster_or_slack_code(kb_cache_home):
    """What `--help` and `match` pay for at start-up: no SQLAlchemy, Kubernetes client or Slack SDK."""
    probe = (
        "import sys\n"
        "from bot.cli.app import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('sqlalchemy', 'kubernetes', 'slack_sdk', 'slack_bolt', 'alembic', 'tencentcloud')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("EKS_DOCTOR_")}
    env["XDG_CACHE_HOME"] = kb_cache_home
    for argv in (["--help"], ["match", "dns timeout with istio"], ["kb", "list"]):
        done = subprocess.run([sys.executable, "-c", probe, *argv], cwd=ROOT, env=env, capture_output=True, text=True)
        assert "HEAVY []" in done.stderr, (argv, done.stderr[-500:])
