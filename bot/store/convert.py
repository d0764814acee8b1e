"""ORM rows to frozen records, so nothing that leaves a session is bound to it."""

from __future__ import annotations

from collections.abc import Sequence

from bot.store.models import Action, Incident, IncidentEvent, IncidentFinding, IncidentMatch, TicketDraft
from bot.store.records import (
    ActionRecord,
    EventRecord,
    FindingRecord,
    IncidentSummary,
    MatchRecord,
    TicketDraftRecord,
)


def incident_summary(row: Incident, entries: Sequence[str]) -> IncidentSummary:
    return IncidentSummary(
        id=row.id,
        status=row.status,
        entries=tuple(entries),
        created_at=row.created_at,
        source=row.source,
        cluster=row.cluster,
        namespace=row.namespace,
        workload=row.workload,
        symptom=row.symptom,
        reporter=row.reporter,
        slack_channel=row.slack_channel,
        slack_thread_ts=row.slack_thread_ts,
        updated_at=row.updated_at,
        mitigated_at=row.mitigated_at,
        resolved_at=row.resolved_at,
    )


def match_record(row: IncidentMatch) -> MatchRecord:
    return MatchRecord(entry_id=row.entry_id, score=row.score, rank=row.rank)


def finding_record(row: IncidentFinding) -> FindingRecord:
    return FindingRecord(
        entry_id=row.entry_id,
        verdict=row.verdict,
        workload={"kind": row.workload_kind, "namespace": row.workload_namespace, "name": row.workload_name},
        evidence=tuple(row.evidence or ()),
        checks=tuple(row.checks or ()),
        created_at=row.created_at,
    )


def event_record(row: IncidentEvent) -> EventRecord:
    return EventRecord(at=row.at, kind=row.kind, actor=row.actor, message=row.message, data=row.data)


def action_record(row: Action, *, created: bool = True) -> ActionRecord:
    return ActionRecord(
        id=row.id,
        incident_id=row.incident_id,
        entry_id=row.entry_id,
        cluster=row.cluster,
        namespace=row.namespace,
        workload_kind=row.workload_kind,
        workload_name=row.workload_name,
        actor=row.actor,
        kind=row.kind,
        before=dict(row.before or {}),
        after=dict(row.after or {}),
        status=row.status,
        dry_run=row.dry_run,
        message=row.message,
        undo_of=row.undo_of,
        undone_by=row.undone_by,
        undone_at=row.undone_at,
        request_key=row.request_key,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created=created,
    )


def ticket_record(row: TicketDraft, *, created: bool = True) -> TicketDraftRecord:
    return TicketDraftRecord(
        id=row.id,
        incident_id=row.incident_id,
        ticket_type=row.ticket_type,
        cluster=row.cluster,
        figures=dict(row.figures or {}),
        text=dict(row.text or {}),
        status=row.status,
        actor=row.actor,
        request_key=row.request_key,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created=created,
    )
