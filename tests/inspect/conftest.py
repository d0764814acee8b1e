"""Shared fixtures for the inspection tests: the knowledge base, snapshots from plain dicts, and a
live source pointed at the Kubernetes emulator over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.cluster.kinds import pod_template
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
    """A snapshot from plain dicts, as the manifest reader or the live reader would build it."""
    meta = obj["metadata"]
    return WorkloadSnapshot(
        ref=WorkloadRef(kind=obj["kind"], namespace=meta.get("namespace", "default"), name=meta["name"]),
        obj=obj,
        template=pod_template(obj),
        pods=[] if pods is None else pods,
        events=events,
        logs=logs,
        services=[] if services is None else services,
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
