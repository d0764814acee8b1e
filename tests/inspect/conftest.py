"""Shared fixtures for the inspection tests: the knowledge base, snapshots from plain dicts, and a
live source pointed at the Kubernetes emulator over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.cluster.boundary import read_event, read_pod, read_service, read_workload
from bot.cluster.kubeapi import connect
from bot.cluster.live import LiveSource
from bot.cluster.snapshot import ContainerLog, Unreadable, WorkloadSnapshot
from bot.config import ClusterConfig, DoctorConfig
from bot.domain import WorkloadRef
from bot.settings import Settings
from knowledge import load_knowledge_base

NOT_READ = Unreadable("test", "not part of this test")


@pytest.fixture(scope="session")
def kb():
    return load_knowledge_base()


@pytest.fixture
def settings() -> Settings:
    return Settings(kube_timeout_seconds=5.0, log_tail_lines=200, quota_warn_ratio=0.8)


def make_snapshot(
    obj: dict[str, Any],
    *,
    pods: list[dict[str, Any]] | Unreadable | None = None,
    events: list[dict[str, Any]] | Unreadable = NOT_READ,
    logs: list[ContainerLog] | Unreadable = NOT_READ,
    services: list[dict[str, Any]] | Unreadable | None = None,
    namespace_labels: dict[str, str] | Unreadable | None = None,
) -> WorkloadSnapshot:
    """A snapshot from plain dicts, read through the same typed boundary as files and the API."""
    workload, _ = read_workload(obj)
    return WorkloadSnapshot(
        ref=WorkloadRef(kind=workload.kind, namespace=workload.meta.namespace or "default", name=workload.name),
        workload=workload,
        pods=[] if pods is None else pods if isinstance(pods, Unreadable) else [read_pod(p)[0] for p in pods],
        events=events if isinstance(events, Unreadable) else [read_event(e)[0] for e in events],
        logs=logs,
        services=(
            [] if services is None
            else services if isinstance(services, Unreadable)
            else [read_service(s)[0] for s in services]
        ),
        namespace_labels={} if namespace_labels is None else namespace_labels,
    )


@pytest.fixture
def live(kubeconfig: Path) -> Callable[..., LiveSource]:
    """A LiveSource on the emulator through the official client and a real kubeconfig file."""

    def make(*, timeout: float = 5.0, log_tail_lines: int = 200) -> LiveSource:
        return LiveSource(connect(context=None, timeout=timeout, kubeconfig=kubeconfig), log_tail_lines=log_tail_lines)

    return make


def config_with(**cluster: Any) -> DoctorConfig:
    """A config with one cluster `prod` carrying the given limits."""
    return DoctorConfig(clusters=[ClusterConfig(name="prod", **cluster)], default_cluster="prod")
