"""Incidents that make sense: looking again at the same problem adds to its open incident, the fix a
diagnosis suggests is linked to that incident, and resolving is offered once the fix is verified."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kube_emulator import builders as b

ISTIO = "istio-dns-timeout-ipvs-udp"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def meshed(cli, kube, kubeconfig, monkeypatch, tmp_path):
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.setenv("HOME", str(tmp_path))
    kube.add(b.namespace("shop", labels={"istio-injection": "enabled"}))
    for name in ("checkout", "cart"):
        deploy = b.deployment(name, "shop", containers=[b.container("app"), b.container("istio-proxy")])
        kube.add_many([deploy, b.replicaset_for(deploy), b.pod(owner=deploy)])
    return kube


def _diagnose(cli, workload: str, *extra: str, env: dict[str, str] | None = None) -> dict:
    result = cli("diagnose", workload, "-n", "shop", "--json", *extra, env=env)
    assert result.exit_code == 1, result.stderr
    return json.loads(result.stdout)


def test_looking_again_at_the_same_problem_adds_to_the_open_incident(cli, meshed):
    first = _diagnose(cli, "deploy/checkout")["incident"]
    assert first["created"] is True
    for _ in range(4):
        again = _diagnose(cli, "deploy/checkout")["incident"]
        assert again["incident_id"] == first["incident_id"] and again["created"] is False
    other = _diagnose(cli, "deploy/cart")["incident"]
    assert other["incident_id"] != first["incident_id"]
    listed = json.loads(cli("incidents", "list", "--json").stdout)
    assert len(listed) == 2
    assert next(i for i in listed if i["id"] == first["incident_id"])["entries"] == [ISTIO]
    human = cli("incidents", "list").stdout
    row = next(line for line in human.splitlines() if first["incident_id"] in line)
    assert ISTIO in row
    timeline = json.loads(cli("incidents", "show", first["incident_id"], "--json").stdout)["timeline"]
    triages = [event["message"] for event in timeline if event["kind"] == "triage"]
    assert len(triages) == 5
    assert all(f"confirmed: {ISTIO}" in message and "no known issue" not in message for message in triages)
    human = cli("diagnose", "deploy/checkout", "-n", "shop")
    assert f"added to incident {first['incident_id']}" in human.stderr


def test_piped_incident_list_shows_whole_entries_and_workloads(cli, meshed, monkeypatch):
    incident = _diagnose(cli, "deploy/checkout")["incident"]["incident_id"]
    monkeypatch.delenv("COLUMNS")  # piped, no width given
    row = next(line for line in cli("incidents", "list").stdout.splitlines() if incident in line)
    assert ISTIO in row and "emulator/shop/deployment/checkout" in row and "…" not in row


def test_the_reuse_window_is_a_setting(cli, meshed):
    env = {"EKS_DOCTOR_INCIDENT_REUSE_WINDOW": "0"}
    ids = {_diagnose(cli, "deploy/checkout", env=env)["incident"]["incident_id"] for _ in range(2)}
    assert len(ids) == 2


def test_a_resolved_incident_is_not_reused(cli, meshed):
    first = _diagnose(cli, "deploy/checkout")["incident"]["incident_id"]
    assert cli("incidents", "resolve", first).exit_code == 0
    assert _diagnose(cli, "deploy/checkout")["incident"]["incident_id"] != first


def test_the_suggested_fix_is_linked_to_its_incident_and_resolving_is_offered(cli, meshed):
    diagnosis = _diagnose(cli, "deploy/checkout")
    incident = diagnosis["incident"]["incident_id"]
    offer = next(o for o in diagnosis["offers"] if o["entry"] == ISTIO)
    argv = shlex.split(offer["command"])
    assert argv[:2] == ["eks-doctor", "fix"] and argv[-2:] == ["--incident", incident]
    fixed = cli(*argv[1:], "--yes")
    assert fixed.exit_code == 0, fixed.stderr
    assert f"eks-doctor incidents resolve {incident}" in fixed.stdout
    shown = json.loads(cli("incidents", "show", incident, "--json").stdout)
    assert shown["incident"]["status"] == "mitigated"
    assert [a["entry_id"] for a in shown["actions"]] == [ISTIO]
    resolved = cli("incidents", "resolve", incident)
    assert resolved.exit_code == 0 and "resolved" in resolved.stdout


def test_an_unrecorded_incident_is_said_once(meshed, kubeconfig, tmp_path, kb_cache_home):
    """In a real process (no test harness catching log records): the note, and nothing else."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EKS_DOCTOR_")}
    env.update(
        KUBECONFIG=str(kubeconfig),
        XDG_CACHE_HOME=kb_cache_home,
        EKS_DOCTOR_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1",
    )
    argv = [sys.executable, "-m", "bot.cli.app", "diagnose", "deploy/checkout", "-n", "shop"]
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.count("recorded") == 1 and "note: the incident could not be recorded" in done.stderr


def test_the_suggested_quota_ticket_is_linked_to_its_incident(cli, meshed, tmp_path):
    config = tmp_path / "doctor.yaml"
    config.write_text("clusters:\n  - {name: prod-gz, context: emulator, pod_quota: 2}\n")
    env = {"EKS_DOCTOR_CONFIG": str(config)}
    diagnosis = _diagnose(cli, "deploy/checkout", env=env)
    incident = diagnosis["incident"]["incident_id"]
    offer = next(o for o in diagnosis["offers"] if o["kind"] == "quota_ticket")
    argv = shlex.split(offer["command"])
    assert argv[-2:] == ["--incident", incident]
    drafted = cli(*argv[1:], "--json", env=env)
    assert drafted.exit_code == 0, drafted.stderr
    shown = json.loads(cli("incidents", "show", incident, "--json", env=env).stdout)
    assert [t["id"] for t in shown["tickets"]] == [json.loads(drafted.stdout)["id"]]
