"""The per-incident timeline and the status machine (open → mitigated → resolved).

Status changes are conditional UPDATEs, so two people resolving at once record one transition.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from bot.errors import InputError, NotFoundError
from bot.store.convert import incident_summary
from bot.store.engine import Store
from bot.store.models import Incident, IncidentEvent, IncidentMatch
from bot.store.records import EventKind, IncidentStatus, IncidentSummary
from bot.store.types import utcnow


def append_event(
    session: Session,
    *,
    incident_id: str,
    kind: str,
    actor: str | None = None,
    message: str | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    session.execute(
        insert(IncidentEvent).values(
            incident_id=incident_id, kind=str(kind), actor=actor, message=message, data=data, at=at or utcnow()
        )
    )


def add_event(
    store: Store,
    *,
    incident_id: str,
    kind: str,
    actor: str | None = None,
    message: str | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Add a line to an incident's timeline (a note, a Slack reply, anything worth reviewing later)."""

    def work(session: Session) -> None:
        require_incident(session, incident_id)
        append_event(session, incident_id=incident_id, kind=kind, actor=actor, message=message, data=data, at=at)

    store.run(work, what="record the incident event")


def require_incident(session: Session, incident_id: str) -> Incident:
    row = session.get(Incident, incident_id)
    if row is None:
        raise not_found(session, incident_id)
    return row


def not_found(session: Session, incident_id: str) -> NotFoundError:
    # Offer ids that share the typed prefix: people copy ids from Slack and lose a character or two.
    prefix = incident_id.strip()[:8]
    close = list(session.scalars(select(Incident.id).where(Incident.id.startswith(prefix)).limit(3))) if prefix else []
    return NotFoundError(f"no incident {incident_id!r}", suggestions=close)


def mark_mitigated(session: Session, *, incident_id: str, actor: str | None, at: datetime, reason: str) -> bool:
    """open → mitigated (e.g. a fix was applied); a no-op for incidents already past open."""
    result = session.execute(
        update(Incident)
        .where(Incident.id == incident_id, Incident.status == IncidentStatus.OPEN.value)
        .values(status=IncidentStatus.MITIGATED.value, mitigated_at=at, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    append_event(
        session,
        incident_id=incident_id,
        kind=EventKind.STATUS,
        actor=actor,
        at=at,
        message=reason,
        data={"from": IncidentStatus.OPEN.value, "to": IncidentStatus.MITIGATED.value},
    )
    return True


def set_incident_status(
    store: Store,
    *,
    incident_id: str,
    status: IncidentStatus | str,
    actor: str | None,
    note: str | None = None,
    at: datetime | None = None,
) -> IncidentSummary:
    """Move an incident to `status`, stamping mitigated_at/resolved_at; setting the same status is a no-op.

    Resolving an incident that was never marked mitigated also stamps mitigated_at: it was mitigated
    by then at the latest. Reopening clears both, so statistics describe the current state.
    """
    try:
        target = IncidentStatus(status)
    except ValueError:
        allowed = ", ".join(s.value for s in IncidentStatus)
        raise InputError(f"unknown incident status {status!r} (one of {allowed})") from None

    def work(session: Session) -> IncidentSummary:
        when = at or utcnow()
        row = require_incident(session, incident_id)
        previous = row.status
        if previous == target.value:
            return load_summary(session, incident_id)
        values: dict[str, Any] = {"status": target.value, "updated_at": when}
        if target is IncidentStatus.OPEN:
            values.update(mitigated_at=None, resolved_at=None)
        else:
            values["mitigated_at"] = row.mitigated_at or when
            if target is IncidentStatus.RESOLVED:
                values["resolved_at"] = when
        changed = session.execute(
            update(Incident)
            .where(Incident.id == incident_id, Incident.status == previous)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if changed:
            append_event(
                session,
                incident_id=incident_id,
                kind=EventKind.STATUS,
                actor=actor,
                at=when,
                message=note or f"{previous} → {target.value}",
                data={"from": previous, "to": target.value},
            )
        session.expire_all()
        return load_summary(session, incident_id)

    return store.run(work, what="update the incident")


def load_summary(session: Session, incident_id: str) -> IncidentSummary:
    row = require_incident(session, incident_id)
    entries = session.scalars(
        select(IncidentMatch.entry_id).where(IncidentMatch.incident_id == incident_id).order_by(IncidentMatch.rank)
    )
    return incident_summary(row, list(entries))
