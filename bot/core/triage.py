"""Triage: which known issues does this text describe, what does the named workload show, and what
can be done. The entry point of `/eks <symptom>`, of a mention, and of `eks-doctor match`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.core.inspection import Diagnosis, find_workload, inspect_workload, require_namespace, resolve_workload
from bot.core.language import question_language
from bot.core.offers import Offer, build_offers
from bot.core.recording import Recording, Thread, record_triage
from bot.domain import Actor, Verdict, WorkloadRef
from bot.errors import EksDoctorError
from bot.observability import metrics
from bot.text_safety import clip_utf8

#: The runner-up is named as an alternative the person should rule out when it scores this close.
AMBIGUITY_RATIO = 0.85


@dataclass
class Triage:
    text: str
    language: str  # "en" or "zh": the answer follows the question
    matches: list[Any] = field(default_factory=list)  # knowledge.matcher.Match, best first
    workload: WorkloadRef | None = None
    cluster: str | None = None
    diagnosis: Diagnosis | None = None
    #: Why the named workload could not be inspected (not found, cluster down, RBAC), if it could not.
    diagnosis_error: str | None = None
    offers: list[Offer] = field(default_factory=list)
    recording: Recording | None = None

    @property
    def best(self) -> Any | None:
        return self.matches[0] if self.matches else None

    @property
    def ambiguous(self) -> bool:
        """Two entries fit about equally well: the answer should ask which, not pick one."""
        if len(self.matches) < 2:
            return False
        first, second = self.matches[0], self.matches[1]
        if self.confirmed_ids & {first.entry_id, second.entry_id}:
            return False  # the workload's evidence already decides
        return float(second.score) >= AMBIGUITY_RATIO * float(first.score)

    @property
    def confirmed_ids(self) -> set[str]:
        if self.diagnosis is None:
            return set()
        return {f.entry_id for f in self.diagnosis.report.findings if f.verdict is Verdict.CONFIRMED}

    def as_dict(self) -> dict[str, object]:
        return {
            "query": self.text,
            "language": self.language,
            "matches": [m.as_dict() for m in self.matches],
            "ambiguous": self.ambiguous,
            "workload": self.workload.as_dict() if self.workload else None,
            "cluster": self.cluster,
            "diagnosis": self.diagnosis.report.as_dict() if self.diagnosis else None,
            "diagnosis_error": self.diagnosis_error,
            "offers": [o.as_dict() for o in self.offers],
            "incident": self.recording.as_dict() if self.recording else None,
        }


def match_text(doctor: Any, *, text: str, top: int = 3) -> list[Any]:
    """Ranked entries for the text, nothing recorded (`eks-doctor match`). A paste longer than
    EKS_DOCTOR_MAX_PASTE_BYTES is read up to that size: its beginning says what it is."""
    return doctor.kb.matcher.match(clip_utf8(text, doctor.settings.max_paste_bytes), top=top)


@metrics.observed_triage
def triage(
    doctor: Any,
    *,
    actor: Actor,
    text: str,
    workload: str | WorkloadRef | None = None,
    namespace: str | None = None,
    cluster: str | None = None,
    channel: str | None = None,
    thread: Thread | None = None,
    delivery_id: str | None = None,
    record: bool = True,
    top: int = 3,
    preview_offers: bool = True,
) -> Triage:
    """Match the text; when it (or the caller) names a workload, inspect it too; record the incident.

    The workload's evidence can name the cause the words did not: with a workload, the answer is given
    even when nothing matches. A channel's defaults (EKS_DOCTOR_CONFIG `channels`) give the cluster and
    namespace of workloads named without them.
    """
    defaults = doctor.config.channels.get(channel) if channel else None
    cluster = cluster or (defaults.cluster if defaults else None)
    only_namespace = defaults.namespace if defaults else None
    namespace = namespace or only_namespace
    result = Triage(text=text, language=question_language(text), matches=match_text(doctor, text=text, top=top))
    if workload is None:
        workload = find_workload(text, default_namespace=namespace or "default") if text else None
    if workload is not None:
        _inspect(
            doctor,
            result,
            workload=workload,
            namespace=namespace,
            cluster=cluster,
            preview=preview_offers,
            only_namespace=only_namespace,
        )
    findings = result.diagnosis.report.findings if result.diagnosis else []
    if result.diagnosis is not None:
        result.offers = list(result.diagnosis.offers)
    result.offers += [
        offer
        for offer in build_offers(kb=doctor.kb, matches=result.matches, symptom=text, cluster=result.cluster or cluster)
        if not any(o.kind is offer.kind and o.entry_id == offer.entry_id for o in result.offers)
    ]
    if record:
        result.recording, result.offers = record_triage(
            doctor,
            actor=actor,
            symptom=text,
            matches=result.matches,
            findings=findings,
            workload=result.workload,
            cluster=result.cluster,
            thread=thread,
            delivery_id=delivery_id,
            offers=result.offers,
        )
    return result


def _inspect(
    doctor: Any,
    result: Triage,
    *,
    workload: str | WorkloadRef,
    namespace: str | None,
    cluster: str | None,
    preview: bool,
    only_namespace: str | None,
) -> None:
    try:
        connection = doctor.connect(cluster=cluster)
        ref = resolve_workload(workload, namespace=namespace, default_namespace=connection.default_namespace)
        result.workload, result.cluster = ref, connection.name
        require_namespace(ref.namespace, only_namespace, what="diagnosing a workload")
        result.diagnosis = inspect_workload(
            doctor, connection=connection, ref=ref, symptom=result.text or None, preview_offers=preview
        )
        result.workload = result.diagnosis.workload
    except EksDoctorError as exc:
        metrics.count_error(exc)
        result.diagnosis_error = str(exc)
