"""Incidents: list, read, resolve, feedback on proposed entries, statistics, and the schema."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.domain import Actor

if TYPE_CHECKING:  # the recording module brings the offers and remedies: not needed to list incidents
    from bot.core.recording import Thread


def list_incidents(
    doctor: Any,
    *,
    status: str | None = None,
    cluster: str | None = None,
    since: datetime | None = None,
    limit: int = 50,
) -> list:
    from bot.store import list_incidents as read

    return read(doctor.store(), status=status, cluster=cluster, since=since, limit=limit)


def show_incident(doctor: Any, *, incident_id: str) -> Any:
    from bot.store import get_incident

    return get_incident(doctor.store(), incident_id=incident_id)


def resolve_incident(doctor: Any, *, actor: Actor, incident_id: str, note: str | None = None) -> Any:
    """Mark resolved (stamps the time; resolving twice changes nothing)."""
    from bot.store import set_incident_status

    return set_incident_status(doctor.store(), incident_id=incident_id, status="resolved", actor=actor.label, note=note)


def record_feedback(doctor: Any, *, actor: Actor, incident_id: str, entry_id: str, vote: str) -> Any:
    """'helped' or 'not_this' on a proposed entry; a person's later vote replaces the earlier one."""
    from bot.store import record_feedback as write

    return write(doctor.store(), incident_id=incident_id, entry_id=entry_id, user=actor.label, vote=vote)


def incident_for_thread(doctor: Any, *, thread: Thread) -> str | None:
    from bot.store import SlackThread
    from bot.store import incident_for_thread as lookup

    return lookup(doctor.store(), thread=SlackThread(thread.channel_id, thread.thread_ts))


def claim_delivery(doctor: Any, *, source: str, delivery_id: str) -> bool:
    """True only the first time (source, delivery_id) is seen, across every replica sharing the store."""
    from bot.store import record_delivery

    return record_delivery(doctor.store(), source=source, delivery_id=delivery_id)


def statistics(doctor: Any, *, since: datetime | None = None) -> Any:
    from bot.store import stats

    return stats(doctor.store(), since=since)


def schema_upgrade(doctor: Any) -> tuple[str | None, str | None, str]:
    """(revision before, revision after, database URL without its password)."""
    from bot.store import open_store, upgrade

    store = open_store(doctor.stores.url, migrate=False, create_folder=doctor.stores.is_default)
    try:
        before, after = upgrade(store)
        return before, after, store.url
    finally:
        store.dispose()


def schema_revision(doctor: Any) -> tuple[str | None, str, str]:
    """(current revision, the revision this version needs, database URL without its password)."""
    from bot.store import current_revision, head_revision, open_store

    store = open_store(doctor.stores.url, migrate=False, create_folder=doctor.stores.is_default)
    try:
        return current_revision(store), head_revision(), store.url
    finally:
        store.dispose()
