"""What the use cases need from wherever workloads come from: a live cluster or manifest files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from bot.cluster.snapshot import ClusterCounts, Unreadable, WorkloadSnapshot
from bot.domain import WorkloadRef

Progress = Callable[[str], None]


class Source(Protocol):
    #: "live" or "manifests"; offline sources have no running pods, events or logs.
    name: str

    def read_workload(self, *, ref: WorkloadRef, alongside: Callable[[], object] | None = None) -> WorkloadSnapshot:
        """One workload and what surrounds it; raises NotFoundError, ClusterPermissionError,
        ClusterUnreachableError when the workload itself cannot be read. `alongside` runs once the
        workload is found (a live source runs it beside its own reads) and has finished on return."""
        ...

    def list_workloads(self, *, namespace: str | None, progress: Progress | None = None) -> list[WorkloadSnapshot]:
        """Every workload in a namespace (None: all), read in bulk; logs are not read."""
        ...

    def cluster_counts(self, *, sg_annotations: Sequence[str]) -> ClusterCounts | Unreadable:
        """Pods in the cluster, total and per value of each security-group annotation."""
        ...

    def unreadable(self) -> list[Unreadable]:
        """Pieces the last bulk read could not get (e.g. a kind the bot may not list)."""
        ...
