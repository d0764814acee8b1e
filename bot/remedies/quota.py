"""The quota-ticket use cases: read live figures, draft, store the draft, follow its status.

Pods are counted metadata-only through the inspector's counting (finished pods hold no instance);
pending pods and recent quota failures come from one bounded list each. Every draft also stores a
usage sample, so the next draft can show a trend.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.cluster.kinds import annotations, pod_template
from bot.cluster.kubeapi import Access, KubeApi
from bot.cluster.snapshot import ClusterCounts, Unreadable
from bot.config import ClusterConfig
from bot.errors import (
    ClusterPermissionError,
    ClusterUnreachableError,
    EksDoctorError,
    InputError,
    StoreUnavailableError,
)
from bot.remedies.tickets import TicketDraft, draft_quota_ticket, quota_kind
from bot.store import (
    record_usage_sample,
    save_ticket_draft,
    update_ticket_status,
    usage_history,
)

SG_ANNOTATION = "eks.tke.cloud.tencent.com/security-group-id"
FAILURE_REASONS = {"FailedCreate", "FailedScheduling", "ProvisioningFailed", "FailedCreatePodSandBox"}
EVENT_PAGES = 2


@dataclass(frozen=True, slots=True)
class LiveFigures:
    usage: int
    pending: int  # already part of `usage`: a pending pod exists and holds its place in the quota
    unmet: int  # replicas Deployments and StatefulSets ask for but have not created
    recent_failures: tuple[str, ...]
    security_group: str | None = None  # "" = the default group
    notes: tuple[str, ...] = ()


def _entry_for(kb: Any, quota_type: str) -> Any:
    return next((e for e in kb.entries.values() if e.remedy.ticket and e.remedy.ticket.quota == quota_type), None)


def _patterns(entry: Any) -> list[re.Pattern[str]]:
    specs = [s for s in entry.checks.items if s.kind == "quota_failure_events"] if entry else []
    return [re.compile(p) for s in specs for p in s.patterns]


def _sg_annotation(entry: Any) -> str:
    spec = next((s for s in entry.checks.items if s.kind == "security_group_quota"), None) if entry else None
    return spec.annotation if spec else SG_ANNOTATION


def read_figures(*, api: KubeApi, kb: Any, quota_type: str, security_group: str | None = None) -> LiveFigures:
    """Usage, pending pods and recent failures from the cluster; raises when pods cannot be counted."""
    from bot.cluster.live import LiveSource

    entry = _entry_for(kb, quota_type)
    annotation = _sg_annotation(_entry_for(kb, "security-group-instances"))
    counts = LiveSource(api, log_tail_lines=0).cluster_counts(sg_annotations=[annotation])
    if isinstance(counts, Unreadable):
        error = ClusterUnreachableError if counts.unreachable else ClusterPermissionError
        raise error(f"cannot count the cluster's pods: {counts.why}")
    usage, group = _usage(quota_type, counts, annotation, security_group)
    notes: list[str] = []
    pending = _count(api, "status.phase=Pending", notes)
    shortfall = _unmet(api, notes, annotation)
    unmet = sum(shortfall.values()) if quota_type == "pods-per-cluster" else shortfall.get(group or "", 0)
    failures = _failures(api, _patterns(entry), notes)
    return LiveFigures(usage, pending, unmet, tuple(failures), group, tuple(notes))


def _usage(quota_type: str, counts: ClusterCounts, annotation: str, wanted: str | None) -> tuple[int, str | None]:
    if quota_type == "pods-per-cluster":
        return counts.pods, None
    groups = counts.security_groups.get(annotation) or {}
    if wanted is not None:
        key = "" if wanted in ("", "default") else wanted
        return int(groups.get(key, 0)), key
    if not groups:
        return 0, ""
    group, used = max(groups.items(), key=lambda item: (item[1], item[0] == ""))
    return int(used), group


def _count(api: KubeApi, field_selector: str, notes: list[str]) -> int:
    try:
        items = api.items(
            "/api/v1/pods",
            access=Access("list", "pods"),
            metadata_only=True,
            query=[("fieldSelector", field_selector)],
        )
        return sum(1 for _ in items)
    except EksDoctorError as exc:
        notes.append(f"pending pods not counted: {exc}")
        return 0


def _unmet(api: KubeApi, notes: list[str], annotation: str) -> Counter[str]:
    """Replicas asked for minus replicas created, over Deployments and StatefulSets, per security group
    of their pod template ("" = default group): the pods a full quota keeps from existing."""
    missing: Counter[str] = Counter()
    for plural in ("deployments", "statefulsets"):
        try:
            for obj in api.items(f"/apis/apps/v1/{plural}", access=Access("list", plural)):
                wanted = (obj.get("spec") or {}).get("replicas", 1)
                created = (obj.get("status") or {}).get("replicas", 0)
                if isinstance(wanted, int) and isinstance(created, int) and wanted > created:
                    group = annotations(pod_template({**obj, "kind": "Deployment"})).get(annotation, "")
                    missing[group] += wanted - created
        except EksDoctorError as exc:
            notes.append(f"{plural} not read, so pods wanted but not created are undercounted: {exc}")
    return missing


def _failures(api: KubeApi, patterns: Sequence[re.Pattern[str]], notes: list[str]) -> list[str]:
    """Recent warning events that look like a quota refusal, newest first, as one line each."""
    try:
        events = list(
            api.items(
                "/api/v1/events",
                access=Access("list", "events"),
                query=[("fieldSelector", "type=Warning")],
                max_pages=EVENT_PAGES,
            )
        )
    except EksDoctorError as exc:
        notes.append(f"events not read: {exc}")
        return []
    found = []
    for event in events:
        message = str(event.get("message") or event.get("note") or "")
        # The entry's patterns say what a refusal of this quota looks like; without them, the reason does.
        matched = any(p.search(message) for p in patterns) if patterns else event.get("reason") in FAILURE_REASONS
        if not matched:
            continue
        about = event.get("involvedObject") or event.get("regarding") or {}
        count = event.get("count") or 1
        when = str(event.get("lastTimestamp") or event.get("eventTime") or "")
        line = f"{event.get('reason')} on {str(about.get('kind', '')).lower()}/{about.get('name')}"
        line += f" (x{count})" if count > 1 else ""
        found.append((when, f"{line}: {' '.join(message.split())[:300]}"))
    return [line for _when, line in sorted(found, reverse=True)]


def draft_ticket(
    *,
    store: Any,
    api: KubeApi,
    kb: Any,
    cluster_config: ClusterConfig,
    quota_type: str,
    requested: int | None,
    contact: str,
    actor: str,
    warn_ratio: float,
    security_group: str | None = None,
    incident_id: str | None = None,
    request_key: str | None = None,
    store_error: str | None = None,
    save: bool = True,
    cloud: Any = None,
) -> tuple[TicketDraft, Any, list[str]]:
    """(draft, stored record or None, notes). Store failures leave the draft usable and are noted.

    `store` None means it could not be opened (`store_error` says why): the draft is made all the same.
    Without `save`, nothing is written: a preview of the figures (a form is filled from it).
    `cloud` (a bot.cloud CloudReader): for the security-group quota, the usage becomes everything
    bound to the group, with the breakdown by type; when the cloud cannot tell, this cluster's pods
    count as before and a note says why.
    """
    kind = quota_kind(quota_type)
    if requested is not None and requested <= 0:
        raise InputError("--requested must be a positive number")
    figures = read_figures(api=api, kb=kb, quota_type=quota_type, security_group=security_group)
    limit = cluster_config.pod_quota if quota_type == "pods-per-cluster" else cluster_config.security_group_quota
    series = _series(cluster_config.name, quota_type, figures.security_group)
    notes = list(figures.notes)
    bound = _bindings(cloud, figures, notes) if quota_type == "security-group-instances" else None
    if bound is not None:
        notes.append(
            f"{figures.usage} of the {bound.total} instances bound to {bound.group_id} are pods of this cluster"
        )
        figures = replace(figures, usage=bound.total, security_group=bound.group_id)
        series = f"{quota_type}:{bound.group_id}:all-bindings"  # kept apart from pod-only counts
    try:
        if store is None:
            raise StoreUnavailableError(store_error or "the incident store is not available")
        history = usage_history(store, cluster=cluster_config.name, quota_type=series)
    except EksDoctorError as exc:
        history, notes = [], [*notes, f"usage history not read: {exc}"]
    entry = _entry_for(kb, quota_type)
    draft = draft_quota_ticket(
        quota_type=kind.id,
        cluster_config=cluster_config,
        usage=figures.usage,
        limit=limit,
        pending=figures.pending,
        unmet=figures.unmet,
        recent_failures=figures.recent_failures,
        history=history,
        requested=requested,
        contact=contact,
        security_group=figures.security_group,
        where=entry.remedy.ticket.where if entry else None,
        warn_ratio=warn_ratio,
        breakdown=bound.breakdown if bound is not None else None,
    )
    record = None
    if not save:
        return draft, None, notes
    try:
        if store is None:
            raise StoreUnavailableError(store_error or "the incident store is not available")
        record_usage_sample(store, cluster=cluster_config.name, quota_type=series, usage=draft.usage, limit=limit)
        record = save_ticket_draft(
            store,
            ticket_type=quota_type,
            figures=draft.figures(),
            text={"en": draft.text_en, "zh": draft.text_zh},
            cluster=cluster_config.name,
            actor=actor,
            incident_id=incident_id,
            request_key=request_key,
        )
    except EksDoctorError as exc:
        notes.append(f"the draft was not saved: {exc}")
    return draft, record, notes


def _bindings(cloud: Any, figures: LiveFigures, notes: list[str]) -> Any:
    """The group's bindings from the cloud, or None (with a note when the cloud could not tell)."""
    from bot.cloud.facts import CloudGap, GapKind
    from bot.cluster.checks.bindings import HINT

    if cloud is None:
        return None
    found = cloud.bindings_for(figures.security_group or "")
    if isinstance(found, CloudGap):
        if found.kind is GapKind.NOT_CONFIGURED:
            notes.append(f"counted from this cluster's pods only; {HINT} ({found.why})")
        else:
            notes.append(f"counted from this cluster's pods only; {found}")
        return None
    return found


def _series(cluster: str, quota_type: str, group: str | None) -> str:
    """Usage samples per quota; per security group for the group quota (each group has its own limit)."""
    if quota_type != "security-group-instances":
        return quota_type
    return f"{quota_type}:{group or 'default'}"


def set_ticket_status(*, store: Any, ticket_id: str, status: str, actor: str) -> Any:
    return update_ticket_status(store, ticket_id=ticket_id, status=status, actor=actor)
