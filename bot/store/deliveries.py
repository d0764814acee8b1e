"""Processed delivery ids (Slack event ids, action ids, retried requests): exactly once, by the database.

The primary key (source, delivery_id) is the guarantee. Two replicas receiving the same Slack retry both
try the insert; PostgreSQL makes the second wait for the first transaction and then insert nothing, so
only one caller is told it is first, and an in-memory set is never consulted.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.store.engine import Store
from bot.store.ids import idempotency_key
from bot.store.models import ProcessedDelivery
from bot.store.sql import Executor, insert_ignore
from bot.store.types import utcnow


def claim_delivery(session: Executor, *, source: str, delivery_id: str, incident_id: str | None = None) -> bool:
    """True only for the first claimer of (source, delivery_id); one statement, atomic.

    Claim inside the transaction that does the work: if the work fails, the claim is rolled back with
    it and Slack's retry gets another chance. Claiming in a separate, earlier transaction would turn a
    crash between the two into a lost delivery.
    """
    table = ProcessedDelivery.__table__
    statement = insert_ignore(session, table, conflict=("source", "delivery_id")).returning(table.c.source)
    values = {
        "source": source,
        "delivery_id": idempotency_key(delivery_id),
        "incident_id": incident_id,
        "received_at": utcnow(),
    }
    return session.execute(statement, values).first() is not None


def delivery_incident(session: Executor, *, source: str, delivery_id: str) -> str | None:
    """The incident recorded for an already-claimed delivery (None if it recorded none)."""
    return session.scalar(
        select(ProcessedDelivery.incident_id).where(
            ProcessedDelivery.source == source,
            ProcessedDelivery.delivery_id == idempotency_key(delivery_id),
        )
    )


def record_delivery(store: Store, *, source: str, delivery_id: str) -> bool:
    """True if (source, delivery_id) is new: `claim_delivery` in its own, retried transaction.

    For work with no database writes of its own (e.g. posting a Slack reply); work that writes should
    claim inside its own transaction instead, so a failure releases the claim.
    """
    return store.run(
        lambda session: claim_delivery(session, source=source, delivery_id=delivery_id),
        what="record a delivery id",
    )


def prune_deliveries(store: Store, *, older_than: timedelta, now: datetime | None = None) -> int:
    """Forget delivery ids older than `older_than` (Slack stops retrying after minutes); returns the count."""
    cutoff = (now or utcnow()) - older_than

    def work(session: Session) -> int:
        result = session.execute(
            delete(ProcessedDelivery).where(ProcessedDelivery.received_at < cutoff),
            execution_options={"synchronize_session": False},
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    return store.run(work, what="prune delivery ids")
