"""Answers that must not mislead: a mistyped namespace is not a healthy one, a quota is the cluster's
(reported once), pods without owner references belong to the workload that selects them, and a
missing name points at where that name does exist."""

from __future__ import annotations

import json

import pytest

from tests.kube_emulator import builders as b

SG = "quota-security-group-instances"


@pytest.fixture
def cluster(cli, kube, kubeconfig, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.delenv("EKS_DOCTOR_KUBE_TIMEOUT", raising=False)
    kube.add(b.namespace("shop"))
    checkout = b.deployment("checkout", "shop")
    kube.add_many([checkout, b.replicaset_for(checkout), b.pod(owner=checkout)])
    return kube


def test_scan_of_a_mistyped_namespace_is_an_error_with_the_close_name(cli, cluster):
    result = cli("scan", "-n", "shopp")
    assert result.exit_code == 2
    assert "namespace shopp not found" in result.stderr and "did you mean shop?" in result.stderr
    assert "0 workloads" not in result.stdout
    far = cli("scan", "-n", "nope")  # nothing is close: no far-fetched suggestion
    assert far.exit_code == 2 and far.stderr == "error: namespace nope not found\n"
    as_json = cli("scan", "-n", "shopp", "--json")
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout)["error"]["exit_code"] == 2


def test_scan_of_the_contexts_namespace_that_does_not_exist_is_an_error(cli, cluster, tmp_path):
    moved = cluster.write_kubeconfig(tmp_path / "kubeconfig-gone", namespace="gone")
    result = cli("scan", env={"KUBECONFIG": str(moved)})
    assert result.exit_code == 2 and "namespace gone not found" in result.stderr


def test_a_name_missing_here_points_at_the_namespace_that_has_it(cli, cluster):
    cluster.add(b.namespace("payments"))
    result = cli("diagnose", "deploy/checkout", "-n", "payments")
    assert result.exit_code == 2
    assert "deployment checkout not found in namespace payments" in result.stderr
    assert "did you mean deployment/checkout -n shop?" in result.stderr
    nowhere = cli("diagnose", "deploy/checkout", "-n", "billing")  # no such namespace, nothing close to it
    assert "namespace billing not found" in nowhere.stderr and "deployment/checkout -n shop" in nowhere.stderr
    bare = cli("diagnose", "checkout", "-n", "default")
    assert bare.exit_code == 2 and "deployment/checkout -n shop" in bare.stderr


def test_a_quota_is_reported_once_for_the_cluster_not_per_workload(cli, cluster):
    crawler = b.deployment("crawler", "crawl", replicas=3)
    rs = b.replicaset_for(crawler)
    cluster.add_many([crawler, rs, b.pod(owner=crawler)])
    cluster.add(
        b.event(
            rs,
            "FailedCreate",
            "LimitExceeded.SecurityGroupInstanceLimit: security group sg-1 (default) has reached its limit",
        )
    )
    payload = json.loads(cli("scan", "-A", "--json").stdout)
    quota = [f for f in payload["findings"] if f["entry"].startswith("quota-")]
    assert {f["workload"]["kind"] for f in quota} == {"Cluster"} and len(quota) == 2
    sg = next(f for f in quota if f["entry"] == SG)
    assert sg["verdict"] == "confirmed"
    assert any(e.startswith("deployment/crawler in crawl: event FailedCreate") for e in sg["evidence"])
    # every other finding is about a workload: entries x workloads, plus the two quota entries
    per_workload = [f for f in payload["findings"] if f["workload"]["kind"] != "Cluster"]
    assert len(per_workload) == 4 * payload["workloads"]
    human = cli("scan", "-A").stdout
    assert "deployment/crawler in crawl" in human
    crawler_block = human.split("deployment/crawler in crawl")[1].split("\n\n")[0]
    assert SG not in crawler_block


def test_pods_without_owner_references_belong_to_the_workload_that_selects_them(cli, cluster):
    api = b.deployment("api", "shop")
    orphans = [b.pod(f"api-{i}", "shop", labels=api["spec"]["selector"]["matchLabels"]) for i in range(2)]
    for pod in orphans:
        assert not pod["metadata"].get("ownerReferences")
    cluster.add_many([api, *orphans, b.pod("scratch", "shop", labels={"app": "nobody"})])
    scanned = json.loads(cli("scan", "-n", "shop", "--json").stdout)
    names = {(f["workload"]["kind"], f["workload"]["name"]) for f in scanned["findings"]}
    assert ("Deployment", "api") in names and ("Pod", "scratch") in names
    assert not any(kind == "Pod" and name.startswith("api-") for kind, name in names)
    assert scanned["workloads"] == 3  # checkout, api, and the pod no workload selects
    diagnosed = json.loads(cli("diagnose", "deploy/api", "-n", "shop", "--json").stdout)
    assert diagnosed["workload"]["name"] == "api"
