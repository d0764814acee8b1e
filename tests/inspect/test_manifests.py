"""Reading manifests: files, folders, stdin, multi-document YAML, Lists, and broken files."""

from __future__ import annotations

import io
from pathlib import Path

from bot.cluster.inspector import check_manifests
from bot.cluster.manifests import ManifestSource, read_manifest_files
from bot.domain import Verdict

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: %(name)s, namespace: shop}
spec:
  replicas: %(replicas)d
  selector: {matchLabels: {app: %(name)s}}
  template:
    metadata: {labels: {app: %(name)s}}
    spec:
      containers: [{name: app, image: example/%(name)s:1, ports: [{containerPort: %(port)d}]}]
"""


def deploy(name: str, *, replicas: int = 1, port: int = 8080) -> str:
    return DEPLOY % {"name": name, "replicas": replicas, "port": port}


def test_multi_document_file_and_other_kinds(tmp_path: Path):
    config_map = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n"
    (tmp_path / "app.yaml").write_text("---\n".join([deploy("api"), config_map, deploy("worker")]))
    manifests = read_manifest_files([tmp_path])
    assert manifests.problems == []
    assert manifests.files_read == 1
    workloads = ManifestSource(manifests).list_workloads(namespace=None)
    assert [w.ref.name for w in workloads] == ["api", "worker"]
    assert workloads[1].origin.endswith("app.yaml:17")  # after 10 + 1 + 4 + 1 lines


def test_malformed_file_is_reported_with_line_and_others_still_checked(tmp_path: Path, kb):
    (tmp_path / "good.yaml").write_text(deploy("exporter", port=9100))
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n")
    report = check_manifests(kb=kb, paths=[tmp_path])
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert problem.file.endswith("broken.yaml") and problem.line == 5 and "not valid YAML" in problem.message
    assert any(f.entry_id == "port-9100-conflict" and f.verdict is Verdict.CONFIRMED for f in report.findings)


def test_missing_paths_and_workloads_without_template(tmp_path: Path):
    (tmp_path / "bad.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {}\n")
    manifests = read_manifest_files([tmp_path / "bad.yaml", tmp_path / "nope.yaml"])
    messages = [str(p) for p in manifests.problems]
    assert any("Deployment x has no pod template" in m and ":1:" in m for m in messages)
    assert any("nope.yaml: no such file" in m for m in messages)


def test_stdin_and_kubectl_list_with_pods_attached(kb):
    listing = """\
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: checkout, namespace: shop}
  spec:
    selector: {matchLabels: {app: checkout}}
    template:
      metadata:
        labels: {app: checkout}
        annotations: {eks.tke.cloud.tencent.com/ipvs-udp-timeout: "120s", sidecar.istio.io/inject: "true"}
      spec: {containers: [{name: app, image: example/checkout:2}]}
- apiVersion: v1
  kind: Pod
  metadata:
    name: checkout-5d8c7-abcde
    namespace: shop
    labels: {app: checkout}
    ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: checkout-5d8c7, controller: true}]
  spec: {containers: [{name: app, image: example/checkout:1}, {name: istio-proxy, image: istio/proxyv2}]}
  status: {phase: Running}
"""
    report = check_manifests(kb=kb, paths=["-"], stdin=io.StringIO(listing))
    assert report.workloads == 1  # the pod belongs to the Deployment, not a workload of its own
    istio = next(f for f in report.findings if f.entry_id == "istio-dns-timeout-ipvs-udp")
    # the template is fixed, the running pod (started before the change) is not
    assert istio.verdict is Verdict.CONFIRMED
    assert any("1 of 1 running pods (checkout-5d8c7-abcde): not set" in e for e in istio.evidence)
    assert report.origins[istio.workload] == "<stdin>:4"  # the item's own line in the List


def test_planned_replicas_count_against_the_pod_quota(tmp_path: Path, kb):
    (tmp_path / "big.yaml").write_text(deploy("load", replicas=180) + "---\n" + deploy("more", replicas=30))
    report = check_manifests(kb=kb, paths=[tmp_path])
    quota = next(f for f in report.findings if f.entry_id == "quota-pods-per-cluster" and f.workload.kind == "Cluster")
    assert quota.verdict is Verdict.CONFIRMED
    assert "the manifests alone ask for 210 pods" in quota.evidence[0]
    assert "deployment/load 180" in quota.evidence[1]
