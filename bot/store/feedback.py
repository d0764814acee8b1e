"""'helped' / 'not this' votes on proposed entries: one per person, entry and incident; the latest wins."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import InputError
from bot.store.engine import Store
from bot.store.models import MatchFeedback
from bot.store.records import EventKind, FeedbackRecord, FeedbackVote
from bot.store.sql import upsert
from bot.store.timeline import append_event, require_incident
from bot.store.types import utcnow


def record_feedback(
    store: Store, *, incident_id: str, entry_id: str, user: str, vote: FeedbackVote | str
) -> FeedbackRecord:
    """Upsert the vote (atomic on the unique key); a repeated identical vote changes nothing."""
    try:
        choice = FeedbackVote(vote)
    except ValueError:
        raise InputError(f"unknown feedback {vote!r} (helped or not_this)") from None

    def work(session: Session) -> FeedbackRecord:
        now = utcnow()
        require_incident(session, incident_id)
        statement = upsert(
            session,
            MatchFeedback,
            conflict=("incident_id", "entry_id", "user_id"),
            update=("vote", "updated_at"),
            changed="vote",
        ).values(
            incident_id=incident_id,
            entry_id=entry_id,
            user_id=user,
            vote=choice.value,
            created_at=now,
            updated_at=now,
        )
        if session.execute(statement.returning(MatchFeedback.id)).first() is None:
            return FeedbackRecord(incident_id, entry_id, user, choice.value, changed=False)
        append_event(
            session,
            incident_id=incident_id,
            kind=EventKind.FEEDBACK,
            actor=user,
            at=now,
            message=f"{entry_id}: {choice.value.replace('_', ' ')}",
            data={"entry_id": entry_id, "vote": choice.value},
        )
        return FeedbackRecord(incident_id, entry_id, user, choice.value, changed=True)

    return store.run(work, what="record the feedback")


def feedback_counts(store: Store) -> dict[str, dict[str, int]]:
    """{entry_id: {"helped": n, "not_this": m}} over all incidents."""

    def work(session: Session) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        rows = session.execute(
            select(MatchFeedback.entry_id, MatchFeedback.vote, func.count()).group_by(
                MatchFeedback.entry_id, MatchFeedback.vote
            )
        )
        for entry_id, vote, count in rows:
            counts.setdefault(entry_id, {v.value: 0 for v in FeedbackVote})[vote] = count
        return counts

    return store.run(work, what="read feedback")
