"""Quota-increase ticket drafts filled from live figures, and their status."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.domain import Actor


@dataclass
class QuotaDraft:
    draft: Any  # bot.remedies.tickets.TicketDraft: figures, reasoning and the English and Chinese text
    record: Any | None  # the stored draft (None: not saved, `notes` say why)
    cluster: str
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = self.draft.as_dict()
        data.update(id=self.record.id if self.record else None, status="draft", notes=list(self.notes))
        return data


def check_quota_type(quota_type: str) -> None:
    """InputError for an unknown quota type, before any request."""
    from bot.remedies.tickets import quota_kind

    quota_kind(quota_type)


def quota_types() -> list[str]:
    from bot.remedies.tickets import QUOTAS

    return list(QUOTAS)


def draft_quota(
    doctor: Any,
    *,
    actor: Actor,
    quota_type: str,
    cluster: str | None = None,
    context: str | None = None,
    requested: int | None = None,
    security_group: str | None = None,
    contact: str | None = None,
    incident_id: str | None = None,
    request_key: str | None = None,
    save: bool = True,
) -> QuotaDraft:
    """Read live figures and draft the ticket; with `save` (the default) the draft is stored."""
    from bot.core.inspection import cloud_reader
    from bot.remedies.quota import draft_ticket

    check_quota_type(quota_type)
    connection = doctor.connect(cluster=cluster, context=context)
    store, store_error = _store_or_reason(doctor)
    draft, record, notes = draft_ticket(
        store=store,
        store_error=store_error,
        api=connection.api,
        kb=doctor.kb,
        cluster_config=connection.config,
        quota_type=quota_type,
        requested=requested,
        contact=contact or actor.id,
        actor=actor.label,
        warn_ratio=doctor.settings.quota_warn_ratio,
        security_group=security_group,
        incident_id=incident_id,
        request_key=request_key,
        save=save,
        cloud=cloud_reader(doctor, connection),
    )
    return QuotaDraft(draft=draft, record=record, cluster=connection.name, notes=notes)


def _store_or_reason(doctor: Any) -> tuple[Any | None, str | None]:
    """A draft is still worth reading when the store is away; the drafting code notes it was not saved."""
    from bot.errors import EksDoctorError

    try:
        return doctor.store(), None
    except EksDoctorError as exc:
        return None, str(exc)


def set_ticket_status(doctor: Any, *, actor: Actor, ticket_id: str, status: str) -> Any:
    from bot.remedies.quota import set_ticket_status as update

    return update(store=doctor.store(), ticket_id=ticket_id, status=status, actor=actor.label)


def get_ticket(doctor: Any, *, ticket_id: str) -> Any:
    from bot.store import get_ticket_draft

    return get_ticket_draft(doctor.store(), ticket_id=ticket_id)


def list_tickets(doctor: Any, *, status: str | None = None, cluster: str | None = None, limit: int = 50) -> list:
    # Straight from the store: listing drafts needs neither the Kubernetes client nor the drafting code.
    from bot.store import list_ticket_drafts

    return list_ticket_drafts(doctor.store(), status=status, cluster=cluster, limit=limit)


@dataclass(frozen=True, slots=True)
class QuotaUsage:
    cluster: str
    quota_type: str
    usage: int | None
    limit: int
    error: str | None = None


def pod_quota_usage(doctor: Any, *, cluster: str | None = None) -> QuotaUsage:
    """Pods counted against the cluster's pod quota (for App Home); an unreachable cluster says why."""
    from bot.errors import EksDoctorError
    from bot.remedies.quota import read_figures

    name = cluster or "default"
    try:
        connection = doctor.connect(cluster=cluster)
        name = connection.name
        figures = read_figures(api=connection.api, kb=doctor.kb, quota_type="pods-per-cluster")
        return QuotaUsage(name, "pods-per-cluster", figures.usage, connection.config.pod_quota)
    except EksDoctorError as exc:
        limit = doctor.config.cluster(cluster).pod_quota if cluster else 0
        return QuotaUsage(name, "pods-per-cluster", None, limit, error=str(exc))


def offer_quota_ticket(doctor: Any, *, quota_type: str, cluster: str | None = None) -> Any:
    """A stored ticket offer not tied to an incident (`/eks quota`), so a button can refer to it."""
    from dataclasses import replace

    from bot.core.offers import Offer, OfferKind
    from bot.store import save_offers

    check_quota_type(quota_type)
    offer = Offer(
        kind=OfferKind.QUOTA_TICKET,
        entry_id=_entry_for_quota(doctor, quota_type),
        label=f"Draft a {quota_type} quota-increase ticket",
        quota_type=quota_type,
        cluster=cluster,
    )
    (row,) = save_offers(doctor.store(), incident_id=None, offers=[offer.to_row()])
    return replace(offer, id=row.id)


def _entry_for_quota(doctor: Any, quota_type: str) -> str:
    for entry in doctor.kb.entries.values():
        if entry.remedy.ticket and entry.remedy.ticket.quota == quota_type:
            return entry.id
    return quota_type
