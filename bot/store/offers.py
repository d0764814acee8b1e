"""Offers: what a person may do next, stored so that a button needs to carry only a reference."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import NotFoundError
from bot.store.engine import Store
from bot.store.ids import OFFER, new_id
from bot.store.models import Offer
from bot.store.records import OfferRecord
from bot.store.sql import insert_rows
from bot.store.types import utcnow

_FIELDS = ("kind", "entry_id", "cluster", "namespace", "workload_kind", "workload_name", "details")


def _record(row: Offer | Mapping[str, Any]) -> OfferRecord:
    get = row.get if isinstance(row, Mapping) else lambda name: getattr(row, name)
    return OfferRecord(
        id=get("id"),
        incident_id=get("incident_id"),
        kind=get("kind"),
        entry_id=get("entry_id"),
        cluster=get("cluster"),
        namespace=get("namespace"),
        workload_kind=get("workload_kind"),
        workload_name=get("workload_name"),
        details=dict(get("details") or {}),
        created_at=get("created_at"),
    )


def save_offers(store: Store, *, incident_id: str | None, offers: Sequence[Mapping[str, Any]]) -> list[OfferRecord]:
    """Store the offers of one answer in one statement; each gets an id a button can refer to."""
    if not offers:
        return []
    now = utcnow()
    rows = [
        {"id": new_id(OFFER), "incident_id": incident_id, "created_at": now}
        | {name: offer.get(name) for name in _FIELDS}
        for offer in offers
    ]

    def work(session: Session) -> None:
        insert_rows(session, Offer.__table__, rows)

    store.run(work, what="record the offers")
    return [_record(row) for row in rows]


def get_offer(store: Store, *, offer_id: str) -> OfferRecord:
    def work(session: Session) -> OfferRecord:
        row = session.scalar(select(Offer).where(Offer.id == offer_id))
        if row is None:
            raise NotFoundError(f"no offer {offer_id!r}")
        return _record(row)

    return store.run(work, what="read the offer")
