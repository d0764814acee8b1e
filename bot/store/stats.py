"""Team statistics: incidents per entry, time to mitigate, fixes applied and undone.

Counts are grouped in SQL; durations are computed in Python from (created, mitigated) pairs, because
date arithmetic differs between SQLite and PostgreSQL and the pairs are few.
"""

from __future__ import annotations

import math
import statistics
from datetime import datetime
from typing import Any

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from bot.store.engine import Store
from bot.store.models import Action, Incident, IncidentFinding, IncidentMatch, MatchFeedback, TicketDraft
from bot.store.records import ActionKind, ActionStatus, EntryStats, IncidentStatus, StoreStats


def stats(store: Store, *, since: datetime | None = None) -> StoreStats:
    """Figures over incidents, actions and tickets created at or after `since` (all time if None)."""
    return store.run(lambda session: _stats(session, since), what="compute statistics")


def _since(query: Select[Any], column: Any, since: datetime | None) -> Select[Any]:
    return query if since is None else query.where(column >= since)


def _stats(session: Session, since: datetime | None) -> StoreStats:
    by_status = dict(
        session.execute(
            _since(select(Incident.status, func.count()).group_by(Incident.status), Incident.created_at, since)
        ).all()
    )
    incidents = {s.value: int(by_status.get(s.value, 0)) for s in IncidentStatus}
    incidents["total"] = sum(incidents.values())

    per_entry: dict[str, dict[str, int]] = {}

    def add(rows: Any, field: str) -> None:
        for entry_id, count in rows:
            per_entry.setdefault(entry_id, {})[field] = int(count)

    matched = select(IncidentMatch.entry_id, func.count(distinct(IncidentMatch.incident_id))).join(
        Incident, Incident.id == IncidentMatch.incident_id
    )
    add(session.execute(_since(matched, Incident.created_at, since).group_by(IncidentMatch.entry_id)), "incidents")
    confirmed = (
        select(IncidentFinding.entry_id, func.count(distinct(IncidentFinding.incident_id)))
        .join(Incident, Incident.id == IncidentFinding.incident_id)
        .where(IncidentFinding.verdict == "confirmed")
    )
    add(session.execute(_since(confirmed, Incident.created_at, since).group_by(IncidentFinding.entry_id)), "confirmed")
    patches = select(Action.entry_id, func.count()).where(
        Action.kind == ActionKind.PATCH.value, Action.status == ActionStatus.APPLIED.value
    )
    patches = _since(patches, Action.created_at, since).group_by(Action.entry_id)
    add(session.execute(patches), "fixes_applied")
    add(session.execute(patches.where(Action.undone_by.is_not(None))), "fixes_undone")
    votes = select(MatchFeedback.entry_id, func.count()).group_by(MatchFeedback.entry_id)
    votes = _since(votes, MatchFeedback.created_at, since)
    add(session.execute(votes.where(MatchFeedback.vote == "helped")), "helped")
    add(session.execute(votes.where(MatchFeedback.vote == "not_this")), "not_this")

    entries = tuple(
        EntryStats(
            entry_id=entry_id,
            incidents=c.get("incidents", 0),
            confirmed=c.get("confirmed", 0),
            fixes_applied=c.get("fixes_applied", 0),
            fixes_undone=c.get("fixes_undone", 0),
            helped=c.get("helped", 0),
            not_this=c.get("not_this", 0),
        )
        for entry_id, c in sorted(per_entry.items(), key=lambda item: (-item[1].get("incidents", 0), item[0]))
    )
    return StoreStats(
        since=since,
        incidents=incidents,
        entries=entries,
        time_to_mitigate=_time_to_mitigate(session, since),
        fixes=_fixes(session, since),
        tickets=_tickets(session, since),
    )


def _time_to_mitigate(session: Session, since: datetime | None) -> dict[str, float | int | None]:
    pairs = session.execute(
        _since(select(Incident.created_at, Incident.mitigated_at), Incident.created_at, since).where(
            Incident.mitigated_at.is_not(None)
        )
    )
    seconds = sorted(max(0.0, (mitigated - created).total_seconds()) for created, mitigated in pairs)
    if not seconds:
        return {"count": 0, "median_seconds": None, "mean_seconds": None, "p90_seconds": None}
    p90 = seconds[math.ceil(0.9 * len(seconds)) - 1]  # nearest rank
    return {
        "count": len(seconds),
        "median_seconds": round(statistics.median(seconds), 1),
        "mean_seconds": round(statistics.fmean(seconds), 1),
        "p90_seconds": round(p90, 1),
    }


def _fixes(session: Session, since: datetime | None) -> dict[str, int]:
    patches = _since(select(Action.status, func.count()), Action.created_at, since).where(
        Action.kind == ActionKind.PATCH.value
    )
    counts = dict(session.execute(patches.group_by(Action.status)).all())
    fixes = {s.value: int(counts.get(s.value, 0)) for s in ActionStatus}
    undone = _since(select(func.count()).select_from(Action), Action.created_at, since).where(
        Action.kind == ActionKind.PATCH.value, Action.undone_by.is_not(None)
    )
    fixes["undone"] = int(session.scalar(undone) or 0)
    return fixes


def _tickets(session: Session, since: datetime | None) -> dict[str, int]:
    query = _since(select(TicketDraft.status, func.count()), TicketDraft.created_at, since)
    counts = {status: int(n) for status, n in session.execute(query.group_by(TicketDraft.status))}
    counts["total"] = sum(counts.values())
    return counts
