"""Diagnose one live workload, scan many, or check manifest files offline."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from bot.core.clusters import Connection
from bot.core.offers import Offer, OfferKind, build_offers, plan_offer
from bot.core.recording import Recording, Thread, record_triage
from bot.domain import Actor, WorkloadRef
from bot.errors import EksDoctorError, RefusedError

Progress = Callable[[str], None]


@dataclass
class Diagnosis:
    report: Any  # bot.cluster.reports.DiagnosisReport
    cluster: str
    offers: list[Offer] = field(default_factory=list)
    recording: Recording | None = None

    @property
    def workload(self) -> WorkloadRef:
        return self.report.workload

    def as_dict(self) -> dict[str, object]:
        return self.report.as_dict() | {
            "incident": self.recording.as_dict() if self.recording else None,
            "offers": [offer.as_dict() for offer in self.offers],
        }


def resolve_workload(text: str | WorkloadRef, *, namespace: str | None, default_namespace: str) -> WorkloadRef:
    """A reference as people type it (`deploy/x -n ns`, `ns/x`, `x`); InputError says what was expected."""
    if isinstance(text, WorkloadRef):
        return text
    from bot.cluster.references import parse_reference

    return parse_reference(text, namespace=namespace, default_namespace=default_namespace)


def require_namespace(ref_namespace: str | None, only_namespace: str | None, *, what: str) -> None:
    """A channel bound to a namespace reads workloads of that namespace only."""
    if only_namespace and ref_namespace != only_namespace:
        where = f"namespace {ref_namespace}" if ref_namespace else "every namespace"
        raise RefusedError(
            f"this channel is for namespace {only_namespace}; {what} in {where} is not done from here",
            hint="ask in that namespace's channel, or use the eks-doctor command line",
        )


def find_workload(text: str, *, default_namespace: str) -> WorkloadRef | None:
    """The first workload reference inside free text, if any."""
    from bot.cluster.references import find_reference

    return find_reference(text, default_namespace=default_namespace)


def inspect_workload(
    doctor: Any,
    *,
    connection: Connection,
    ref: WorkloadRef,
    symptom: str | None = None,
    preview_offers: bool = False,
) -> Diagnosis:
    """Read the workload and run every entry's checks; raises when the workload itself cannot be read."""
    from bot.cluster.inspector import diagnose as run_diagnose
    from bot.cluster.live import LiveSource

    source = LiveSource(connection.api, log_tail_lines=doctor.settings.log_tail_lines)
    report = run_diagnose(
        kb=doctor.kb,
        source=source,
        ref=ref,
        symptom=symptom,
        config=doctor.config,
        settings=doctor.settings,
        cluster=connection.config,
        cloud=cloud_reader(doctor, connection),
    )
    offers = build_offers(kb=doctor.kb, findings=report.findings, symptom=symptom, cluster=connection.name)
    if preview_offers:
        offers = [_previewed(doctor, connection, offer, symptom) for offer in offers]
    return Diagnosis(report=report, cluster=connection.name, offers=offers)


def cloud_reader(doctor: Any, connection: Connection) -> Any:
    """The Tencent Cloud reader for this cluster (one per request; its answers are cached process-wide).
    Without credentials it makes no call and the evidence says what the cloud check would add."""
    from bot.cloud import open_cloud

    return open_cloud(doctor.settings, connection.config)


def _previewed(doctor: Any, connection: Connection, offer: Offer, symptom: str | None) -> Offer:
    """A patch offer with the workload's current values and the change's cost, for a confirm dialog."""
    if offer.kind is not OfferKind.PATCH or offer.workload is None:
        return offer
    try:
        plan = plan_offer(doctor, connection.api, offer, symptom=symptom)
    except EksDoctorError:
        return offer  # the click plans again and says what is wrong
    return replace(
        offer,
        annotations=tuple((key, str(plan.after[key])) for key in plan.keys if plan.after[key] is not None),
        before=tuple((key, plan.before[key]) for key in plan.keys),
        # The entry's general words are in the answer already; the dialog says what restarts here.
        consequence=plan.consequence.replace(plan.consequence_note, "").strip() or plan.consequence,
        kubectl=plan.kubectl_command() if plan.changes else None,
    )


def diagnose(
    doctor: Any,
    *,
    actor: Actor,
    workload: str | WorkloadRef,
    namespace: str | None = None,
    cluster: str | None = None,
    context: str | None = None,
    symptom: str | None = None,
    record: bool = True,
    thread: Thread | None = None,
    delivery_id: str | None = None,
    preview_offers: bool = False,
    only_namespace: str | None = None,
) -> Diagnosis:
    """Check one live workload against every known issue, and record it as an incident."""
    connection = doctor.connect(cluster=cluster, context=context)
    default = only_namespace or connection.default_namespace
    ref = resolve_workload(workload, namespace=namespace, default_namespace=default)
    require_namespace(ref.namespace, only_namespace, what="diagnosing a workload")
    diagnosis = inspect_workload(doctor, connection=connection, ref=ref, symptom=symptom, preview_offers=preview_offers)
    if record:
        diagnosis.recording, diagnosis.offers = record_triage(
            doctor,
            actor=actor,
            symptom=symptom or f"diagnose {diagnosis.workload}",
            matches=diagnosis.report.matches,
            findings=diagnosis.report.findings,
            workload=diagnosis.workload,
            cluster=diagnosis.cluster,
            thread=thread,
            delivery_id=delivery_id,
            offers=diagnosis.offers,
        )
    return diagnosis


@dataclass
class Scan:
    report: Any  # bot.cluster.reports.ScanReport
    cluster: str
    namespace: str | None  # None: all namespaces

    def as_dict(self) -> dict[str, object]:
        return self.report.as_dict()


def scan(
    doctor: Any,
    *,
    actor: Actor,
    namespace: str | None = None,
    all_namespaces: bool = False,
    cluster: str | None = None,
    context: str | None = None,
    progress: Progress | None = None,
    only_namespace: str | None = None,
) -> Scan:
    """Every workload of a namespace (default: the context's) or of the whole cluster."""
    from bot.cluster.inspector import scan as run_scan
    from bot.cluster.live import LiveSource

    connection = doctor.connect(cluster=cluster, context=context)
    scope = None if all_namespaces else (namespace or only_namespace or connection.default_namespace)
    require_namespace(scope, only_namespace, what="a scan")
    report = run_scan(
        kb=doctor.kb,
        source=LiveSource(connection.api, log_tail_lines=doctor.settings.log_tail_lines),
        namespace=scope,
        config=doctor.config,
        settings=doctor.settings,
        cluster=connection.config,
        progress=progress,
        cloud=cloud_reader(doctor, connection),
    )
    return Scan(report=report, cluster=connection.name, namespace=scope)


def check(doctor: Any, *, paths: Sequence[str | Path], stdin: IO[str] | None = None) -> Any:
    """Manifests checked offline; returns bot.cluster.reports.CheckReport (never talks to a cluster)."""
    from bot.cluster.inspector import check_manifests
    from bot.cluster.yaml_input import InputLimits

    return check_manifests(
        kb=doctor.kb,
        paths=paths,
        config=doctor.config,
        quota_warn_ratio=doctor.settings.quota_warn_ratio,
        stdin=stdin,
        limits=InputLimits.from_settings(doctor.settings),
    )
