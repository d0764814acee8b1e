"""Offers: what a person can do next about a finding or a match, complete enough for a button or a
printed command. Fixes are offered only for confirmed findings on workloads EKS Doctor patches;
quota tickets for quota entries, with or without a workload."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from bot.domain import Finding, Verdict, WorkloadRef
from bot.remedies.patches import PATCHABLE
from bot.remedies.values import suggest_values


class OfferKind(StrEnum):
    PATCH = "patch"
    QUOTA_TICKET = "quota_ticket"


@dataclass(frozen=True, slots=True)
class Offer:
    kind: OfferKind
    entry_id: str
    label: str
    workload: WorkloadRef | None = None
    annotations: tuple[tuple[str, str], ...] = ()
    quota_type: str | None = None
    cluster: str | None = None
    #: Stored offers have an id a button refers to, and the incident they belong to.
    id: str | None = None
    incident_id: str | None = None
    #: Patch offers with a preview: the values the workload has now, what changes, and its cost.
    before: tuple[tuple[str, str | None], ...] | None = None
    consequence: str | None = None
    kubectl: str | None = None

    def command(self) -> str:
        """The equivalent CLI command, for people who prefer a terminal."""
        cluster = f" --cluster {self.cluster}" if self.cluster else ""
        incident = f" --incident {self.incident_id}" if self.incident_id else ""
        if self.kind is OfferKind.QUOTA_TICKET:
            return f"eks-doctor quota draft --type {self.quota_type}{cluster}{incident}"
        assert self.workload is not None
        target = f"{self.workload.kind.lower()}/{self.workload.name} -n {self.workload.namespace}"
        values = "".join(f" --set {key}={value}" for key, value in self.annotations)
        return f"eks-doctor fix {target} --entry {self.entry_id}{values}{incident}"

    def changes(self) -> list[tuple[str, str | None, str]]:
        """(key, value now, value after) for each annotation the fix sets."""
        now = dict(self.before or ())
        return [(key, now.get(key), value) for key, value in self.annotations]

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "entry": self.entry_id,
            "label": self.label,
            "workload": self.workload.as_dict() if self.workload else None,
            "cluster": self.cluster,
            "annotations": dict(self.annotations),
            "before": dict(self.before) if self.before is not None else None,
            "quota_type": self.quota_type,
            "consequence": self.consequence,
            "command": self.command(),
        }

    def to_row(self) -> dict[str, Any]:
        """The stored form (see bot.store.offers)."""
        workload = self.workload
        return {
            "kind": self.kind.value,
            "entry_id": self.entry_id,
            "cluster": self.cluster,
            "namespace": workload.namespace if workload else None,
            "workload_kind": workload.kind if workload else None,
            "workload_name": workload.name if workload else None,
            "details": {
                "label": self.label,
                "annotations": dict(self.annotations),
                "before": dict(self.before) if self.before is not None else None,
                "quota_type": self.quota_type,
                "consequence": self.consequence,
                "kubectl": self.kubectl,
            },
        }

    @classmethod
    def from_row(cls, row: Any) -> Offer:
        details = row.details
        workload = (
            WorkloadRef(kind=row.workload_kind, namespace=row.namespace, name=row.workload_name)
            if row.workload_kind
            else None
        )
        before = details.get("before")
        return cls(
            kind=OfferKind(row.kind),
            entry_id=row.entry_id,
            label=details.get("label") or row.entry_id,
            workload=workload,
            annotations=tuple((details.get("annotations") or {}).items()),
            quota_type=details.get("quota_type"),
            cluster=row.cluster,
            id=row.id,
            incident_id=row.incident_id,
            before=tuple(before.items()) if isinstance(before, dict) else None,
            consequence=details.get("consequence"),
            kubectl=details.get("kubectl"),
        )


def build_offers(
    *,
    kb: Any,
    findings: Sequence[Finding] = (),
    matches: Sequence[Any] = (),
    symptom: str | None = None,
    cluster: str | None = None,
) -> list[Offer]:
    """Fixes for confirmed findings on patchable workloads, and quota tickets for quota entries.

    Suggested values follow what the person said ("idle timeout is 60 minutes" -> at least 3600s).
    Without findings (no workload named), a quota entry that matches still gets its ticket offer: the
    ticket does not need a workload.
    """
    offers: list[Offer] = []
    seen: set[tuple[str, str, object]] = set()

    def add(offer: Offer) -> None:
        key = (offer.kind.value, offer.entry_id, offer.workload)
        if key not in seen:
            seen.add(key)
            offers.append(offer)

    for finding in findings:
        entry = kb.get(finding.entry_id)
        if entry is None or finding.verdict is not Verdict.CONFIRMED:
            continue
        patch = entry.remedy.patch
        if patch and finding.workload.kind in PATCHABLE:
            suggested = suggest_values(entry, symptom)
            values = tuple((key, suggested[key].value) for key in patch.apply if key in suggested)
            add(
                Offer(
                    kind=OfferKind.PATCH,
                    entry_id=entry.id,
                    label=f"Apply {', '.join(f'{k}={v}' for k, v in values)} to {finding.workload}",
                    workload=finding.workload,
                    annotations=values,
                    cluster=cluster,
                )
            )
        if entry.remedy.ticket:
            add(_ticket_offer(entry, cluster))
    for found in matches[:1]:
        entry = kb.get(found.entry_id)
        if entry is not None and entry.remedy.ticket:
            add(_ticket_offer(entry, cluster))
    return offers


def _ticket_offer(entry: Any, cluster: str | None) -> Offer:
    quota = entry.remedy.ticket.quota
    return Offer(
        kind=OfferKind.QUOTA_TICKET,
        entry_id=entry.id,
        label=f"Draft a {quota} quota-increase ticket",
        quota_type=quota,
        cluster=cluster,
    )


def with_incident(offers: Sequence[Offer], incident_id: str | None) -> list[Offer]:
    return [replace(offer, incident_id=incident_id) for offer in offers]


def plan_offer(doctor: Any, api: Any, offer: Offer, *, symptom: str | None = None) -> Any:
    """The patch plan of a fix offer against the workload as it is now (one read, nothing written)."""
    from bot.remedies.service import prepare_fix

    assert offer.kind is OfferKind.PATCH and offer.workload is not None
    return prepare_fix(
        kb=doctor.kb,
        api=api,
        workload=offer.workload,
        entry_id=offer.entry_id,
        overrides=dict(offer.annotations),
        symptom_text=symptom,
        allowed=doctor.allow_list,
    )
