"""One evaluator per check kind, looked up by the kind named in a knowledge entry."""

from __future__ import annotations

from bot.cluster.checks import durations, egress, grpc, istio, logs, ports, quotas  # noqa: F401  (registration)
from bot.cluster.checks.context import CheckContext
from bot.cluster.checks.registry import CLUSTER_EVALUATORS, EVALUATORS
from bot.cluster.snapshot import ClusterCounts, WorkloadSnapshot
from bot.domain import CheckOutcome, Outcome


def evaluate(spec, snapshot: WorkloadSnapshot, context: CheckContext) -> CheckOutcome:
    """Run one check; a kind without an evaluator (a newer knowledge base) answers unknown, saying so."""
    function = EVALUATORS.get(spec.kind)
    if function is None:
        return CheckOutcome(spec.kind, Outcome.UNKNOWN, (f"this version cannot evaluate {spec.kind} checks",))
    return function(spec, snapshot, context)


def evaluate_cluster(spec, counts: ClusterCounts, context: CheckContext) -> CheckOutcome:
    return CLUSTER_EVALUATORS[spec.kind](spec, counts, context)


def is_cluster_scoped(spec) -> bool:
    return spec.kind in CLUSTER_EVALUATORS


__all__ = ["CLUSTER_EVALUATORS", "EVALUATORS", "CheckContext", "evaluate", "evaluate_cluster", "is_cluster_scoped"]
