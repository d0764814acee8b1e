"""`eks-doctor check | diagnose | scan`: exit codes, JSON shape and human output."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.kube_emulator import builders as b

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "manifests"
ENTRY_IDS = {
    "public-network-egress", "port-9100-conflict", "quota-pods-per-cluster", "quota-security-group-instances",
    "istio-dns-timeout-ipvs-udp", "grpc-connection-reset-ipvs-tcp",
}  # fmt: skip


@pytest.fixture(autouse=True)
def clean_env(cli, monkeypatch, tmp_path):
    """On top of the shared `cli` fixture's clean environment: no timeout override, no ~/.kube/config."""
    monkeypatch.delenv("EKS_DOCTOR_KUBE_TIMEOUT", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))


def run(cli, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = cli(*args, stdin=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def cluster(cli, kube, kubeconfig, monkeypatch):
    """The emulator as the current kubeconfig context, with an istio workload and a healthy one."""
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    kube.add(b.namespace("shop", labels={"istio-injection": "enabled"}))
    meshed = b.deployment("checkout", "shop", containers=[b.container("app"), b.container("istio-proxy")])
    healthy = b.deployment("search", "web", template_annotations={"eks.tke.cloud.tencent.com/eip-attributes": "{}"})
    for deploy in (meshed, healthy):
        kube.add_many([deploy, b.replicaset_for(deploy), b.pod(owner=deploy)])
    return kube


def test_check_examples_shows_every_entry(cli):
    code, out, _ = run(cli, "check", str(EXAMPLES), "--json")
    assert code == 1
    payload = json.loads(out)
    assert set(payload) >= {"findings", "unreadable", "warnings"}
    for finding in payload["findings"]:
        assert set(finding) >= {"entry", "workload", "verdict", "evidence"}
        assert set(finding["workload"]) == {"kind", "namespace", "name"}
        assert finding["verdict"] in {"confirmed", "ruled_out", "unknown"}
    confirmed = {f["entry"] for f in payload["findings"] if f["verdict"] == "confirmed"}
    assert confirmed == ENTRY_IDS
    # without logs, a Deployment's public egress cannot be confirmed offline: it depends on a NAT route
    egress = next(f for f in payload["findings"]
                  if f["entry"] == "public-network-egress" and f["workload"]["name"] == "webhook-sender")  # fmt: skip
    assert egress["verdict"] == "unknown"
    assert any("NAT gateway route 0.0.0.0/0" in e for e in egress["evidence"])
    healthy = [f for f in payload["findings"] if f["workload"]["name"] == "storefront"]
    assert healthy and all(f["verdict"] != "confirmed" for f in healthy)


def test_check_human_output_and_exit_codes(cli, tmp_path):
    code, out, _ = run(cli, "check", str(EXAMPLES / "healthy"))
    assert code == 0
    assert "deployment/storefront in storefront" in out
    assert "0 confirmed, 3 ruled out, 3 unknown (1 workload in 1 file)" in out  # quotas: once, for the cluster
    code, out, _ = run(cli, "check", str(EXAMPLES / "port-9100-exporter.yaml"))
    assert code == 1
    assert "✖ confirmed port-9100-conflict" in out and "→ Move the EKS metrics port" in out


def test_check_reads_stdin_and_reports_problems_on_stderr(cli, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: Deployment\nmetadata: {name: x\n")
    stdin = (EXAMPLES / "istio-dns-timeout.yaml").read_text()
    code, out, err = run(cli, "check", "-", str(broken), "--json", stdin=stdin)
    assert code == 1
    assert "broken.yaml:3: not valid YAML" in err
    assert json.loads(out)["problems"][0]["line"] == 3


def test_check_with_nothing_readable_is_an_input_error(cli, tmp_path):
    code, out, err = run(cli, "check", str(tmp_path / "missing.yaml"))
    assert code == 2 and out == ""
    assert "no such file" in err and "nothing to check" in err


def test_diagnose_json_and_exit_code(cli, cluster):
    code, out, _ = run(cli, "diagnose", "deploy/checkout", "-n", "shop", "--json")
    assert code == 1
    payload = json.loads(out)
    istio = next(f for f in payload["findings"] if f["entry"] == "istio-dns-timeout-ipvs-udp")
    assert istio["verdict"] == "confirmed"
    assert istio["workload"] == {"kind": "Deployment", "namespace": "shop", "name": "checkout"}
    assert payload["unreadable"] == [] and payload["partial"] is False


def test_diagnose_human_output_for_a_healthy_workload(cli, cluster):
    code, out, _ = run(cli, "diagnose", "web/search", "--symptom", "pods cannot reach the internet")
    assert code == 0
    assert "deployment/search in web" in out
    assert "symptom matches: public-network-egress" in out
    assert out.rstrip().splitlines()[-1].startswith("0 confirmed, ")


def test_diagnose_missing_workload_exits_2_with_suggestion(cli, cluster):
    code, _, err = run(cli, "diagnose", "deploy/chekout", "-n", "shop")
    assert code == 2
    assert "deployment chekout not found in namespace shop (did you mean checkout?)" in err
    assert "Traceback" not in err


def test_diagnose_denied_exits_3_naming_the_permission(cli, cluster):
    cluster.deny("get", "deployments")
    code, _, err = run(cli, "diagnose", "deploy/checkout", "-n", "shop")
    assert code == 3
    assert "needs get on deployments" in err


def test_diagnose_unreachable_exits_3_within_the_timeout(cli, cluster, monkeypatch):
    monkeypatch.setenv("EKS_DOCTOR_KUBE_TIMEOUT", "0.5")
    cluster.set_delay(10)
    started = time.monotonic()
    code, _, err = run(cli, "diagnose", "deploy/checkout", "-n", "shop")
    assert code == 3 and time.monotonic() - started < 3
    assert "cannot reach the cluster" in err


def test_unknown_context_is_an_input_error(cli, cluster):
    code, _, err = run(cli, "diagnose", "checkout", "--context", "staging")
    assert code == 2
    assert "no context 'staging'" in err and "emulator" in err


def test_cluster_from_config_sets_quota_and_context(cli, cluster, tmp_path, monkeypatch):
    config = tmp_path / "doctor.yaml"
    config.write_text("clusters:\n  - {name: prod-gz, context: emulator, pod_quota: 2}\n")
    monkeypatch.setenv("EKS_DOCTOR_CONFIG", str(config))
    code, out, _ = run(cli, "scan", "--all-namespaces", "--cluster", "prod-gz", "--json")
    assert code == 1
    payload = json.loads(out)
    quota = next(f for f in payload["findings"]
                 if f["entry"] == "quota-pods-per-cluster" and f["workload"]["kind"] == "Cluster")  # fmt: skip
    assert quota["workload"]["name"] == "prod-gz" and quota["verdict"] == "confirmed"
    assert any("pod quota reached: 2 of 2 pods" in w for w in payload["warnings"])


def test_scan_namespace_and_flags(cli, cluster):
    code, out, _ = run(cli, "scan", "-n", "web")
    assert code == 0
    assert "(1 workload in namespace web on cluster emulator)" in out.splitlines()[-1]
    code, out, _ = run(cli, "scan", "-A", "--json")
    assert code == 1
    assert json.loads(out)["workloads"] == 2
    code, _, err = run(cli, "scan", "-n", "web", "--all-namespaces")
    assert code == 2 and "not both" in err


def test_scan_unreachable_exits_3(cli, cluster, monkeypatch):
    monkeypatch.setenv("EKS_DOCTOR_KUBE_TIMEOUT", "0.5")
    cluster.stop()
    code, _, err = run(cli, "scan", "-A")
    assert code == 3 and "cannot reach the cluster" in err
