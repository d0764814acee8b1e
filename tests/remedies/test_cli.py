"""`eks-doctor fix`, `undo` and `actions list` as a person or a script runs them, against the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import GRPC_ENTRY, TCP, dry_runs, template_annotations, writes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run(cli, kubeconfig):
    def invoke(*args: str, stdin: str | None = None):
        return cli(*args, env={"KUBECONFIG": str(kubeconfig)}, stdin=stdin)

    return invoke


def test_fix_with_yes_applies_and_prints_the_contract_json(run, kube, shop):
    result = run(
        "fix",
        "deploy/checkout",
        "-n",
        "shop",
        "--entry",
        GRPC_ENTRY,
        "--symptom",
        "our grpc idle timeout is 60 minutes",
        "--yes",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["status"] == "applied" and data["action_id"].startswith("act-")
    assert data["before"] == {TCP: None} and data["after"] == {TCP: "3600s"}
    assert data["kubectl"].startswith("kubectl patch deployment checkout -n shop --context emulator --type merge")
    assert data["diff"][-1] == f'+ {TCP}: "3600s"'
    assert template_annotations(kube)[TCP] == "3600s"


def test_fix_shows_the_preview_and_needs_yes_without_a_terminal(run, kube, shop):
    result = run("fix", "shop/checkout", "--entry", GRPC_ENTRY)
    assert result.exit_code == 2 and "--yes" in result.stderr
    assert (
        f'+ {TCP}: "1800s"' in result.stdout
        and "For deployment/checkout: 3 pods, replaced a few at a time" in result.stdout
    )
    assert "kubectl patch deployment checkout" in result.stdout
    assert [r for r in kube.requests if r.method == "PATCH"] == []


def test_fix_dry_run_changes_nothing(run, kube, shop):
    before = kube.get_object("deployments", "shop", "checkout")
    result = run("fix", "checkout", "-n", "shop", "--entry", GRPC_ENTRY, "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "dry_run"
    assert kube.get_object("deployments", "shop", "checkout") == before
    assert len(dry_runs(kube)) == 1 and writes(kube) == []


def test_human_output_of_an_applied_fix(run, kube, shop):
    result = run("fix", "deploy/checkout", "-n", "shop", "-e", GRPC_ENTRY, "--set", "ipvs-tcp-timeout=45m", "-y")
    assert result.exit_code == 0, result.stderr
    assert f'+ {TCP}: "2700s"' in result.stdout and "applied (action act-" in result.stdout
    assert "undo with: eks-doctor undo act-" in result.stdout
    again = run("fix", "deploy/checkout", "-n", "shop", "-e", GRPC_ENTRY, "--set", "ipvs-tcp-timeout=2700s")
    assert again.exit_code == 0 and "already applied" in again.stdout  # no prompt, no --yes needed


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--entry", "grpc-conection-reset"), "did you mean grpc-connection-reset-ipvs-tcp"),
        (("--entry", "quota-pods-per-cluster"), "no annotation patch"),
        (("--entry", GRPC_ENTRY, "--set", "eks.tke.cloud.tencent.com/metrics-port=9110"), "allowed: "),
        (("--entry", GRPC_ENTRY, "--set", "ipvs-tcp-timeout=soon"), "not a duration"),
        (("--entry", GRPC_ENTRY, "--set", "ipvs-tcp-timeout"), "expected KEY=VALUE"),
        (("--entry", "port-9100-conflict", "--set", "metrics-port=9100"), "not allowed"),
    ],
)
def test_bad_input_is_refused_before_any_request(run, kube, shop, args, says):
    kube.reset_requests()
    result = run("fix", "deploy/checkout", "-n", "shop", *args, "--yes")
    assert result.exit_code == 2 and says in result.stderr, result.stderr
    assert kube.requests == []


def test_a_bare_pod_is_refused_with_the_reason(run, kube, shop):
    pod = kube.objects("pods", "shop")[0]["metadata"]["name"]
    result = run("fix", f"pod/{pod}", "-n", "shop", "--entry", GRPC_ENTRY, "--yes")
    assert result.exit_code == 2 and "when a pod is created" in result.stderr
    assert "eks-doctor fix deployment/checkout" in result.stderr and writes(kube) == []


def test_rbac_denial_exits_3_naming_the_permission(run, kube, shop):
    kube.deny("patch", "deployments", namespace="shop")
    result = run("fix", "deploy/checkout", "-n", "shop", "--entry", GRPC_ENTRY, "--yes", "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["status"] == "refused"
    assert "`patch` on `deployments`" in result.stderr and "namespace shop" in result.stderr


def test_an_unknown_workload_is_not_found_with_suggestions(run, kube, shop):
    result = run("fix", "deploy/checkot", "-n", "shop", "--entry", GRPC_ENTRY, "--yes")
    assert result.exit_code == 2 and "checkout" in result.stderr


def test_an_unreachable_cluster_exits_3(run, kube, shop):
    kube.stop()
    result = run("fix", "deploy/checkout", "-n", "shop", "--entry", GRPC_ENTRY, "--yes")
    assert result.exit_code == 3 and "cannot reach the cluster" in result.stderr


def test_undo_and_actions_list(run, kube, shop):
    fixed = json.loads(run("fix", "deploy/checkout", "-n", "shop", "-e", GRPC_ENTRY, "-y", "--json").stdout)
    undone = run("undo", fixed["action_id"], "--yes", "--json")
    assert undone.exit_code == 0, undone.stderr
    data = json.loads(undone.stdout)
    assert data["status"] == "applied" and data["before"] == {TCP: "1800s"} and data["after"] == {TCP: None}
    assert TCP not in template_annotations(kube)
    listed = json.loads(run("actions", "list", "--json").stdout)
    assert [(a["kind"], a["status"]) for a in listed] == [("undo", "applied"), ("patch", "applied")]
    assert listed[1]["undone_by"] == data["action_id"] and listed[1]["actor"].startswith("cli:")
    table = run("actions")
    assert fixed["action_id"] in table.stdout and "deployment/checkout in shop" in table.stdout
    twice = run("undo", fixed["action_id"], "-y", "--json")
    assert twice.exit_code == 0 and json.loads(twice.stdout)["status"] == "already_applied"


def test_undo_without_a_terminal_needs_yes_and_writes_nothing(run, kube, shop):
    """A script piping into `undo` gets the preview and a refusal, never a rollout it did not ask for."""
    fixed = json.loads(run("fix", "deploy/checkout", "-n", "shop", "-e", GRPC_ENTRY, "-y", "--json").stdout)
    kube.reset_requests()
    result = run("undo", fixed["action_id"], stdin="\n")
    assert result.exit_code == 2
    assert "no terminal to confirm on" in result.stderr and "--yes" in result.stderr
    assert f"- {TCP}: " in result.stdout  # the preview of what an undo would remove
    assert writes(kube) == [] and dry_runs(kube) == []
    assert template_annotations(kube)[TCP] == "1800s"
    assert run("actions", "list", "--json").stdout.count('"kind": "undo"') == 0


def test_a_refused_undo_is_said_once_on_stderr(run, kube, shop):
    fixed = json.loads(run("fix", "deploy/checkout", "-n", "shop", "-e", GRPC_ENTRY, "-y", "--json").stdout)
    obj = kube.get_object("deployments", "shop", "checkout")
    obj["spec"]["template"]["metadata"]["annotations"][TCP] = "900s"  # someone changed it since
    kube.add(obj)
    result = run("undo", fixed["action_id"], "--yes")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: refused")
    assert "refused" not in result.stdout
    assert template_annotations(kube)[TCP] == "900s"


def test_undo_of_something_that_changed_nothing_is_refused(run, kube, shop):
    dry = json.loads(run("fix", "deploy/checkout", "-n", "shop", "-e", GRPC_ENTRY, "--dry-run", "--json").stdout)
    result = run("undo", dry["action_id"])
    assert result.exit_code == 2 and "nothing to undo" in result.stderr
    assert run("undo", "act-doesnotexist").exit_code == 2


@pytest.mark.parametrize(("answer", "code", "applied"), [("y\n", 0, True), ("n\n", 2, False), ("\n", 2, False)])
def test_a_person_at_a_terminal_is_asked(run, kube, shop, monkeypatch, answer, code, applied):
    monkeypatch.setattr("bot.cli.remedy_cmds._interactive", lambda: True)
    result = run("fix", "deploy/checkout", "-n", "shop", "--entry", GRPC_ENTRY, stdin=answer)
    assert result.exit_code == code and "Apply? [y/N]" in result.stdout
    assert (TCP in template_annotations(kube)) is applied


def test_two_fix_processes_at_once_change_the_workload_once(kube, shop, kubeconfig, tmp_path):
    env = {
        **os.environ,
        "KUBECONFIG": str(kubeconfig),
        "EKS_DOCTOR_DATABASE_URL": f"sqlite:///{tmp_path / 'shared.db'}",
    }
    env.pop("EKS_DOCTOR_CONFIG", None)
    subprocess.run(
        [sys.executable, "-m", "bot.cli.app", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True
    )
    argv = [
        sys.executable,
        "-m",
        "bot.cli.app",
        "fix",
        "deploy/checkout",
        "-n",
        "shop",
        "-e",
        GRPC_ENTRY,
        "-y",
        "--json",
    ]
    generation = kube.get_object("deployments", "shop", "checkout")["metadata"]["generation"]
    processes = [subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [json.loads(p.communicate(timeout=60)[0]) for p in processes]
    assert sorted(o["status"] for o in outputs) == ["already_applied", "applied"]
    assert kube.get_object("deployments", "shop", "checkout")["metadata"]["generation"] == generation + 1
    assert template_annotations(kube)[TCP] == "1800s"
