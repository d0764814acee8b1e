"""Live objects of the wrong shape (a non-conforming API server, an aggregated API, a proxy) through the
same typed boundary: a warning naming the object and the field, the rest still diagnosed and scanned."""

from __future__ import annotations

from bot.cluster.inspector import diagnose, scan
from bot.cluster.references import parse_reference
from bot.config import DoctorConfig
from bot.domain import Verdict
from tests.kube_emulator import builders as b
from tests.kube_emulator.resources import lookup

METRICS = "eks.tke.cloud.tencent.com/metrics-port"


def _stored(kube, resource: str, name: str) -> dict:
    """The emulator's own copy, changed in place: what a server that skips validation would serve."""
    with kube.store.lock:
        return kube.store.get(lookup(resource), "shop", name)


def _odd_deployment(kube):
    deploy = b.deployment("exporter", "shop", containers=[b.container("app", ports=[9100])])
    kube.add(deploy)
    kube.add(b.replicaset_for(deploy))
    pod = kube.add(b.pod(owner=deploy))
    stored = _stored(kube, "deployments", "exporter")
    stored["spec"]["template"]["metadata"]["annotations"] = {METRICS: 9100}  # a number, not a string
    stored["spec"]["template"]["spec"]["containers"][0]["command"] = 5
    _stored(kube, "pods", pod["metadata"]["name"])["status"]["containerStatuses"] = "not a list"


def test_diagnose_reads_around_a_malformed_live_object(kube, live, kb, settings):
    _odd_deployment(kube)
    report = diagnose(kb=kb, source=live(), ref=parse_reference("shop/exporter"), config=DoctorConfig(),
                      settings=settings)  # fmt: skip
    port = next(f for f in report.findings if f.entry_id == "port-9100-conflict")
    assert port.verdict is Verdict.CONFIRMED  # the number 9100 still reads as the metrics port
    notes = " | ".join(report.warnings)
    assert f'deployment exporter: spec.template.metadata.annotations["{METRICS}"]: 9100 is a number' in notes
    assert "spec.template.spec.containers[0].command: expected a list of strings, found a number" in notes
    assert "status.containerStatuses: expected a list, found a string" in notes


def test_scan_reads_around_a_malformed_live_object(kube, live, kb, settings):
    _odd_deployment(kube)
    report = scan(kb=kb, source=live(), namespace="shop", config=DoctorConfig(), settings=settings)
    assert report.workloads == 1
    assert any("containers[0].command: expected a list of strings" in w for w in report.warnings)


def test_a_malformed_bare_pod_is_warned_about_once_per_field(kube, live, kb, settings):
    pod = kube.add(b.pod("exporter-0", "shop", containers=[b.container("app", ports=[9100])]))
    stored = _stored(kube, "pods", pod["metadata"]["name"])
    stored["metadata"]["annotations"] = {METRICS: 9100}
    stored["status"]["containerStatuses"] = "not a list"
    report = diagnose(kb=kb, source=live(), ref=parse_reference("shop/pod/exporter-0"), config=DoctorConfig(),
                      settings=settings)  # fmt: skip
    annotation = f'metadata.annotations["{METRICS}"]: 9100 is a number'
    assert sum(annotation in w for w in report.warnings) == 1, report.warnings
    assert sum("status.containerStatuses: expected a list, found a string" in w for w in report.warnings) == 1
