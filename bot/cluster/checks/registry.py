"""Check kinds -> evaluators. Each evaluator is written once and parameterised by the entry's spec."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.cluster.checks.context import CheckContext
from bot.cluster.snapshot import ClusterCounts, WorkloadSnapshot
from bot.domain import CheckOutcome

Evaluator = Callable[[Any, WorkloadSnapshot, CheckContext], CheckOutcome]
ClusterEvaluator = Callable[[Any, ClusterCounts, CheckContext], CheckOutcome]

EVALUATORS: dict[str, Evaluator] = {}
#: Kinds that describe the whole cluster; a scan evaluates them once, not once per workload.
CLUSTER_EVALUATORS: dict[str, ClusterEvaluator] = {}


def evaluator(kind: str) -> Callable[[Evaluator], Evaluator]:
    def register(function: Evaluator) -> Evaluator:
        EVALUATORS[kind] = function
        return function

    return register


def cluster_evaluator(kind: str) -> Callable[[ClusterEvaluator], ClusterEvaluator]:
    def register(function: ClusterEvaluator) -> ClusterEvaluator:
        CLUSTER_EVALUATORS[kind] = function
        return function

    return register
