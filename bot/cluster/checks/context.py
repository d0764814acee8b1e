"""What a check may know beyond the workload: the cluster's limits, its pod counts, and what the
Tencent Cloud API says about its network and security groups."""

from __future__ import annotations

from dataclasses import dataclass

from bot.cloud.facts import CloudFacts
from bot.cluster.snapshot import ClusterCounts, Unreadable


@dataclass(frozen=True, slots=True)
class CheckContext:
    #: The cluster's configured limits; None means "use the check's default".
    pod_quota: int | None = None
    security_group_quota: int | None = None
    quota_warn_ratio: float = 0.8
    counts: ClusterCounts | Unreadable | None = None
    cluster_name: str = "default"
    #: None: no cloud reader was given (offline checks), and the checks say nothing about the cloud.
    cloud: CloudFacts | None = None


def percent(used: int, limit: int, noun: str = "") -> str:
    """'170 of 200 pods (85%)'."""
    return f"{used} of {limit}{' ' + noun if noun else ''} ({used * 100 // limit}%)"
