"""Each check kind on plain manifest dicts: when it holds, fails, or cannot tell."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.cluster.checks import CheckContext, evaluate
from bot.cluster.snapshot import ClusterCounts, ContainerLog, Unreadable
from bot.domain import Outcome
from knowledge.schema import (
    AnnotationDurationBelowCheck,
    ClusterPodQuotaCheck,
    EgressWithoutEipCheck,
    IstioSidecarCheck,
    LogSignatureCheck,
    QuotaFailureEventsCheck,
    SecurityGroupQuotaCheck,
    SpeaksGrpcCheck,
    UsesPortCheck,
)
from tests.inspect.conftest import make_snapshot
from tests.kube_emulator import builders as b

CTX = CheckContext()
UDP = "eks.tke.cloud.tencent.com/ipvs-udp-timeout"
METRICS_PORT = "eks.tke.cloud.tencent.com/metrics-port"
SG = "eks.tke.cloud.tencent.com/security-group-id"


def text(outcome) -> str:
    return " | ".join(outcome.evidence)


# -- istio_sidecar -----------------------------------------------------------------------------------

ISTIO = IstioSidecarCheck(kind="istio_sidecar")


def test_istio_holds_for_running_proxy_container():
    deploy = b.deployment("checkout", "shop")
    meshed = b.pod(owner=deploy, containers=[b.container("app"), b.container("istio-proxy")])
    outcome = evaluate(ISTIO, make_snapshot(deploy, pods=[meshed]), CTX)
    assert outcome.outcome is Outcome.HOLDS
    assert "istio-proxy" in text(outcome) and meshed["metadata"]["name"] in text(outcome)


def test_istio_holds_for_injecting_namespace_label():
    deploy = b.deployment("checkout", "shop")
    outcome = evaluate(ISTIO, make_snapshot(deploy, namespace_labels={"istio-injection": "enabled"}), CTX)
    assert outcome.outcome is Outcome.HOLDS
    assert "istio-injection=enabled" in text(outcome)


def test_istio_holds_for_revision_label_and_status_annotation():
    deploy = b.deployment("checkout", "shop")
    assert (
        evaluate(ISTIO, make_snapshot(deploy, namespace_labels={"istio.io/rev": "1-20"}), CTX).outcome is Outcome.HOLDS
    )
    annotated = b.deployment("api", "shop", template_annotations={"sidecar.istio.io/status": '{"containers":[]}'})
    assert evaluate(ISTIO, make_snapshot(annotated), CTX).outcome is Outcome.HOLDS


def test_istio_template_opt_out_beats_namespace_label():
    deploy = b.deployment("checkout", "shop", template_annotations={"sidecar.istio.io/inject": "false"})
    outcome = evaluate(ISTIO, make_snapshot(deploy, namespace_labels={"istio-injection": "enabled"}), CTX)
    assert outcome.outcome is Outcome.FAILS
    assert "opts out" in text(outcome)


def test_istio_fails_without_any_sign():
    deploy = b.deployment("checkout", "shop")
    outcome = evaluate(ISTIO, make_snapshot(deploy, pods=[b.pod(owner=deploy)]), CTX)
    assert outcome.outcome is Outcome.FAILS
    assert "namespace shop has no istio-injection" in text(outcome)


def test_istio_unknown_when_namespace_labels_unreadable():
    deploy = b.deployment("checkout", "shop")
    labels = Unreadable("namespace shop", "the cluster denied get namespaces")
    outcome = evaluate(ISTIO, make_snapshot(deploy, namespace_labels=labels), CTX)
    assert outcome.outcome is Outcome.UNKNOWN
    assert "denied get namespaces" in text(outcome)


# -- annotation_duration_below ------------------------------------------------------------------------

UDP_BELOW = AnnotationDurationBelowCheck(kind="annotation_duration_below", annotation=UDP, minimum="120s")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, Outcome.HOLDS), ("5s", Outcome.HOLDS), ("119s", Outcome.HOLDS), ("120s", Outcome.FAILS),
     ("2m", Outcome.FAILS), ("1800s", Outcome.FAILS), ("soon", Outcome.HOLDS)],
)  # fmt: skip
def test_duration_compared_as_durations(value, expected):
    deploy = b.deployment("checkout", "shop", template_annotations={UDP: value} if value else None)
    outcome = evaluate(UDP_BELOW, make_snapshot(deploy), CTX)
    assert outcome.outcome is expected
    assert "pod template" in text(outcome)


def test_duration_reports_template_and_pods_that_differ():
    deploy = b.deployment("checkout", "shop", template_annotations={UDP: "120s"})
    old = b.pod(owner=deploy)
    old["metadata"]["annotations"].pop(UDP)  # started before the template was patched
    new = b.pod(owner=deploy)
    outcome = evaluate(UDP_BELOW, make_snapshot(deploy, pods=[old, new]), CTX)
    assert outcome.outcome is Outcome.HOLDS
    evidence = text(outcome)
    assert "on the pod template: '120s'" in evidence
    assert f"1 of 2 running pods ({old['metadata']['name']}): not set" in evidence
    assert "until a rollout" in evidence


def test_duration_fails_when_template_and_pods_are_raised():
    deploy = b.deployment("checkout", "shop", template_annotations={UDP: "2m"})
    outcome = evaluate(UDP_BELOW, make_snapshot(deploy, pods=[b.pod(owner=deploy)]), CTX)
    assert outcome.outcome is Outcome.FAILS


# -- speaks_grpc ------------------------------------------------------------------------------------

GRPC = SpeaksGrpcCheck(kind="speaks_grpc")


def test_grpc_holds_for_port_name():
    deploy = b.deployment(
        "payments", "shop", containers=[b.container("app", ports=[{"name": "grpc-api", "containerPort": 9090}])]
    )
    outcome = evaluate(GRPC, make_snapshot(deploy), CTX)
    assert outcome.outcome is Outcome.HOLDS
    assert "'grpc-api'" in text(outcome)


def test_grpc_holds_for_service_app_protocol_and_java_flag():
    deploy = b.deployment("payments", "shop", containers=[b.container("app", args=["-Dio.grpc.netty.level=debug"])])
    service = b.service("payments", "shop", ports=[{"port": 8443, "appProtocol": "grpc"}])
    outcome = evaluate(GRPC, make_snapshot(deploy, services=[service]), CTX)
    assert outcome.outcome is Outcome.HOLDS
    assert "appProtocol grpc" in text(outcome) and "-Dio.grpc" in text(outcome)


def test_grpc_unknown_without_hint():
    deploy = b.deployment(
        "web", "shop", containers=[b.container("app", ports=[{"name": "http", "containerPort": 8080}])]
    )
    outcome = evaluate(GRPC, make_snapshot(deploy), CTX)
    assert outcome.outcome is Outcome.UNKNOWN


# -- uses_port ---------------------------------------------------------------------------------------

PORT = UsesPortCheck(kind="uses_port", port=9100, moved_by=METRICS_PORT)


def test_port_holds_for_container_port():
    deploy = b.deployment("inventory", "shop", containers=[b.container("exporter", ports=[9100])])
    outcome = evaluate(PORT, make_snapshot(deploy), CTX)
    assert outcome.outcome is Outcome.HOLDS
    assert "containerPort 9100" in text(outcome) and "not set, so EKS serves metrics on 9100" in text(outcome)


def test_port_holds_for_args_and_termination_message():
    deploy = b.deployment("inventory", "shop", containers=[b.container("app", args=["--metrics-addr=:9100"])])
    crashed = b.pod(
        owner=deploy, restart_count=4, last_terminated={"message": "listen tcp :9100: bind: address already in use"}
    )
    outcome = evaluate(PORT, make_snapshot(deploy, pods=[crashed]), CTX)
    assert outcome.outcome is Outcome.HOLDS
    assert "'--metrics-addr=:9100'" in text(outcome)
    assert "bind: address already in use" in text(outcome)


def test_port_holds_for_bind_error_in_logs_only():
    deploy = b.deployment("inventory", "shop")
    log = ContainerLog(
        "inventory-abc", "inventory", text="starting\nlisten tcp 0.0.0.0:9100: bind: address already in use\n"
    )
    outcome = evaluate(PORT, make_snapshot(deploy, logs=[log]), CTX)
    assert outcome.outcome is Outcome.HOLDS
    assert "log of inventory-abc/inventory" in text(outcome)


def test_port_fails_when_metrics_port_moved_everywhere():
    deploy = b.deployment(
        "inventory",
        "shop",
        containers=[b.container("exporter", ports=[9100])],
        template_annotations={METRICS_PORT: "9110"},
    )
    outcome = evaluate(PORT, make_snapshot(deploy, pods=[b.pod(owner=deploy)]), CTX)
    assert outcome.outcome is Outcome.FAILS
    assert "'9110'" in text(outcome) and "moved off 9100" in text(outcome)


def test_port_holds_while_pods_still_lack_the_move():
    deploy = b.deployment(
        "inventory",
        "shop",
        containers=[b.container("exporter", ports=[9100])],
        template_annotations={METRICS_PORT: "9110"},
    )
    old = b.pod(owner=deploy)
    old["metadata"]["annotations"].pop(METRICS_PORT)
    outcome = evaluate(PORT, make_snapshot(deploy, pods=[old]), CTX)
    assert outcome.outcome is Outcome.HOLDS


def test_port_fails_when_nothing_uses_it():
    deploy = b.deployment("web", "shop", containers=[b.container("app", ports=[8080], args=["--port=19100"])])
    outcome = evaluate(PORT, make_snapshot(deploy, logs=[]), CTX)
    assert outcome.outcome is Outcome.FAILS


# -- quotas -----------------------------------------------------------------------------------------

POD_QUOTA = ClusterPodQuotaCheck(kind="cluster_pod_quota", default_limit=200)
SG_QUOTA = SecurityGroupQuotaCheck(kind="security_group_quota", annotation=SG, default_limit=2000)


def counts(pods: int, groups: dict[str, int] | None = None, *, complete: bool = True) -> ClusterCounts:
    return ClusterCounts(pods=pods, security_groups={SG: Counter(groups or {})}, complete=complete)


def test_pod_quota_holds_at_limit_and_fails_below():
    deploy = b.deployment("web", "shop")
    at = evaluate(POD_QUOTA, make_snapshot(deploy), CheckContext(counts=counts(200)))
    assert at.outcome is Outcome.HOLDS and "200 of 200 pods (100%)" in text(at)
    near = evaluate(POD_QUOTA, make_snapshot(deploy), CheckContext(counts=counts(170)))
    assert (
        near.outcome is Outcome.FAILS and "170 of 200 pods (85%)" in text(near) and "close to the limit" in text(near)
    )
    far = evaluate(POD_QUOTA, make_snapshot(deploy), CheckContext(counts=counts(20)))
    assert far.outcome is Outcome.FAILS and "close" not in text(far)


def test_pod_quota_uses_the_configured_limit_and_says_when_uncounted():
    deploy = b.deployment("web", "shop")
    raised = evaluate(POD_QUOTA, make_snapshot(deploy), CheckContext(pod_quota=500, counts=counts(250)))
    assert raised.outcome is Outcome.FAILS and "250 of 500" in text(raised)
    missing = CheckContext(counts=Unreadable("pods across the cluster", "the cluster denied list pods"))
    assert evaluate(POD_QUOTA, make_snapshot(deploy), missing).outcome is Outcome.UNKNOWN


def test_pod_quota_offline_counts_are_a_lower_bound():
    deploy = b.deployment("web", "shop")
    over = evaluate(POD_QUOTA, make_snapshot(deploy), CheckContext(counts=counts(250, complete=False)))
    assert over.outcome is Outcome.HOLDS and "manifests alone ask for 250" in text(over)
    under = evaluate(POD_QUOTA, make_snapshot(deploy), CheckContext(counts=counts(10, complete=False)))
    assert under.outcome is Outcome.UNKNOWN


def test_security_group_default_group_and_named_group():
    plain = b.deployment("web", "shop")
    full = evaluate(SG_QUOTA, make_snapshot(plain), CheckContext(counts=counts(2000, {"": 2000})))
    assert full.outcome is Outcome.HOLDS
    assert "default security group" in text(full) and "2000 of 2000 instances" in text(full)
    named = b.deployment("crawler", "shop", template_annotations={SG: "sg-a"})
    ctx = CheckContext(counts=counts(2100, {"": 2000, "sg-a": 100}))
    outcome = evaluate(SG_QUOTA, make_snapshot(named), ctx)
    assert (
        outcome.outcome is Outcome.FAILS and "security group sg-a" in text(outcome) and "100 of 2000" in text(outcome)
    )


def test_security_group_near_limit_is_unknown_because_other_instances_are_invisible():
    plain = b.deployment("web", "shop")
    outcome = evaluate(SG_QUOTA, make_snapshot(plain), CheckContext(counts=counts(1700, {"": 1700})))
    assert outcome.outcome is Outcome.UNKNOWN


QUOTA_EVENTS = QuotaFailureEventsCheck(kind="quota_failure_events", patterns=["(?i)quota"])


def test_quota_events_hold_for_failed_create_on_the_replicaset():
    deploy = b.deployment("web", "shop")
    event = b.event(
        b.replicaset_for(deploy), "FailedCreate", "Error creating: pods quota exceeded for cluster", count=12
    )
    outcome = evaluate(QUOTA_EVENTS, make_snapshot(deploy, events=[event]), CTX)
    assert outcome.outcome is Outcome.HOLDS
    assert "FailedCreate on replicaset/web-" in text(outcome) and "(x12)" in text(outcome)


def test_quota_events_hold_for_pending_pod_message():
    deploy = b.deployment("web", "shop")
    pending = b.pod(owner=deploy, phase="Pending")
    pending["status"]["conditions"][0]["message"] = "pod quota of the cluster is exhausted"
    outcome = evaluate(QUOTA_EVENTS, make_snapshot(deploy, pods=[pending], events=[]), CTX)
    assert outcome.outcome is Outcome.HOLDS and "is Pending" in text(outcome)


def test_quota_events_fail_when_read_and_absent_unknown_when_unread():
    deploy = b.deployment("web", "shop")
    assert evaluate(QUOTA_EVENTS, make_snapshot(deploy, events=[]), CTX).outcome is Outcome.FAILS
    assert evaluate(QUOTA_EVENTS, make_snapshot(deploy), CTX).outcome is Outcome.UNKNOWN


# -- egress_without_eip, log_signature ----------------------------------------------------------------

EGRESS = EgressWithoutEipCheck(kind="egress_without_eip", annotation_prefix="eks.tke.cloud.tencent.com/eip-")
LOGS = LogSignatureCheck(kind="log_signature", patterns=[r"(?i)connection timed out", r"i/o timeout"])


def test_egress_holds_without_eip_meaning_it_depends_on_nat():
    outcome = evaluate(EGRESS, make_snapshot(b.deployment("web", "shop")), CTX)
    assert outcome.outcome is Outcome.HOLDS
    assert "NAT gateway route 0.0.0.0/0" in text(outcome)


def test_egress_fails_with_eip_on_template_and_pods():
    deploy = b.deployment("web", "shop", template_annotations={"eks.tke.cloud.tencent.com/eip-attributes": "{}"})
    outcome = evaluate(EGRESS, make_snapshot(deploy, pods=[b.pod(owner=deploy)]), CTX)
    assert outcome.outcome is Outcome.FAILS and "eip-attributes" in text(outcome)


def test_log_signature_holds_on_matching_line():
    log = ContainerLog("web-1", "app", text="GET /\ndial tcp 52.1.2.3:443: i/o timeout\n")
    outcome = evaluate(LOGS, make_snapshot(b.deployment("web", "shop"), logs=[log]), CTX)
    assert outcome.outcome is Outcome.HOLDS and "log of web-1/app" in text(outcome)


def test_log_signature_unknown_when_absent_or_unavailable():
    quiet = ContainerLog("web-1", "app", text="all good\n")
    absent = evaluate(LOGS, make_snapshot(b.deployment("web", "shop"), logs=[quiet]), CTX)
    assert absent.outcome is Outcome.UNKNOWN and "absence proves nothing" in text(absent)
    denied = ContainerLog("web-1", "app", unavailable="the cluster denied get pods/log in namespace shop")
    unavailable = evaluate(LOGS, make_snapshot(b.deployment("web", "shop"), logs=[denied]), CTX)
    assert unavailable.outcome is Outcome.UNKNOWN and "denied get pods/log" in text(unavailable)


def test_unknown_check_kind_answers_unknown():
    class Future:
        kind = "written_by_a_newer_version"

    assert evaluate(Future(), make_snapshot(b.deployment("web", "shop")), CTX).outcome is Outcome.UNKNOWN
