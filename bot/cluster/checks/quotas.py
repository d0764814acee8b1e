"""Quota checks: pods per cluster and per security group, counted once per cluster, plus the
FailedCreate-style events and pending pods that show a quota was hit."""

from __future__ import annotations

from collections import Counter

from bot.cloud.facts import SecurityGroupBindings
from bot.cluster.checks.bindings import cloud_bindings, gap_note, judge_bindings
from bot.cluster.checks.common import active_pods, name_list, quote, template_word
from bot.cluster.checks.context import CheckContext, percent
from bot.cluster.checks.registry import cluster_evaluator, evaluator
from bot.cluster.patterns import Budget, any_match, bounded, gave_up
from bot.cluster.snapshot import ClusterCounts, Unreadable, WorkloadSnapshot
from bot.domain import CheckOutcome, Outcome
from knowledge.schema import ClusterPodQuotaCheck, QuotaFailureEventsCheck, SecurityGroupQuotaCheck

POD_QUOTA = "cluster_pod_quota"
SG_QUOTA = "security_group_quota"
FAILURE_EVENTS = "quota_failure_events"
DEFAULT_GROUP = "the project's default security group in the region"
MAX_QUOTES = 3


def _largest(counts: ClusterCounts) -> list[str]:
    if not counts.largest:
        return []
    return ["largest: " + ", ".join(f"{label} {n}" for label, n in counts.largest[:3])]


@cluster_evaluator(POD_QUOTA)
def cluster_pod_quota_for_cluster(
    spec: ClusterPodQuotaCheck, counts: ClusterCounts, context: CheckContext
) -> CheckOutcome:
    limit = context.pod_quota or spec.default_limit
    if not counts.complete:
        if counts.pods >= limit:
            return CheckOutcome(
                POD_QUOTA,
                Outcome.HOLDS,
                (
                    f"the manifests alone ask for {counts.pods} pods, at or over the cluster's pod quota of {limit}",
                    *_largest(counts),
                ),
            )
        return CheckOutcome(
            POD_QUOTA,
            Outcome.UNKNOWN,
            (
                f"the manifests ask for {counts.pods} pods of the cluster's quota of {limit}; "
                "pods already running in the cluster are not known offline",
            ),
        )
    usage = f"{percent(counts.pods, limit, 'pods')} in cluster {context.cluster_name}, against its pod quota"
    if counts.pods >= limit:
        return CheckOutcome(POD_QUOTA, Outcome.HOLDS, (usage + ": new pods are refused", *_largest(counts)))
    near = counts.pods >= limit * context.quota_warn_ratio
    return CheckOutcome(POD_QUOTA, Outcome.FAILS, ((usage + ": close to the limit") if near else usage,))


def _unreadable_counts(kind: str, context: CheckContext) -> CheckOutcome | None:
    if isinstance(context.counts, Unreadable):
        return CheckOutcome(kind, Outcome.UNKNOWN, (f"pods in the cluster not counted: {context.counts.why}",))
    if context.counts is None:
        return CheckOutcome(kind, Outcome.UNKNOWN, ("pods in the cluster not counted",))
    return None


@evaluator(POD_QUOTA)
def cluster_pod_quota(spec: ClusterPodQuotaCheck, snapshot: WorkloadSnapshot, context: CheckContext) -> CheckOutcome:
    missing = _unreadable_counts(POD_QUOTA, context)
    return missing or cluster_pod_quota_for_cluster(spec, context.counts, context)  # type: ignore[arg-type]


def _group_name(group: str) -> str:
    return f"security group {group}" if group else DEFAULT_GROUP


def _judge_group(spec: SecurityGroupQuotaCheck, group: str, used: int, complete: bool, context: CheckContext):
    """(outcome, evidence) for one security group: from the cloud's own count when there is one,
    else from this cluster's pods (a lower bound), noting why the cloud count is missing."""
    limit = context.security_group_quota or spec.default_limit
    found = cloud_bindings(group, context)
    if found is not None and all(isinstance(f, SecurityGroupBindings) for f in found):
        judged = judge_bindings(found, limit=limit, ours=used if complete else None, context=context)  # type: ignore[arg-type]
        return judged.outcome, judged.said
    outcome, said = _judge_from_pods(limit, group, used, complete, context)
    note = gap_note(found, context) if complete else None
    return outcome, f"{said}; {note}" if note else said


def _judge_from_pods(limit: int, group: str, used: int, complete: bool, context: CheckContext):
    name = _group_name(group)
    if not complete:
        if used >= limit:
            return Outcome.HOLDS, f"the manifests alone put {used} pods in {name}, at or over its limit of {limit}"
        return Outcome.UNKNOWN, (
            f"the manifests put {used} pods in {name} (limit {limit}); instances already bound to it are not "
            "known offline"
        )
    usage = f"{percent(used, limit, 'instances')} in {name} are pods of this cluster"
    if used >= limit:
        return Outcome.HOLDS, usage + ": new pods cannot bind to it"
    if used >= limit * context.quota_warn_ratio:
        return Outcome.UNKNOWN, usage + "; other clusters and CVMs bound to the group could fill the rest"
    return Outcome.FAILS, usage + " (other instances bound to the group are not visible from the cluster)"


@evaluator(SG_QUOTA)
def security_group_quota(
    spec: SecurityGroupQuotaCheck, snapshot: WorkloadSnapshot, context: CheckContext
) -> CheckOutcome:
    group = snapshot.template.meta.annotations.get(spec.annotation, "")
    template = template_word(snapshot)
    where = (
        f"{spec.annotation}: {group!r} on the {template}"
        if group
        else f"no {spec.annotation} on the {template}, so its pods use {DEFAULT_GROUP}"
    )
    missing = _unreadable_counts(SG_QUOTA, context)
    found = cloud_bindings(group, context)
    if missing and found is not None and all(isinstance(f, SecurityGroupBindings) for f in found):
        limit = context.security_group_quota or spec.default_limit
        judged = judge_bindings(found, limit=limit, ours=None, context=context)  # type: ignore[arg-type]
        return CheckOutcome(SG_QUOTA, judged.outcome, (where, judged.said))
    if missing:
        return CheckOutcome(SG_QUOTA, Outcome.UNKNOWN, (where, *missing.evidence))
    counts: ClusterCounts = context.counts  # type: ignore[assignment]
    outcome, said = _judge_group(spec, group, counts.in_group(spec.annotation, group), counts.complete, context)
    return CheckOutcome(SG_QUOTA, outcome, (where, said))


@cluster_evaluator(SG_QUOTA)
def security_group_quota_for_cluster(
    spec: SecurityGroupQuotaCheck, counts: ClusterCounts, context: CheckContext
) -> CheckOutcome:
    groups: Counter[str] = counts.security_groups.get(spec.annotation, Counter())
    if not groups:
        return CheckOutcome(
            SG_QUOTA, Outcome.FAILS if counts.complete else Outcome.UNKNOWN, ("no pods counted in any security group",)
        )
    judged = [
        (group, used, *_judge_group(spec, group, used, counts.complete, context))
        for group, used in groups.most_common()
    ]
    order = {Outcome.HOLDS: 0, Outcome.UNKNOWN: 1, Outcome.FAILS: 2}
    judged.sort(key=lambda item: (order[item[2]], -item[1]))
    outcome = judged[0][2]
    evidence = [said for *_, said in judged[:MAX_QUOTES]]
    if len(judged) > MAX_QUOTES:
        evidence.append(f"and {len(judged) - MAX_QUOTES} more security groups below those")
    return CheckOutcome(SG_QUOTA, outcome, tuple(evidence))


@evaluator(FAILURE_EVENTS)
def quota_failure_events(
    spec: QuotaFailureEventsCheck, snapshot: WorkloadSnapshot, context: CheckContext
) -> CheckOutcome:
    patterns = [bounded(p) for p in spec.patterns]
    budget = Budget()
    hits: list[str] = []
    pending = [p for p in active_pods(snapshot) or [] if p.phase == "Pending"]
    for pod in pending:
        messages = [pod.message, *(c.message for c in pod.conditions)]
        text = next((m for m in messages if m and any_match(patterns, m, budget)), None)
        if text:
            hits.append(f"pod {pod.name} is Pending: {quote(text)}")
    events_read = not isinstance(snapshot.events, Unreadable)
    for event in snapshot.events if events_read else []:
        if any_match(patterns, event.message, budget):
            times = f" (x{event.count})" if event.count > 1 else ""
            hits.append(
                f"event {event.reason} on {event.about.kind.lower()}/{event.about.name}{times}: {quote(event.message)}"
            )
    if hits:
        more = [f"and {len(hits) - MAX_QUOTES} more"] if len(hits) > MAX_QUOTES else []
        return CheckOutcome(FAILURE_EVENTS, Outcome.HOLDS, (*hits[:MAX_QUOTES], *more))
    if budget.exhausted:
        return CheckOutcome(FAILURE_EVENTS, Outcome.UNKNOWN, tuple(gave_up(budget, patterns)))
    if not events_read:
        pending_note = f"; {len(pending)} pending pods without a quota message" if pending else ""
        return CheckOutcome(FAILURE_EVENTS, Outcome.UNKNOWN, (f"events not read: {snapshot.events.why}{pending_note}",))
    return CheckOutcome(
        FAILURE_EVENTS,
        Outcome.FAILS,
        (
            f"no pending pod or event mentions the limit ({len(snapshot.events)} events, {len(pending)} pending pods"
            + (f": {name_list([p.name for p in pending])})" if pending else ")"),
        ),
    )


def quota_warnings(
    *,
    counts: ClusterCounts | Unreadable | None,
    context: CheckContext,
    pod_limit_default: int,
    sg_annotation: str | None,
    sg_limit_default: int,
) -> list[str]:
    """Warnings when live usage passes the warn ratio (default 80%); a group counts all its bindings when
    the cloud told them, else only this cluster's pods."""
    if not isinstance(counts, ClusterCounts) or not counts.complete:
        return []
    warnings = []
    pod_limit = context.pod_quota or pod_limit_default
    if pod_limit * context.quota_warn_ratio <= counts.pods:
        state = "reached" if counts.pods >= pod_limit else "near"
        warnings.append(
            f"cluster {context.cluster_name} pod quota {state}: {percent(counts.pods, pod_limit, 'pods')}; "
            "a quota increase takes a support ticket"
        )
    if sg_annotation:
        sg_limit = context.security_group_quota or sg_limit_default
        for group, used in counts.security_groups.get(sg_annotation, Counter()).most_common():
            found = cloud_bindings(group, context) or []
            totals = [f for f in found if isinstance(f, SecurityGroupBindings)]
            for name, count, scope in [(b.label, b.total, "all bindings") for b in totals] or [
                (_group_name(group), used, "from this cluster alone")
            ]:
                if count >= sg_limit * context.quota_warn_ratio:
                    state = "reached" if count >= sg_limit else "near"
                    warnings.append(f"{name} instance limit {state}: {percent(count, sg_limit)} {scope}")
    return warnings
