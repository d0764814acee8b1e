"""Fixtures: the real kubectl (skipped with the reason on a machine without it, failed on CI), a
scenario with every kind the product reads, and the product's own client for the same emulator."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from bot.cluster.kubeapi import KubeApi, connect
from tests.conformance.kubectl import MISSING, REQUIRE_ENV, Kubectl, find_kubectl
from tests.kube_emulator import KubeEmulator
from tests.kube_emulator import builders as b


@pytest.fixture(scope="session")
def kubectl_binary() -> str:
    binary = find_kubectl()
    if binary is None:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{MISSING} ({REQUIRE_ENV}=1: this machine must have it)", pytrace=False)
        pytest.skip(MISSING)
    return binary


@pytest.fixture
def kubectl(kubectl_binary: str, kubeconfig: Path, tmp_path: Path) -> Kubectl:
    return Kubectl(kubectl_binary, kubeconfig, tmp_path)


@pytest.fixture
def api(kubeconfig: Path) -> KubeApi:
    """The product's client, built as the CLI builds it."""
    return connect(context=None, timeout=5.0, kubeconfig=kubeconfig)


def build_shop() -> dict[str, dict[str, Any]]:
    """Every kind the product reads, shaped as on an EKS serverless cluster: a meshed Deployment
    with a crash-looping pod, a StatefulSet, a DaemonSet, a Job, a CronJob, a Service, events."""
    checkout = b.deployment(
        "checkout",
        "shop",
        containers=[
            b.container("app", ports=[{"containerPort": 9090, "name": "grpc"}, 9110], env={"MODE": "live"}),
            b.container("istio-proxy", "istio/proxyv2:1.20.0", ports=[15090]),
        ],
        replicas=2,
        template_annotations={"prometheus.io/scrape": "true"},
    )
    healthy = b.pod("checkout-6d4f8-aaaaa", owner=checkout)
    crashing = b.pod(
        "checkout-6d4f8-bbbbb",
        owner=checkout,
        waiting_reason="CrashLoopBackOff",
        restart_count=7,
        last_terminated={"reason": "OOMKilled", "exitCode": 137},
    )
    orders = b.statefulset("orders-db", "shop", replicas=1, template_annotations={"team": "data"})
    agent = b.daemonset("node-agent", "shop", template_annotations={"eks.tke.cloud.tencent.com/ipvs-udp-timeout": "5s"})
    migrate = b.job("migrate", "shop", succeeded=1)
    report = b.cronjob("report", "shop")
    service = b.service("checkout", "shop", ports=[9090], selector={"app": "checkout"})
    objects = {
        "namespace": b.namespace("shop", labels={"istio-injection": "enabled"}),
        "deployment": checkout,
        "replicaset": b.replicaset_for(checkout),
        "pod": crashing,
        "healthy_pod": healthy,
        "statefulset": orders,
        "statefulset_pod": b.pod("orders-db-0", owner=orders),
        "daemonset": agent,
        "job": migrate,
        "cronjob": report,
        "service": service,
        "backoff": b.event(
            crashing, "BackOff", "Back-off restarting failed container app", field_path="spec.containers{app}"
        ),
        "oom": b.event(crashing, "OOMKilling", "Memory cgroup out of memory: Killed process 4242 (java)", count=3),
        "scheduled": b.event(healthy, "Scheduled", "Successfully assigned shop/checkout-6d4f8-aaaaa", "Normal"),
        "scaled": b.event(checkout, "ScalingReplicaSet", "Scaled up replica set checkout-6d4f8 to 2", "Normal"),
    }
    return objects


def load_shop(kube: KubeEmulator, objects: dict[str, dict[str, Any]]) -> None:
    kube.add_many(objects.values())
    pod = objects["pod"]["metadata"]["name"]
    kube.set_logs("shop", pod, "app", "".join(f"line {n}\n" for n in range(1, 8)))
    kube.set_logs("shop", pod, "app", "starting\njava.lang.OutOfMemoryError: Java heap space\n", previous=True)


@pytest.fixture
def shop(kube: KubeEmulator) -> dict[str, dict[str, Any]]:
    objects = build_shop()
    load_shop(kube, objects)
    return objects
