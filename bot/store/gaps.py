"""Where the matcher fell short: triages that matched nothing, or whose proposal someone said was not it,
with what was finally confirmed on the workload or chosen by a person. Nothing is learned from these
automatically: a maintainer reviews them and adds them to the labelled training queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from bot.store.engine import Store
from bot.store.models import Incident, IncidentFinding, IncidentMatch, MatchFeedback
from bot.store.records import FeedbackVote, _Record

MAX_GAPS = 5000


@dataclass(frozen=True, slots=True)
class GapRecord(_Record):
    incident_id: str
    symptom: str
    created_at: datetime
    matched: tuple[str, ...]  # what the matcher proposed, best first
    rejected: tuple[str, ...]  # entries someone said were "not this"
    chosen: tuple[str, ...]  # entries someone said helped, or picked from the menu
    confirmed: tuple[str, ...]  # entries the workload's evidence confirmed


def match_gaps(store: Store, *, since: datetime | None = None, limit: int = 500) -> list[GapRecord]:
    """Unmatched or rejected triages, newest first (five queries, whatever the number)."""

    def work(session: Session) -> list[GapRecord]:
        unmatched = ~exists().where(IncidentMatch.incident_id == Incident.id)
        rejected = exists().where(
            MatchFeedback.incident_id == Incident.id, MatchFeedback.vote == FeedbackVote.NOT_THIS.value
        )
        query = (
            select(Incident.id, Incident.symptom, Incident.created_at)
            .where(or_(unmatched, rejected))
            .order_by(Incident.created_at.desc(), Incident.id)
            .limit(min(limit, MAX_GAPS))
        )
        if since is not None:
            query = query.where(Incident.created_at >= since)
        rows = session.execute(query).all()
        ids = [row.id for row in rows]
        if not ids:
            return []
        matched: dict[str, list[str]] = defaultdict(list)
        for incident_id, entry_id in session.execute(
            select(IncidentMatch.incident_id, IncidentMatch.entry_id)
            .where(IncidentMatch.incident_id.in_(ids))
            .order_by(IncidentMatch.incident_id, IncidentMatch.rank)
        ):
            matched[incident_id].append(entry_id)
        votes: dict[tuple[str, str], list[str]] = defaultdict(list)
        for incident_id, entry_id, vote in session.execute(
            select(MatchFeedback.incident_id, MatchFeedback.entry_id, MatchFeedback.vote).where(
                MatchFeedback.incident_id.in_(ids)
            )
        ):
            votes[(incident_id, vote)].append(entry_id)
        confirmed: dict[str, list[str]] = defaultdict(list)
        for incident_id, entry_id in session.execute(
            select(IncidentFinding.incident_id, IncidentFinding.entry_id)
            .where(IncidentFinding.incident_id.in_(ids), IncidentFinding.verdict == "confirmed")
            .distinct()
        ):
            confirmed[incident_id].append(entry_id)
        return [
            GapRecord(
                incident_id=row.id,
                symptom=row.symptom,
                created_at=row.created_at,
                matched=tuple(matched[row.id]),
                rejected=tuple(sorted(votes[(row.id, FeedbackVote.NOT_THIS.value)])),
                chosen=tuple(sorted(votes[(row.id, FeedbackVote.HELPED.value)])),
                confirmed=tuple(sorted(confirmed[row.id])),
            )
            for row in rows
        ]

    return store.run(work, what="read the matcher's gaps")
