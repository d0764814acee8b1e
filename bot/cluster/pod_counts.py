"""Counting pods for the quota checks: in total, per namespace, per security-group annotation value."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from bot.cluster.snapshot import ClusterCounts
from bot.cluster.views import Pod

FINISHED = ("Succeeded", "Failed")
LARGEST = 3


def count_pods(pods: Iterable[Pod], *, sg_annotations: Sequence[str]) -> ClusterCounts:
    """Pods that still hold an instance (finished ones do not); works on metadata-only items too,
    which have no status and are pre-filtered by the API's field selector."""
    total = 0
    groups: dict[str, Counter[str]] = {key: Counter() for key in sg_annotations}
    namespaces: Counter[str] = Counter()
    for pod in pods:
        if pod.phase in FINISHED:
            continue
        total += 1
        namespaces[pod.meta.namespace or ""] += 1
        for key in sg_annotations:
            groups[key][pod.annotations.get(key, "")] += 1
    largest = [(f"namespace {ns}", n) for ns, n in namespaces.most_common(LARGEST)]
    return ClusterCounts(pods=total, security_groups=groups, complete=True, largest=largest)
