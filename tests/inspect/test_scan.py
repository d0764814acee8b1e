"""`scan`: every workload against every entry, read in bulk; cluster-wide checks once."""

from __future__ import annotations

from bot.cluster.inspector import scan
from bot.config import DoctorConfig
from bot.domain import Outcome, Verdict
from tests.inspect.conftest import config_with
from tests.kube_emulator import builders as b

UDP = "eks.tke.cloud.tencent.com/ipvs-udp-timeout"


def populate(kube, *, namespaces: int, pods_per_deployment: int, prefix: str = "team") -> None:
    objects = []
    for n in range(namespaces):
        ns = f"{prefix}-{n}"
        deploy = b.deployment("api", ns, replicas=pods_per_deployment)
        objects += [deploy, b.replicaset_for(deploy)]
        objects += [b.pod(owner=deploy) for _ in range(pods_per_deployment)]
    kube.add_many(objects)


def test_scan_groups_pods_events_and_services_per_workload(kube, live, kb, settings):
    kube.add(b.namespace("shop", labels={"istio-injection": "enabled"}))
    meshed = b.deployment("checkout", "shop")
    fixed = b.deployment("search", "shop", template_annotations={UDP: "120s"})
    exporter = b.deployment("inventory", "shop", containers=[b.container("exporter", ports=[9100])])
    for deploy in (meshed, fixed, exporter):
        kube.add_many([deploy, b.replicaset_for(deploy), b.pod(owner=deploy)])
    cron = b.cronjob("report", "shop")
    run = b.job("report-28731460", "shop", owner=cron)
    kube.add_many([cron, run, b.pod(owner=run), b.pod("debug", "shop")])
    kube.add(b.event(b.replicaset_for(meshed), "FailedCreate", "Error creating: pods quota exceeded for cluster"))
    report = scan(kb=kb, source=live(), namespace="shop", config=DoctorConfig(), settings=settings)

    workloads = {f.workload for f in report.findings if f.workload.kind != "Cluster"}
    assert {(w.kind, w.name) for w in workloads} == {
        ("Deployment", "checkout"), ("Deployment", "search"), ("Deployment", "inventory"),
        ("CronJob", "report"), ("Pod", "debug"),
    }  # fmt: skip
    assert report.workloads == 5

    def verdict(name, entry):
        return next(f.verdict for f in report.findings if f.workload.name == name and f.entry_id == entry)

    assert verdict("checkout", "istio-dns-timeout-ipvs-udp") is Verdict.CONFIRMED
    assert verdict("search", "istio-dns-timeout-ipvs-udp") is Verdict.RULED_OUT
    assert verdict("inventory", "port-9100-conflict") is Verdict.CONFIRMED
    # a quota is the cluster's: its ReplicaSet's failure event confirms it there, naming the workload
    assert not [f for f in report.findings if f.workload.name == "checkout" and f.entry_id.startswith("quota-")]
    quota = next(f for f in report.findings if f.workload.kind == "Cluster" and f.entry_id == "quota-pods-per-cluster")
    assert quota.verdict is Verdict.CONFIRMED
    assert any(e.startswith("deployment/checkout in shop: event ") for e in quota.evidence)
    # logs are not read in a scan, so the egress entry stays unknown and says why
    egress = next(f for f in report.findings if f.workload.name == "checkout" and f.entry_id == "public-network-egress")
    assert egress.verdict is Verdict.UNKNOWN and any("not read during a scan" in e for e in egress.evidence)
    assert not any(r.path.endswith("/log") for r in kube.requests)


def test_cluster_scoped_quota_is_evaluated_once_with_a_warning(kube, live, kb, settings):
    populate(kube, namespaces=3, pods_per_deployment=3)
    report = scan(kb=kb, source=live(), namespace=None, config=config_with(pod_quota=10), settings=settings)
    cluster = [f for f in report.findings if f.workload.kind == "Cluster"]
    assert {f.entry_id for f in cluster} == {"quota-pods-per-cluster", "quota-security-group-instances"}
    pod_quota = next(f for f in cluster if f.entry_id == "quota-pods-per-cluster")
    assert pod_quota.workload.name == "prod"
    assert pod_quota.verdict is Verdict.RULED_OUT
    assert "9 of 10 pods (90%) in cluster prod" in pod_quota.evidence[0]
    assert any("pod quota near: 9 of 10 pods (90%)" in w for w in report.warnings)
    # reported once, for the cluster: the failure events of every workload are one check of that finding
    assert [f.workload.kind for f in report.findings if f.entry_id.startswith("quota-")] == ["Cluster", "Cluster"]
    events = next(c for c in pod_quota.checks if c.check == "quota_failure_events")
    assert events.outcome is Outcome.FAILS and events.evidence == ("none of 3 workloads shows it",)
    # an all-namespaces scan counts from its own pod listing: no second cluster-wide list
    assert len([r for r in kube.requests if r.path == "/api/v1/pods"]) == 1


def test_requests_grow_with_pages_not_pods(kube, live, kb, settings):
    populate(kube, namespaces=4, pods_per_deployment=2)
    scan(kb=kb, source=live(), namespace=None, config=DoctorConfig(), settings=settings)
    few = len(kube.requests)
    kube.reset_requests()
    populate(kube, namespaces=40, pods_per_deployment=5, prefix="more")
    report = scan(kb=kb, source=live(), namespace=None, config=DoctorConfig(), settings=settings)
    assert report.workloads == 44
    assert len(kube.requests) == few


def test_denied_kinds_are_reported_and_the_rest_scanned(kube, live, kb, settings):
    populate(kube, namespaces=1, pods_per_deployment=1)
    kube.deny("list", "cronjobs")
    kube.deny("list", "events")
    report = scan(kb=kb, source=live(), namespace=None, config=DoctorConfig(), settings=settings)
    assert report.workloads == 1 and report.partial and not report.unreachable
    assert any("cronjobs across the cluster: the cluster denied list cronjobs" in u for u in report.unreadable)
    quota = next(f for f in report.findings if f.entry_id == "quota-pods-per-cluster")
    assert quota.workload.kind == "Cluster" and quota.verdict is Verdict.UNKNOWN
    assert next(c for c in quota.checks if c.check == "quota_failure_events").outcome is Outcome.UNKNOWN
