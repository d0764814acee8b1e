"""Reading incidents back: the list for `incidents list`, the full record for `incidents show`."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import InputError
from bot.store.convert import (
    action_record,
    event_record,
    finding_record,
    incident_summary,
    match_record,
    ticket_record,
)
from bot.store.engine import Store
from bot.store.models import (
    Action,
    Incident,
    IncidentEvent,
    IncidentFinding,
    IncidentMatch,
    TicketDraft,
)
from bot.store.records import IncidentDetail, IncidentStatus, IncidentSummary, SlackThread
from bot.store.timeline import require_incident

MAX_LIST = 1000


def list_incidents(
    store: Store,
    *,
    status: IncidentStatus | str | None = None,
    cluster: str | None = None,
    since: datetime | None = None,
    limit: int = 50,
) -> list[IncidentSummary]:
    """Newest first, each with its matched entry ids in rank order (two queries, whatever the limit)."""
    if status is not None:
        try:
            status = IncidentStatus(status)
        except ValueError:
            allowed = ", ".join(s.value for s in IncidentStatus)
            raise InputError(f"unknown incident status {status!r} (one of {allowed})") from None
    if limit < 1:
        raise InputError("--limit must be at least 1")

    def work(session: Session) -> list[IncidentSummary]:
        query = select(Incident).order_by(Incident.created_at.desc(), Incident.id).limit(min(limit, MAX_LIST))
        if status is not None:
            query = query.where(Incident.status == status.value)
        if cluster is not None:
            query = query.where(Incident.cluster == cluster)
        if since is not None:
            query = query.where(Incident.created_at >= since)
        rows = list(session.scalars(query))
        entries = incident_entries(session, [row.id for row in rows])
        return [incident_summary(row, entries[row.id]) for row in rows]

    return store.run(work, what="list incidents")


def incident_entries(session: Session, incident_ids: list[str]) -> dict[str, list[str]]:
    """Per incident, the entries it is about: the matched ones in rank order, then any entry a
    finding confirmed that no symptom matched (a diagnosis without a symptom has only those)."""
    entries: dict[str, list[str]] = defaultdict(list)
    if not incident_ids:
        return entries
    pairs = session.execute(
        select(IncidentMatch.incident_id, IncidentMatch.entry_id)
        .where(IncidentMatch.incident_id.in_(incident_ids))
        .order_by(IncidentMatch.incident_id, IncidentMatch.rank)
    )
    for incident_id, entry_id in pairs:
        entries[incident_id].append(entry_id)
    confirmed = session.execute(
        select(IncidentFinding.incident_id, IncidentFinding.entry_id)
        .where(IncidentFinding.incident_id.in_(incident_ids), IncidentFinding.verdict == "confirmed")
        .order_by(IncidentFinding.incident_id, IncidentFinding.id)
    )
    for incident_id, entry_id in confirmed:
        if entry_id not in entries[incident_id]:
            entries[incident_id].append(entry_id)
    return entries


def get_incident(store: Store, *, incident_id: str) -> IncidentDetail:
    """Everything recorded about one incident; NotFoundError (exit 2) for an unknown id."""

    def work(session: Session) -> IncidentDetail:
        row = require_incident(session, incident_id)
        matches = [
            match_record(m)
            for m in session.scalars(
                select(IncidentMatch).where(IncidentMatch.incident_id == incident_id).order_by(IncidentMatch.rank)
            )
        ]
        findings = session.scalars(
            select(IncidentFinding).where(IncidentFinding.incident_id == incident_id).order_by(IncidentFinding.id)
        )
        events = session.scalars(
            select(IncidentEvent)
            .where(IncidentEvent.incident_id == incident_id)
            .order_by(IncidentEvent.at, IncidentEvent.id)
        )
        actions = session.scalars(
            select(Action).where(Action.incident_id == incident_id).order_by(Action.created_at, Action.id)
        )
        tickets = session.scalars(
            select(TicketDraft).where(TicketDraft.incident_id == incident_id).order_by(TicketDraft.created_at)
        )
        return IncidentDetail(
            incident=incident_summary(row, incident_entries(session, [incident_id])[incident_id]),
            matches=tuple(matches),
            findings=tuple(finding_record(f) for f in findings),
            timeline=tuple(event_record(e) for e in events),
            actions=tuple(action_record(a) for a in actions),
            tickets=tuple(ticket_record(t) for t in tickets),
        )

    return store.run(work, what="read the incident")


def incident_for_thread(store: Store, *, thread: SlackThread) -> str | None:
    """The incident a Slack thread belongs to, if any (for buttons and replies in that thread)."""
    return store.run(
        lambda session: session.scalar(
            select(Incident.id).where(
                Incident.slack_channel == thread.channel_id, Incident.slack_thread_ts == thread.thread_ts
            )
        ),
        what="look up the thread's incident",
    )
