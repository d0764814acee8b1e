"""What a check may know beyond the workload: the cluster's limits and its pod counts."""

from __future__ import annotations

from dataclasses import dataclass

from bot.cluster.snapshot import ClusterCounts, Unreadable


@dataclass(frozen=True, slots=True)
class CheckContext:
    #: The cluster's configured limits; None means "use the check's default".
    pod_quota: int | None = None
    security_group_quota: int | None = None
    quota_warn_ratio: float = 0.8
    counts: ClusterCounts | Unreadable | None = None
    cluster_name: str = "default"


def percent(used: int, limit: int, noun: str = "") -> str:
    """'170 of 200 pods (85%)'."""
    return f"{used} of {limit}{' ' + noun if noun else ''} ({used * 100 // limit}%)"
