"""The use cases every interface shares: triage a symptom, record it, and say what can be done.

No Slack, no SQL and no printing here. A Slack handler or a CLI command calls these functions and
renders the result; every answer carries the evidence and the offers (fix, quota ticket) a button
needs, so an adapter never has to go back to the knowledge base.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain import Finding, Verdict, WorkloadRef
from bot.errors import UnreachableError
from bot.remedies.patches import PATCHABLE
from bot.remedies.values import suggest_values
from bot.settings import Settings

log = logging.getLogger(__name__)


class OfferKind(StrEnum):
    PATCH = "patch"
    QUOTA_TICKET = "quota_ticket"


@dataclass(frozen=True, slots=True)
class Offer:
    """Something the person can do next, complete enough for a button or a printed command."""

    kind: OfferKind
    entry_id: str
    label: str
    workload: WorkloadRef | None = None
    annotations: tuple[tuple[str, str], ...] = ()
    quota_type: str | None = None

    def command(self) -> str:
        """The equivalent CLI command, for people who prefer a terminal."""
        if self.kind is OfferKind.QUOTA_TICKET:
            return f"eks-doctor quota draft --type {self.quota_type}"
        target = f"{self.workload.kind.lower()}/{self.workload.name} -n {self.workload.namespace}"
        return f"eks-doctor fix {target} --entry {self.entry_id}"

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "entry": self.entry_id,
            "label": self.label,
            "workload": self.workload.as_dict() if self.workload else None,
            "annotations": dict(self.annotations),
            "quota_type": self.quota_type,
            "command": self.command(),
        }


@dataclass(frozen=True, slots=True)
class Recording:
    """Where the triage was recorded, or why it could not be (the answer is still given)."""

    incident_id: str | None
    created: bool = False
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"incident_id": self.incident_id, "created": self.created, "error": self.error}


@dataclass
class Triage:
    text: str
    matches: list = field(default_factory=list)  # knowledge.matcher.Match, best first
    findings: list[Finding] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)
    recording: Recording | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "query": self.text,
            "matches": [m.as_dict() for m in self.matches],
            "findings": [f.as_dict() for f in self.findings],
            "offers": [o.as_dict() for o in self.offers],
            "incident": self.recording.as_dict() if self.recording else None,
        }


def build_offers(
    *, kb, findings: Sequence[Finding] = (), matches: Sequence = (), symptom: str | None = None
) -> list[Offer]:
    """Fixes for confirmed findings on patchable workloads, and quota tickets for quota entries.

    Suggested values follow what the person said ("idle timeout is 60 minutes" -> at least 3600s).

    Without findings (no workload named), a quota entry that matches still gets its ticket offer:
    the ticket does not need a workload.
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
                )
            )
        if entry.remedy.ticket:
            add(_ticket_offer(entry))
    for found in matches[:1]:
        entry = kb.get(found.entry_id)
        if entry is not None and entry.remedy.ticket:
            add(_ticket_offer(entry))
    return offers


def _ticket_offer(entry) -> Offer:
    quota = entry.remedy.ticket.quota
    return Offer(
        kind=OfferKind.QUOTA_TICKET,
        entry_id=entry.id,
        label=f"Draft a {quota} quota-increase ticket",
        quota_type=quota,
    )


def record_triage_safely(
    *,
    settings: Settings,
    source: str,
    reporter: str | None,
    symptom: str,
    matches: Sequence = (),
    findings: Sequence[Finding] = (),
    workload: WorkloadRef | None = None,
    cluster: str | None = None,
    delivery_id: str | None = None,
    thread=None,
) -> Recording:
    """Record an incident; if the store stays unavailable, say so instead of failing the answer."""
    from bot.store import IncidentSource, open_checked_store, record_triage

    try:
        store = open_checked_store(settings.database_url)
    except UnreachableError as exc:
        log.warning("incident not recorded: %s", exc)
        return Recording(incident_id=None, error=str(exc))
    try:
        recorded = record_triage(
            store,
            source=IncidentSource(source),
            reporter=reporter,
            symptom=symptom,
            cluster=cluster,
            namespace=workload.namespace if workload else None,
            workload=workload,
            matches=[(m.entry_id, float(m.score)) for m in matches],
            findings=list(findings),
            delivery_id=delivery_id,
            thread=thread,
        )
    except UnreachableError as exc:
        log.warning("incident not recorded: %s", exc)
        return Recording(incident_id=None, error=str(exc))
    finally:
        store.dispose()
    return Recording(incident_id=recorded.incident_id, created=recorded.created)


def triage_text(*, kb, text: str, top: int = 3) -> Triage:
    """The fast path: which known issues does this text describe, and what could be done."""
    matches = kb.matcher.match(text, top=top)
    return Triage(text=text, matches=matches, offers=build_offers(kb=kb, matches=matches))
