"""Quota-increase ticket drafts (type, figures, text in en/zh, status), linked to an incident if any."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bot.errors import InputError, NotFoundError
from bot.store.convert import ticket_record
from bot.store.engine import Store
from bot.store.ids import TICKET, idempotency_key, new_id
from bot.store.models import TicketDraft
from bot.store.records import EventKind, TicketDraftRecord, TicketStatus
from bot.store.sql import insert_ignore
from bot.store.timeline import append_event, require_incident
from bot.store.types import utcnow


def save_ticket_draft(
    store: Store,
    *,
    ticket_type: str,
    figures: dict[str, Any],
    text: dict[str, Any] | str,
    incident_id: str | None = None,
    cluster: str | None = None,
    actor: str | None = None,
    request_key: str | None = None,
) -> TicketDraftRecord:
    """Save a draft; a repeated `request_key` returns the first draft (created=False)."""
    body = {"en": text} if isinstance(text, str) else dict(text)
    key = idempotency_key(request_key) if request_key is not None else None

    def work(session: Session) -> TicketDraftRecord:
        now = utcnow()
        if incident_id is not None:
            require_incident(session, incident_id)
        values = {
            "id": new_id(TICKET),
            "incident_id": incident_id,
            "ticket_type": ticket_type,
            "cluster": cluster,
            "figures": figures,
            "text": body,
            "status": TicketStatus.DRAFT.value,
            "actor": actor,
            "request_key": key,
            "created_at": now,
            "updated_at": now,
        }
        if key is None:
            session.execute(insert(TicketDraft).values(**values))
        elif (
            session.execute(
                insert_ignore(session, TicketDraft, conflict=("request_key",))
                .values(**values)
                .returning(TicketDraft.id)
            ).scalar()
            is None
        ):
            first = session.scalars(select(TicketDraft).where(TicketDraft.request_key == key)).one()
            return ticket_record(first, created=False)
        if incident_id is not None:
            append_event(
                session,
                incident_id=incident_id,
                kind=EventKind.TICKET,
                actor=actor,
                at=now,
                message=f"{ticket_type} ticket drafted",
                data={"ticket_id": values["id"], **figures},
            )
        row = session.get(TicketDraft, values["id"])
        assert row is not None
        return ticket_record(row)

    return store.run(work, what="save the ticket draft")


def ticket_status(status: TicketStatus | str) -> TicketStatus:
    """The status a person typed; InputError names the ones there are."""
    try:
        return TicketStatus(status)
    except ValueError:
        allowed = ", ".join(s.value for s in TicketStatus)
        raise InputError(f"unknown ticket status {status!r} (one of {allowed})") from None


def update_ticket_status(
    store: Store, *, ticket_id: str, status: TicketStatus | str, actor: str | None = None
) -> TicketDraftRecord:
    target = ticket_status(status)

    def work(session: Session) -> TicketDraftRecord:
        row = _require(session, ticket_id)
        if row.status != target.value:
            now = utcnow()
            previous, row.status, row.updated_at = row.status, target.value, now
            session.flush()
            if row.incident_id is not None:
                append_event(
                    session,
                    incident_id=row.incident_id,
                    kind=EventKind.TICKET,
                    actor=actor,
                    at=now,
                    message=f"ticket {row.id}: {previous} → {target.value}",
                    data={"ticket_id": row.id, "from": previous, "to": target.value},
                )
        return ticket_record(row)

    return store.run(work, what="update the ticket draft")


def get_ticket_draft(store: Store, *, ticket_id: str) -> TicketDraftRecord:
    return store.run(lambda session: ticket_record(_require(session, ticket_id)), what="read the ticket draft")


def list_ticket_drafts(
    store: Store,
    *,
    incident_id: str | None = None,
    status: TicketStatus | str | None = None,
    cluster: str | None = None,
    limit: int = 50,
) -> list[TicketDraftRecord]:
    """Newest first."""
    query = select(TicketDraft).order_by(TicketDraft.created_at.desc(), TicketDraft.id).limit(max(1, min(limit, 1000)))
    if incident_id is not None:
        query = query.where(TicketDraft.incident_id == incident_id)
    if status is not None:
        query = query.where(TicketDraft.status == ticket_status(status).value)
    if cluster is not None:
        query = query.where(TicketDraft.cluster == cluster)
    return store.run(lambda session: [ticket_record(r) for r in session.scalars(query)], what="list ticket drafts")


def _require(session: Session, ticket_id: str) -> TicketDraft:
    row = session.get(TicketDraft, ticket_id)
    if row is None:
        raise NotFoundError(f"no ticket draft {ticket_id!r}")
    return row
