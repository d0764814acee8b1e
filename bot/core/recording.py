"""Recording what was asked and found as an incident, without ever losing the answer.

If the store cannot be reached, is misconfigured, or fails in any other way, the answer is still
given, with a note that it was not recorded; the reason is logged with a reference id.

A Slack thread is one incident. From the command line, looking at the same workload again about the
same problem within EKS_DOCTOR_INCIDENT_REUSE_WINDOW hours adds to the open incident instead of
opening another.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from bot.core.offers import Offer
from bot.domain import Actor, Channel, Finding, WorkloadRef
from bot.errors import EksDoctorError, new_reference
from bot.observability import metrics

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Thread:
    """Where a conversation lives (a Slack channel and thread): one thread is one incident."""

    channel_id: str
    thread_ts: str


@dataclass(frozen=True, slots=True)
class Recording:
    """Where the triage was recorded, or why it could not be (the answer is still given)."""

    incident_id: str | None
    created: bool = False
    duplicate: bool = False  # the same delivery was recorded before: nothing was written
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"incident_id": self.incident_id, "created": self.created, "error": self.error}


def record_triage(
    doctor: Any,
    *,
    actor: Actor,
    symptom: str,
    matches: Sequence[Any] = (),
    findings: Sequence[Finding] = (),
    workload: WorkloadRef | None = None,
    cluster: str | None = None,
    delivery_id: str | None = None,
    thread: Thread | None = None,
    offers: Sequence[Offer] = (),
) -> tuple[Recording, list[Offer]]:
    """Record an incident and its offers; (recording, offers with ids) or (error, offers without)."""
    from bot.store import IncidentSource, SlackThread, save_offers
    from bot.store import record_triage as store_triage

    reuse = None
    if thread is None and actor.channel is Channel.CLI:
        reuse = timedelta(hours=doctor.settings.incident_reuse_hours)
    try:
        store = doctor.store()
        recorded = store_triage(
            store,
            source=IncidentSource(actor.channel.value),
            reporter=actor.label,
            symptom=symptom,
            cluster=cluster,
            namespace=workload.namespace if workload else None,
            workload=workload,
            matches=[(m.entry_id, float(m.score)) for m in matches],
            findings=list(findings),
            delivery_id=delivery_id,
            thread=SlackThread(thread.channel_id, thread.thread_ts) if thread else None,
            reuse_within=reuse,
        )
        recording = Recording(incident_id=recorded.incident_id, created=recorded.created, duplicate=recorded.duplicate)
        linked = [replace(offer, incident_id=recorded.incident_id) for offer in offers]
        if recorded.duplicate or not linked:
            return recording, linked
        rows = save_offers(store, incident_id=recorded.incident_id, offers=[o.to_row() for o in linked])
        return recording, [replace(offer, id=row.id) for offer, row in zip(linked, rows, strict=True)]
    except EksDoctorError as exc:
        metrics.count_error(exc)
        log.warning("incident not recorded: %s", exc)
        return Recording(incident_id=None, error=str(exc)), list(offers)
    except Exception as exc:  # any store failure: the answer matters more than the record
        metrics.DEPENDENCY_ERRORS.labels(dependency="store").inc()
        reference = new_reference()
        log.exception("incident not recorded (reference %s)", reference)
        return Recording(incident_id=None, error=f"{type(exc).__name__} (reference {reference})"), list(offers)
