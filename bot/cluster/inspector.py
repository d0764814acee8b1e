"""The inspection use cases: diagnose one workload, scan many, check manifest files.

They take a `Source` (live cluster or manifests) and a knowledge base and return plain reports; no
printing, no Slack, no client objects.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from bot.cloud.facts import CloudFacts, split_groups
from bot.cluster.checks import CheckContext, evaluate, evaluate_cluster, is_cluster_scoped
from bot.cluster.checks.quotas import quota_warnings
from bot.cluster.manifests import ManifestSource, read_manifest_files
from bot.cluster.reports import CheckReport, DiagnosisReport, EntryMatch, ScanReport
from bot.cluster.snapshot import ClusterCounts, Unreadable, WorkloadSnapshot
from bot.cluster.sources import Progress, Source
from bot.cluster.verdicts import combine
from bot.cluster.yaml_input import InputLimits
from bot.config import ClusterConfig, DoctorConfig
from bot.domain import CheckOutcome, Finding, Outcome, WorkloadRef
from bot.settings import Settings
from bot.text_safety import clip_utf8

if TYPE_CHECKING:
    from bot.cloud.reader import CloudReader

log = logging.getLogger(__name__)

CLUSTER_KIND = "Cluster"


def _check_specs(kb) -> list:
    return [spec for entry in kb.entries.values() for spec in entry.checks.items]


def _sg_annotations(kb) -> list[str]:
    return sorted({spec.annotation for spec in _check_specs(kb) if spec.kind == "security_group_quota"})


def _needs_counts(kb) -> bool:
    return any(is_cluster_scoped(spec) for spec in _check_specs(kb))


def check_context(
    *,
    cluster: ClusterConfig,
    counts: ClusterCounts | Unreadable | None,
    quota_warn_ratio: float,
    cloud: CloudFacts | None = None,
) -> CheckContext:
    """Configured limits win; a cluster without configured limits uses each check's own default."""
    explicit = cluster.model_fields_set
    return CheckContext(
        pod_quota=cluster.pod_quota if "pod_quota" in explicit else None,
        security_group_quota=cluster.security_group_quota if "security_group_quota" in explicit else None,
        quota_warn_ratio=quota_warn_ratio,
        counts=counts,
        cluster_name=cluster.name,
        cloud=cloud,
    )


def read_cloud(cloud: CloudReader | None, *, kb, snapshots: Sequence[WorkloadSnapshot], counts) -> CloudFacts | None:
    """The cloud facts the entries' checks can use: the egress routes, and the bindings of every
    security group the workloads (and, live, the cluster's pods) name. None without a reader."""
    if cloud is None:
        return None
    kinds = {spec.kind for spec in _check_specs(kb)}
    groups: list[str] = []
    for annotation in _sg_annotations(kb):
        values = [s.template.meta.annotations.get(annotation, "") for s in snapshots]
        if isinstance(counts, ClusterCounts):
            values += list(counts.security_groups.get(annotation, {}))
        groups += [gid for value in values for gid in split_groups(value)]
    return cloud.read(egress="egress_without_eip" in kinds, security_groups=groups)


def _cloud_lines(facts: CloudFacts | None) -> list[Unreadable]:
    """Cloud pieces that could not be read, worded like the cluster's; a cloud outage is not a
    cluster outage, so none of them marks the cluster unreachable."""
    if facts is None:
        return []
    # One outage fails every piece the same way: one line for all of them, not one per group.
    by_why: dict[str, list[str]] = {}
    for gap in facts.gaps():
        by_why.setdefault(gap.why, []).append(gap.what)
    return [
        Unreadable(whats[0] if len(whats) == 1 else f"{whats[0]} and {len(whats) - 1} more pieces", why)
        for why, whats in by_why.items()
    ]


def evaluate_entry(*, entry, snapshot: WorkloadSnapshot, context: CheckContext) -> Finding:
    """One entry against one workload, every check in the entry's order."""
    outcomes = [evaluate(spec, snapshot, context) for spec in entry.checks.items]
    return combine(entry_id=entry.id, workload=snapshot.ref, outcomes=outcomes, confirm_when=entry.checks.confirm_when)


def _warnings(kb, context: CheckContext) -> list[str]:
    pod_default = next((s.default_limit for s in _check_specs(kb) if s.kind == "cluster_pod_quota"), 200)
    sg_spec = next((s for s in _check_specs(kb) if s.kind == "security_group_quota"), None)
    return quota_warnings(
        counts=context.counts,
        context=context,
        pod_limit_default=pod_default,
        sg_annotation=sg_spec.annotation if sg_spec else None,
        sg_limit_default=sg_spec.default_limit if sg_spec else 2000,
    )


def _ordered_entries(kb, symptom: str | None) -> tuple[list, list[EntryMatch], list[str]]:
    """Entries with those the symptom matches first (best first), the matches, and any warning."""
    entries = list(kb.entries.values())
    if not symptom:
        return entries, [], []
    try:
        ranked = kb.matcher.match(symptom, top=len(entries))
    except (ImportError, AttributeError) as exc:
        log.debug("symptom matching unavailable: %s", exc)
        return entries, [], ["symptom matching is not available in this version; every entry was checked"]
    matches = [EntryMatch(entry_id=m.entry_id, score=float(m.score)) for m in ranked if m.entry_id in kb.entries]
    first = [kb.entries[m.entry_id] for m in matches]
    return first + [e for e in entries if e.id not in {m.entry_id for m in matches}], matches, []


def _unreadable_lines(pieces: Iterable[Unreadable]) -> list[str]:
    lines: list[str] = []
    for piece in pieces:
        if str(piece) not in lines:
            lines.append(str(piece))
    return lines


def _log_problems(snapshot: WorkloadSnapshot) -> list[Unreadable]:
    if isinstance(snapshot.logs, Unreadable):
        return []
    reasons: dict[str, list[str]] = {}
    for log_tail in snapshot.logs:
        if log_tail.unavailable:
            reasons.setdefault(log_tail.unavailable, []).append(log_tail.label)
    return [Unreadable(f"logs of {', '.join(labels)}", why) for why, labels in reasons.items()]


def diagnose(
    *,
    kb,
    source: Source,
    ref: WorkloadRef,
    config: DoctorConfig,
    settings: Settings,
    symptom: str | None = None,
    cluster: ClusterConfig | None = None,
    cloud: CloudReader | None = None,
) -> DiagnosisReport:
    """Every entry against one workload; entries the symptom matches come first.

    Raises NotFoundError / ClusterPermissionError / ClusterUnreachableError when the workload itself
    cannot be read; anything else that cannot be read makes the report partial. `cloud` (a reader
    from bot.cloud.open_cloud) lets the checks see route tables and security-group bindings.
    """
    target = cluster or config.cluster()
    symptom = clip_utf8(symptom, settings.max_paste_bytes) if symptom else symptom
    snapshot, counts = _workload_and_counts(kb, source, ref)
    facts = read_cloud(cloud, kb=kb, snapshots=[snapshot], counts=counts)
    context = check_context(cluster=target, counts=counts, quota_warn_ratio=settings.quota_warn_ratio, cloud=facts)
    entries, matches, warnings = _ordered_entries(kb, symptom)
    pieces = [*snapshot.unreadable(), *_log_problems(snapshot)]
    if isinstance(counts, Unreadable):
        pieces.append(counts)
    cloud_pieces = _cloud_lines(facts)
    return DiagnosisReport(
        findings=[evaluate_entry(entry=entry, snapshot=snapshot, context=context) for entry in entries],
        unreadable=_unreadable_lines([*pieces, *cloud_pieces]),
        warnings=warnings + _warnings(kb, context) + list(snapshot.notes),
        workload=snapshot.ref,
        cluster=target.name,
        matches=matches,
        partial=bool(pieces or cloud_pieces),
        unreachable=any(piece.unreachable for piece in pieces),
        cloud_unreachable=bool(facts and facts.unreachable),
    )


def _workload_and_counts(kb, source: Source, ref: WorkloadRef) -> tuple[WorkloadSnapshot, Any]:
    """The workload and the cluster's pod counts; a live source counts while it reads the workload's pieces
    (once the workload is found: a missing one is not worth a count)."""
    if not _needs_counts(kb):
        return source.read_workload(ref=ref), None
    counted: list[Any] = []

    def count() -> None:
        counted.append(source.cluster_counts(sg_annotations=_sg_annotations(kb)))

    snapshot = source.read_workload(ref=ref, alongside=count)
    return snapshot, counted[0] if counted else source.cluster_counts(sg_annotations=_sg_annotations(kb))


def _cluster_outcomes(kb, counts, context: CheckContext) -> dict[str, list[CheckOutcome]]:
    """Cluster-scoped outcomes per entry, evaluated once (not once per workload)."""
    outcomes: dict[str, list[CheckOutcome]] = {}
    for entry in kb.entries.values():
        for spec in entry.checks.items:
            if not is_cluster_scoped(spec):
                continue
            if isinstance(counts, ClusterCounts):
                outcome = evaluate_cluster(spec, counts, context)
            else:
                why = counts.why if isinstance(counts, Unreadable) else "not counted"
                outcome = CheckOutcome(spec.kind, Outcome.UNKNOWN, (f"pods in the cluster not counted: {why}",))
            outcomes.setdefault(entry.id, []).append(outcome)
    return outcomes


#: Workloads named in a cluster finding's evidence for a per-workload check (the rest are counted).
ACROSS_SHOWN = 5


def _across_workloads(spec, snapshots: Sequence[WorkloadSnapshot], context: CheckContext) -> CheckOutcome:
    """A per-workload check of a cluster entry (e.g. quota failure events), asked of every workload
    and answered once: it holds where it holds for any workload, naming which."""
    if not snapshots:
        return CheckOutcome(spec.kind, Outcome.FAILS, ("no workloads to look at",))
    results = [(snapshot.ref, evaluate(spec, snapshot, context)) for snapshot in snapshots]
    holds = [(ref, outcome) for ref, outcome in results if outcome.outcome is Outcome.HOLDS]
    if holds:
        evidence = [
            f"{ref.kind.lower()}/{ref.name}" + (f" in {ref.namespace}" if ref.namespace else "") + f": {line}"
            for ref, outcome in holds[:ACROSS_SHOWN]
            for line in outcome.evidence[:2]
        ]
        if len(holds) > ACROSS_SHOWN:
            evidence.append(f"and {len(holds) - ACROSS_SHOWN} more workloads")
        return CheckOutcome(spec.kind, Outcome.HOLDS, tuple(evidence))
    unknown = [outcome for _ref, outcome in results if outcome.outcome is Outcome.UNKNOWN]
    if unknown:
        lines = list(dict.fromkeys(line for outcome in unknown for line in outcome.evidence))
        return CheckOutcome(spec.kind, Outcome.UNKNOWN, tuple(lines[:ACROSS_SHOWN]))
    return CheckOutcome(spec.kind, Outcome.FAILS, (f"none of {len(snapshots)} workloads shows it",))


def evaluate_many(*, kb, snapshots: Sequence[WorkloadSnapshot], counts, context: CheckContext) -> list[Finding]:
    """Every entry against every workload. An entry with a cluster-scoped check (the quotas) gives one
    finding, for the cluster: its per-workload checks are asked of every workload and answered there,
    so a quota is reported once, not once per workload as well."""
    cluster_ref = WorkloadRef(kind=CLUSTER_KIND, namespace=None, name=context.cluster_name)
    cluster_outcomes = _cluster_outcomes(kb, counts, context)
    findings: list[Finding] = []
    for entry in kb.entries.values():
        once = cluster_outcomes.get(entry.id)
        if once:
            shared = iter(once)
            outcomes = [
                next(shared) if is_cluster_scoped(spec) else _across_workloads(spec, snapshots, context)
                for spec in entry.checks.items
            ]
            finding = combine(
                entry_id=entry.id, workload=cluster_ref, outcomes=outcomes, confirm_when=entry.checks.confirm_when
            )
            findings.append(finding)
            continue
        for snapshot in snapshots:
            outcomes = [evaluate(spec, snapshot, context) for spec in entry.checks.items]
            findings.append(
                combine(
                    entry_id=entry.id, workload=snapshot.ref, outcomes=outcomes, confirm_when=entry.checks.confirm_when
                )
            )
    return findings


def scan(
    *,
    kb,
    source: Source,
    config: DoctorConfig,
    settings: Settings,
    namespace: str | None = None,
    cluster: ClusterConfig | None = None,
    progress: Progress | None = None,
    cloud: CloudReader | None = None,
) -> ScanReport:
    """Every workload of a namespace (None: all namespaces) against every entry, read in bulk.
    The cloud, when given, is read once for the whole scan (and cached briefly by the reader)."""
    target = cluster or config.cluster()
    snapshots = source.list_workloads(namespace=namespace, progress=progress)
    counts = source.cluster_counts(sg_annotations=_sg_annotations(kb)) if _needs_counts(kb) else None
    if cloud is not None and progress:
        progress("reading route tables and security groups from Tencent Cloud")
    facts = read_cloud(cloud, kb=kb, snapshots=snapshots, counts=counts)
    context = check_context(cluster=target, counts=counts, quota_warn_ratio=settings.quota_warn_ratio, cloud=facts)
    if progress:
        progress(f"checking {len(snapshots)} workload" + ("" if len(snapshots) == 1 else "s"))
    pieces = list(source.unreadable())
    if isinstance(counts, Unreadable):
        pieces.append(counts)
    cloud_pieces = _cloud_lines(facts)
    return ScanReport(
        findings=evaluate_many(kb=kb, snapshots=snapshots, counts=counts, context=context),
        unreadable=_unreadable_lines([*pieces, *cloud_pieces]),
        warnings=_warnings(kb, context) + [note for s in snapshots for note in s.notes],
        namespace=namespace,
        cluster=target.name,
        workloads=len(snapshots),
        partial=bool(pieces or cloud_pieces),
        unreachable=any(piece.unreachable for piece in pieces),
        cloud_unreachable=bool(facts and facts.unreachable),
    )


def check_manifests(
    *,
    kb,
    paths: Sequence[str | Path],
    config: DoctorConfig | None = None,
    quota_warn_ratio: float = 0.8,
    stdin: IO[str] | None = None,
    limits: InputLimits | None = None,
) -> CheckReport:
    """Offline: every entry against every workload in the files; unreadable files become problems."""
    manifests = read_manifest_files(paths, stdin=stdin, limits=limits)
    source = ManifestSource(manifests)
    snapshots = source.list_workloads(namespace=None)
    counts = source.cluster_counts(sg_annotations=_sg_annotations(kb))
    context = check_context(
        cluster=(config or DoctorConfig()).cluster(), counts=counts, quota_warn_ratio=quota_warn_ratio
    )
    return CheckReport(
        findings=evaluate_many(kb=kb, snapshots=snapshots, counts=counts, context=context),
        problems=manifests.problems,
        files_read=manifests.files_read,
        workloads=len(snapshots),
        origins={s.ref: s.origin for s in snapshots},
    )
