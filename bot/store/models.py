"""The incident store's tables as typed SQLAlchemy 2 models.

Uniqueness that guards against doing things twice lives here, in the schema, so that it holds across
replicas: processed deliveries, action request keys, one incident per Slack thread, one vote per person.
Alembic migrations in `migrations/` must describe exactly these tables (a test compares them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.store.types import BigIntId, BoundedText, JSONDoc, ShortString, UTCDateTime, utcnow

# Stable constraint names, so migrations can refer to them on both dialects.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(24)
ENTRY = ShortString(100)
NAME = ShortString(253)  # Kubernetes object names are at most 253 characters
PERSON = ShortString(128)
KEY = String(200)  # idempotency keys; longer ones are hashed (ids.idempotency_key)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _incident_fk(*, nullable: bool = False) -> Any:
    ondelete = "SET NULL" if nullable else "CASCADE"
    return mapped_column(ID, ForeignKey("incidents.id", ondelete=ondelete), nullable=nullable, index=True)


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        # One Slack thread is one incident; NULLs (CLI runs) never collide.
        UniqueConstraint("slack_channel", "slack_thread_ts"),
        Index(None, "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    slack_channel: Mapped[str | None] = mapped_column(ShortString(64))
    slack_thread_ts: Mapped[str | None] = mapped_column(ShortString(64))
    reporter: Mapped[str | None] = mapped_column(PERSON)
    symptom: Mapped[str] = mapped_column(BoundedText())
    cluster: Mapped[str | None] = mapped_column(ShortString(128))
    namespace: Mapped[str | None] = mapped_column(NAME)
    workload: Mapped[str | None] = mapped_column(ShortString(300))
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    mitigated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class IncidentMatch(Base):
    """A knowledge entry the matcher proposed; one row per entry per incident (the best rank wins)."""

    __tablename__ = "incident_matches"
    __table_args__ = (UniqueConstraint("incident_id", "entry_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ID, ForeignKey("incidents.id", ondelete="CASCADE"))
    entry_id: Mapped[str] = mapped_column(ENTRY, index=True)
    score: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IncidentFinding(Base):
    __tablename__ = "incident_findings"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = _incident_fk()
    entry_id: Mapped[str] = mapped_column(ENTRY, index=True)
    verdict: Mapped[str] = mapped_column(String(16))
    workload_kind: Mapped[str | None] = mapped_column(ShortString(64))
    workload_namespace: Mapped[str | None] = mapped_column(NAME)
    workload_name: Mapped[str | None] = mapped_column(NAME)
    evidence: Mapped[list[str]] = mapped_column(JSONDoc)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IncidentEvent(Base):
    """The timeline: every triage, status change, action, ticket and vote, in order."""

    __tablename__ = "incident_events"
    __table_args__ = (Index(None, "incident_id", "at"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ID, ForeignKey("incidents.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str | None] = mapped_column(PERSON)
    message: Mapped[str | None] = mapped_column(BoundedText())
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)


class Action(Base):
    """A patch or an undo; `request_key` makes a double-click return the first action."""

    __tablename__ = "actions"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    incident_id: Mapped[str | None] = _incident_fk(nullable=True)
    entry_id: Mapped[str] = mapped_column(ENTRY)
    cluster: Mapped[str | None] = mapped_column(ShortString(128))
    namespace: Mapped[str | None] = mapped_column(NAME)
    workload_kind: Mapped[str] = mapped_column(ShortString(64))
    workload_name: Mapped[str] = mapped_column(NAME)
    actor: Mapped[str] = mapped_column(PERSON)
    kind: Mapped[str] = mapped_column(String(16))
    before: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    after: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    status: Mapped[str] = mapped_column(String(24), index=True)
    dry_run: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    message: Mapped[str | None] = mapped_column(BoundedText())
    undo_of: Mapped[str | None] = mapped_column(ID, ForeignKey("actions.id", ondelete="SET NULL"))
    undone_by: Mapped[str | None] = mapped_column(ID, ForeignKey("actions.id", ondelete="SET NULL"))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    request_key: Mapped[str | None] = mapped_column(KEY, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Offer(Base):
    """Something a person may do next (apply a fix, draft a ticket), kept so a button can refer to it.

    A Slack button carries only a signed reference to this row, never the change itself, and any
    replica can serve the click because the offer lives in the shared database.
    """

    __tablename__ = "offers"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    incident_id: Mapped[str | None] = _incident_fk(nullable=True)
    kind: Mapped[str] = mapped_column(String(24))
    entry_id: Mapped[str] = mapped_column(ENTRY)
    cluster: Mapped[str | None] = mapped_column(ShortString(128))
    namespace: Mapped[str | None] = mapped_column(NAME)
    workload_kind: Mapped[str | None] = mapped_column(ShortString(64))
    workload_name: Mapped[str | None] = mapped_column(NAME)
    #: The annotation values to set (patch offers) or the quota type (ticket offers), and the values the
    #: workload had when the offer was made, so a click on a stale offer is refused, not applied.
    details: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TicketDraft(Base):
    __tablename__ = "ticket_drafts"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    incident_id: Mapped[str | None] = _incident_fk(nullable=True)
    ticket_type: Mapped[str] = mapped_column(String(64))
    cluster: Mapped[str | None] = mapped_column(ShortString(128))
    figures: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    text: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str | None] = mapped_column(PERSON)
    request_key: Mapped[str | None] = mapped_column(KEY, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MatchFeedback(Base):
    """'helped' / 'not this' on a proposed entry; a person's later vote replaces the earlier one."""

    __tablename__ = "match_feedback"
    __table_args__ = (UniqueConstraint("incident_id", "entry_id", "user_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ID, ForeignKey("incidents.id", ondelete="CASCADE"))
    entry_id: Mapped[str] = mapped_column(ENTRY, index=True)
    user_id: Mapped[str] = mapped_column(PERSON)
    vote: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProcessedDelivery(Base):
    """Slack event ids, action ids, retried requests: the primary key is the exactly-once guarantee."""

    __tablename__ = "processed_deliveries"

    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(KEY, primary_key=True)
    incident_id: Mapped[str | None] = _incident_fk(nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class UsageSampleRow(Base):
    """Quota usage over time, for trend figures in quota tickets."""

    __tablename__ = "usage_samples"
    __table_args__ = (Index(None, "cluster", "quota_type", "sampled_at"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    cluster: Mapped[str] = mapped_column(ShortString(128))
    quota_type: Mapped[str] = mapped_column(String(64))
    usage: Mapped[int] = mapped_column(Integer)
    limit: Mapped[int] = mapped_column("quota_limit", Integer)
    sampled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
