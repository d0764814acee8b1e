"""annotation_duration_below: is a timeout annotation missing or shorter than the entry's minimum?

The template decides future pods, the running pods decide today; they differ until a rollout ends,
so both are read and the evidence says which one said what.
"""

from __future__ import annotations

import math

from bot.cluster.checks.common import (
    active_pods,
    group_pods_by_annotation,
    name_list,
    pods_without_data,
    quote,
    template_word,
)
from bot.cluster.checks.context import CheckContext
from bot.cluster.checks.registry import evaluator
from bot.cluster.snapshot import WorkloadSnapshot
from bot.domain import CheckOutcome, Outcome
from knowledge.durations import format_seconds, parse_duration
from knowledge.schema import AnnotationDurationBelowCheck

KIND = "annotation_duration_below"
#: Longer timeouts than this are not applied by the platform (the kernel keeps ipvs timeouts in an int of
#: jiffies); it also keeps absurd values such as 400 nines from reaching arithmetic.
MAX_SECONDS = 7 * 24 * 3600


def _judge(value: str | None, minimum: float) -> tuple[bool, str]:
    """(below?, description) for one annotation value."""
    if value is None:
        return True, "not set (the platform default applies)"
    try:
        seconds = parse_duration(value)
    except ValueError:
        seconds = math.inf
    if not math.isfinite(seconds) or seconds > MAX_SECONDS:
        return True, f"{quote(value)}, which is not a duration the platform can apply"
    if seconds < minimum:
        return True, f"{quote(value)} ({format_seconds(seconds)}), below {format_seconds(minimum)}"
    return False, f"{quote(value)} ({format_seconds(seconds)})"


@evaluator(KIND)
def annotation_duration_below(
    spec: AnnotationDurationBelowCheck, snapshot: WorkloadSnapshot, context: CheckContext
) -> CheckOutcome:
    minimum = parse_duration(spec.minimum)
    key = spec.annotation
    template_below, template_said = _judge(snapshot.template.meta.annotations.get(key), minimum)
    where = template_word(snapshot)
    evidence = [f"{key} on the {where}: {template_said}"]
    below = template_below
    pods = active_pods(snapshot)
    if snapshot.ref.kind != "Pod":
        if pods:
            differ = False
            for value, names in sorted(group_pods_by_annotation(pods, key).items(), key=lambda kv: kv[0] or ""):
                pod_below, pod_said = _judge(value, minimum)
                below = below or pod_below
                differ = differ or pod_below != template_below
                evidence.append(f"{len(names)} of {len(pods)} running pods ({name_list(names)}): {pod_said}")
            if differ:
                evidence.append("the running pods differ from the template until a rollout replaces them")
        elif pods_without_data(snapshot):
            evidence.append(pods_without_data(snapshot))
    return CheckOutcome(KIND, Outcome.HOLDS if below else Outcome.FAILS, tuple(evidence))
