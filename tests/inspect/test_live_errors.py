"""What the live reader does when the cluster says no, answers slowly, or is gone."""

from __future__ import annotations

import time

import pytest

from bot.cluster.inspector import diagnose
from bot.cluster.kubeapi import Access
from bot.cluster.references import parse_reference
from bot.config import DoctorConfig
from bot.domain import Outcome, Verdict
from bot.errors import ClusterPermissionError, ClusterUnreachableError, NotFoundError
from tests.kube_emulator import builders as b


def run(source, kb, settings, text):
    return diagnose(kb=kb, source=source, ref=parse_reference(text), config=DoctorConfig(), settings=settings)


def add_deployment(kube, name="checkout", namespace="shop", pods=1):
    deploy = b.deployment(name, namespace)
    kube.add(deploy)
    kube.add(b.replicaset_for(deploy))
    return [kube.add(b.pod(owner=deploy)) for _ in range(pods)]


def test_missing_workload_names_it_and_suggests_close_names(kube, live, kb, settings):
    for name in ("checkout", "checkout-worker", "payments"):
        add_deployment(kube, name)
    with pytest.raises(NotFoundError) as caught:
        run(live(), kb, settings, "deploy/chekout -n shop")
    assert str(caught.value.message) == "deployment chekout not found in namespace shop"
    assert caught.value.suggestions[0] == "checkout"
    assert "payments" not in caught.value.suggestions
    assert "did you mean checkout" in str(caught.value)


def test_missing_bare_name_suggests_across_kinds(kube, live, kb, settings):
    add_deployment(kube, "checkout")
    kube.add(b.statefulset("checkout-db", "shop"))
    with pytest.raises(NotFoundError) as caught:
        run(live(), kb, settings, "shop/checkout-d")
    assert "no deployment, statefulset, daemonset, job, cronjob or pod named checkout-d" in caught.value.message
    assert "statefulset/checkout-db" in caught.value.suggestions


def test_missing_namespace_is_named_with_suggestions(kube, live, kb, settings):
    add_deployment(kube, "checkout", "shop")
    with pytest.raises(NotFoundError) as caught:
        run(live(), kb, settings, "deploy/checkout -n shpo")
    assert caught.value.message.startswith("namespace shpo not found")
    assert caught.value.suggestions == ["shop"]


def test_denied_workload_read_names_verb_and_resource(kube, live, kb, settings):
    add_deployment(kube)
    kube.deny("get", "deployments", namespace="shop")
    with pytest.raises(ClusterPermissionError) as caught:
        run(live(), kb, settings, "deploy/checkout -n shop")
    assert str(caught.value) == (
        "the cluster denied get deployments in namespace shop: the bot's service account needs get on deployments"
    )
    assert caught.value.exit_code == 3


def test_denied_pieces_make_a_partial_report_that_says_what_is_missing(kube, live, kb, settings):
    add_deployment(kube)
    kube.deny("list", "pods", namespace="shop")
    kube.deny("list", "pods")  # the cluster-wide count too
    report = run(live(), kb, settings, "deploy/checkout -n shop")
    assert report.partial and not report.unreachable
    assert "pods: the cluster denied list pods in namespace shop: the bot's service account needs list on pods" in (
        report.unreadable
    )
    assert any("across the cluster" in line for line in report.unreadable)
    quota = next(f for f in report.findings if f.entry_id == "quota-pods-per-cluster")
    assert quota.checks[0].outcome is Outcome.UNKNOWN
    # checks that need only the template still answer
    port = next(f for f in report.findings if f.entry_id == "port-9100-conflict")
    assert port.verdict is Verdict.RULED_OUT


def test_logs_unavailable_make_log_checks_unknown_while_others_answer(kube, live, kb, settings):
    kube.add(b.namespace("shop", labels={"istio-injection": "enabled"}))
    add_deployment(kube)
    kube.deny("get", "pods/log", namespace="shop")
    report = run(live(), kb, settings, "deploy/checkout -n shop")
    egress = next(f for f in report.findings if f.entry_id == "public-network-egress")
    assert egress.verdict is Verdict.UNKNOWN
    assert egress.checks[1].outcome is Outcome.UNKNOWN
    assert any("needs get on pods/log" in e for e in egress.evidence)
    assert next(f for f in report.findings if f.entry_id == "istio-dns-timeout-ipvs-udp").verdict is Verdict.CONFIRMED
    assert any(line.startswith("logs of ") and "pods/log" in line for line in report.unreadable)
    # one refusal is enough: the other containers are not asked again
    assert len([r for r in kube.requests if r.path.endswith("/log")]) == 1


def test_slow_cluster_is_unreachable_within_the_timeout(kube, live, kb, settings):
    add_deployment(kube)
    kube.set_delay(5)
    started = time.monotonic()
    with pytest.raises(ClusterUnreachableError, match="timed out"):
        run(live(timeout=0.5), kb, settings, "deploy/checkout -n shop")
    assert time.monotonic() - started < 2.5
    assert len(kube.requests) == 1  # no silent retries multiplying the wait


def test_stopped_cluster_is_unreachable(kube, live, kb, settings):
    source = live(timeout=1)
    kube.stop()
    with pytest.raises(ClusterUnreachableError, match="cannot reach the cluster"):
        run(source, kb, settings, "deploy/checkout -n shop")


def test_cluster_lost_midway_gives_a_partial_report(kube, live, kb, settings):
    add_deployment(kube, pods=2)
    source = live(timeout=1)
    source.api.on_request = lambda path: kube.stop() if path.endswith("/events") else None
    started = time.monotonic()
    report = run(source, kb, settings, "deploy/checkout -n shop")
    assert time.monotonic() - started < 3
    assert report.partial and report.unreachable
    assert report.workload.name == "checkout"
    assert any(line.startswith("events: cannot reach the cluster") for line in report.unreadable)


def test_transient_errors_are_retried_once(kube, live, kb, settings):
    add_deployment(kube)
    kube.fail_next(1, 503)
    assert run(live(), kb, settings, "deploy/checkout -n shop").workload.name == "checkout"
    kube.fail_next(2, 503)
    with pytest.raises(ClusterUnreachableError, match="answered 503"):
        run(live(), kb, settings, "deploy/checkout -n shop")


def test_paged_metadata_lists(kube, live):
    kube.add_many(b.pod(f"p-{i}", "shop") for i in range(5))
    api = live().api
    items = list(api.items("/api/v1/namespaces/shop/pods", access=Access("list", "pods", "shop"), metadata_only=True,
                           page_size=2))  # fmt: skip
    assert [i["metadata"]["name"] for i in items] == [f"p-{i}" for i in range(5)]
    assert {i["kind"] for i in items} == {"PartialObjectMetadata"}  # the server honoured the Accept header
    pages = [r for r in kube.requests if r.path == "/api/v1/namespaces/shop/pods"]
    assert len(pages) == 3 and "continue" in pages[1].query
