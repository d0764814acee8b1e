"""`diagnose` against the Kubernetes emulator, over HTTP through the official client."""

from __future__ import annotations

from bot.cluster.inspector import diagnose
from bot.cluster.references import parse_reference
from bot.config import DoctorConfig
from bot.domain import Verdict
from tests.inspect.conftest import config_with
from tests.kube_emulator import builders as b

UDP = "eks.tke.cloud.tencent.com/ipvs-udp-timeout"
SG = "eks.tke.cloud.tencent.com/security-group-id"


def finding(report, entry_id):
    return next(f for f in report.findings if f.entry_id == entry_id)


def add_deployment(kube, deploy, *, pods=1, **pod_args):
    kube.add(deploy)
    kube.add(b.replicaset_for(deploy))
    return [kube.add(b.pod(owner=deploy, **pod_args)) for _ in range(pods)]


def run(live, kb, settings, text, *, config=None, symptom=None, **source_args):
    return diagnose(kb=kb, source=live(**source_args), ref=parse_reference(text), symptom=symptom,
                    config=config or DoctorConfig(), settings=settings)  # fmt: skip


def test_istio_workload_without_udp_timeout_is_confirmed(kube, live, kb, settings):
    kube.add(b.namespace("shop", labels={"istio-injection": "enabled"}))
    deploy = b.deployment("checkout", "shop", containers=[b.container("app"), b.container("istio-proxy")])
    add_deployment(kube, deploy, pods=2)
    report = run(live, kb, settings, "shop/checkout")
    istio = finding(report, "istio-dns-timeout-ipvs-udp")
    assert istio.verdict is Verdict.CONFIRMED
    assert istio.workload.kind == "Deployment"
    assert any("2 of 2 running pods have an istio-proxy container" in e for e in istio.evidence)
    assert any(f"{UDP} on the pod template: not set" in e for e in istio.evidence)
    assert not report.partial and report.unreadable == []


def test_istio_workload_with_120s_is_ruled_out(kube, live, kb, settings):
    kube.add(b.namespace("shop", labels={"istio-injection": "enabled"}))
    deploy = b.deployment("checkout", "shop", template_annotations={UDP: "120s"})
    add_deployment(kube, deploy, pods=2)
    istio = finding(run(live, kb, settings, "deploy/checkout -n shop"), "istio-dns-timeout-ipvs-udp")
    assert istio.verdict is Verdict.RULED_OUT
    assert any("2 of 2 running pods" in e and "'120s' (120s)" in e for e in istio.evidence)


def test_template_and_running_pods_that_differ_are_both_shown(kube, live, kb, settings):
    kube.add(b.namespace("shop", labels={"istio.io/rev": "1-22"}))
    deploy = b.deployment("checkout", "shop", template_annotations={UDP: "120s"})
    kube.add(deploy)
    kube.add(b.replicaset_for(deploy))
    old = kube.add(b.pod(owner=deploy, annotations={UDP: "5s"}))
    kube.add(b.pod(owner=deploy))
    istio = finding(run(live, kb, settings, "shop/checkout"), "istio-dns-timeout-ipvs-udp")
    assert istio.verdict is Verdict.CONFIRMED
    evidence = " | ".join(istio.evidence)
    assert "istio.io/rev=1-22" in evidence
    assert "on the pod template: '120s'" in evidence
    assert f"1 of 2 running pods ({old['metadata']['name']}): '5s' (5s), below 120s" in evidence
    assert "until a rollout" in evidence


def test_port_9100_found_in_previous_logs(kube, live, kb, settings):
    deploy = b.deployment("inventory", "shop")
    (pod,) = add_deployment(kube, deploy, restart_count=5, waiting_reason="CrashLoopBackOff",
                            last_terminated={"exitCode": 1})  # fmt: skip
    name = pod["metadata"]["name"]
    crash = "level=info msg=starting\nlisten tcp :9100: bind: address already in use\n"
    kube.set_logs("shop", name, "inventory", crash, previous=True)
    report = run(live, kb, settings, "deploy/inventory -n shop")
    port = finding(report, "port-9100-conflict")
    assert port.verdict is Verdict.CONFIRMED
    assert any(f"log of {name}/inventory (previous run)" in e and "bind: address already in use" in e
               for e in port.evidence)  # fmt: skip
    log_requests = [r for r in kube.requests if r.path.endswith("/log")]
    assert {r.query.get("tailLines") for r in log_requests} == {"200"}
    assert all(r.query.get("limitBytes") for r in log_requests)
    # the current container is waiting to restart, so its log is unavailable; that is not an error
    assert any("waiting to start" in line for line in report.unreadable)


def test_pod_quota_counted_cluster_wide_with_paged_metadata_requests(kube, live, kb, settings):
    deploy = b.deployment("web", "shop")
    add_deployment(kube, deploy, pods=3)
    kube.add(b.pod("batch-1", "jobs"))
    kube.add(b.pod("done-1", "jobs", phase="Succeeded"))  # finished pods hold no instance
    report = run(live, kb, settings, "shop/web", config=config_with(pod_quota=4))
    quota = finding(report, "quota-pods-per-cluster")
    assert quota.verdict is Verdict.CONFIRMED
    assert any("4 of 4 pods (100%) in cluster prod" in e for e in quota.evidence)
    assert any("pod quota reached" in w for w in report.warnings)
    counting = [r for r in kube.requests if r.path == "/api/v1/pods"]
    assert len(counting) == 1
    assert counting[0].query["fieldSelector"] == "status.phase!=Succeeded,status.phase!=Failed"
    assert counting[0].query["limit"] == "500"


def test_security_group_counts_per_annotation(kube, live, kb, settings):
    crawler = b.deployment("crawler", "crawl", template_annotations={SG: "sg-crawl"})
    add_deployment(kube, crawler, pods=3)
    web = b.deployment("web", "shop")
    add_deployment(kube, web, pods=1)
    config = config_with(security_group_quota=3, pod_quota=100)
    crawl_finding = finding(run(live, kb, settings, "crawl/crawler", config=config), "quota-security-group-instances")
    assert crawl_finding.verdict is Verdict.CONFIRMED
    assert any("3 of 3 instances (100%) in security group sg-crawl" in e for e in crawl_finding.evidence)
    web_finding = finding(run(live, kb, settings, "shop/web", config=config), "quota-security-group-instances")
    assert any("default security group" in e and "1 of 3" in e for e in web_finding.evidence)


def test_symptom_puts_matching_entries_first(kube, live, kb, settings):
    add_deployment(kube, b.deployment("checkout", "shop"))
    report = run(live, kb, settings, "shop/checkout", symptom="DNS lookups time out since coredns scaled out")
    assert report.findings[0].entry_id == "istio-dns-timeout-ipvs-udp"
    assert report.matches and report.matches[0].entry_id == "istio-dns-timeout-ipvs-udp"
    assert len(report.findings) == len(kb.entries)


def test_bare_name_tries_kinds_in_order(kube, live, kb, settings):
    kube.add(b.statefulset("db", "shop", template_annotations={UDP: "120s"}))
    kube.add(b.pod("db-0", "shop", labels={"app": "db"}))
    report = run(live, kb, settings, "shop/db")
    assert report.workload.kind == "StatefulSet"
    tried = [r.path for r in kube.requests if r.path.endswith("/db")]
    assert tried[:2] == [
        "/apis/apps/v1/namespaces/shop/deployments/db",
        "/apis/apps/v1/namespaces/shop/statefulsets/db",
    ]


def test_quota_failure_events_on_the_replicaset(kube, live, kb, settings):
    deploy = b.deployment("web", "shop", replicas=3)
    add_deployment(kube, deploy, pods=1)
    kube.add(b.event(b.replicaset_for(deploy), "FailedCreate", "Error creating: pods quota exceeded for cluster",
                     count=9))  # fmt: skip
    quota = finding(run(live, kb, settings, "shop/web"), "quota-pods-per-cluster")
    assert quota.verdict is Verdict.CONFIRMED
    assert any("event FailedCreate on replicaset/web-" in e and "(x9)" in e for e in quota.evidence)


def test_cronjob_pods_are_found_through_its_jobs(kube, live, kb, settings):
    cron = b.cronjob("report", "shop", containers=[b.container("report", ports=[9100])])
    run_ = b.job("report-28731460", "shop", owner=cron)
    pod = b.pod(owner=run_, restart_count=1, last_terminated={"message": "bind: address already in use :9100"})
    kube.add_many([cron, run_, pod])
    report = run(live, kb, settings, "cj/report -n shop")
    port = finding(report, "port-9100-conflict")
    assert port.verdict is Verdict.CONFIRMED
    assert any(pod["metadata"]["name"] in e and "address already in use" in e for e in port.evidence)


def test_log_reading_can_be_turned_off(kube, live, kb, settings):
    add_deployment(kube, b.deployment("web", "shop"))
    report = run(live, kb, settings, "shop/web", log_tail_lines=0)
    assert "logs: log reading is off (EKS_DOCTOR_LOG_TAIL_LINES=0)" in report.unreadable
    assert not any(r.path.endswith("/log") for r in kube.requests)
