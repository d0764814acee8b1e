"""Actions and undo, ticket drafts, usage samples, and the statistics built from them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import InputError, NotFoundError
from bot.store import (
    get_action,
    get_incident,
    get_ticket_draft,
    list_actions,
    list_ticket_drafts,
    mark_undone,
    prune_deliveries,
    record_feedback,
    record_usage_sample,
    save_ticket_draft,
    set_incident_status,
    stats,
    update_action,
    update_ticket_status,
    usage_history,
)
from bot.store.models import ProcessedDelivery

from .helpers import count, patch, triage


def test_applied_fix_mitigates_the_incident_and_undo_links_both_ways(store):
    incident_id = triage(store).incident_id
    fix = patch(store, incident_id=incident_id, status="pending")
    assert re.fullmatch(r"act-[0-9a-z]{10}", fix.id)
    assert get_incident(store, incident_id=incident_id).incident.status == "open"
    fix = update_action(store, action_id=fix.id, status="applied", message="server-side dry-run passed")
    assert fix.status == "applied"
    assert get_incident(store, incident_id=incident_id).incident.status == "mitigated"
    undo = patch(store, incident_id=incident_id, kind="undo", undo_of=fix.id, before=fix.after, after=fix.before)
    assert undo.undo_of == fix.id
    original = get_action(store, action_id=fix.id)
    assert original.undone_by == undo.id and original.undone_at is not None
    assert mark_undone(store, action_id=fix.id, undone_by=undo.id) is False  # already undone
    kinds = [
        (e.kind, e.data.get("status") if e.data else None)
        for e in get_incident(store, incident_id=incident_id).timeline
    ]
    assert ("action", "pending") in kinds and ("action", "applied") in kinds and ("status", None) in kinds


def test_action_fields_round_trip(store):
    action = patch(store, dry_run={"warnings": ["x"], "at": datetime(2026, 1, 1, tzinfo=UTC)})
    again = get_action(store, action_id=action.id)
    assert again.before == {"eks.tke.cloud.tencent.com/metrics-port": None}
    assert again.after == {"eks.tke.cloud.tencent.com/metrics-port": "9110"}
    assert again.dry_run == {"warnings": ["x"], "at": "2026-01-01 00:00:00+00:00"}
    assert list_actions(store, cluster="prod-gz")[0].id == action.id
    assert list_actions(store, status="failed") == []


def test_action_validation(store):
    with pytest.raises(InputError, match="must name the action it undoes"):
        patch(store, kind="undo")
    with pytest.raises(NotFoundError):
        patch(store, kind="undo", undo_of="act-missing")
    with pytest.raises(NotFoundError):
        patch(store, incident_id="inc-missing")
    with pytest.raises(InputError):
        patch(store, status="done")
    with pytest.raises(NotFoundError):
        get_action(store, action_id="act-missing")


def test_ticket_drafts(store):
    incident_id = triage(store).incident_id
    figures = {"usage": 196, "limit": 200, "requested": 400}
    draft = save_ticket_draft(
        store,
        incident_id=incident_id,
        ticket_type="pods-per-cluster",
        cluster="prod-gz",
        figures=figures,
        text={"en": "Please raise...", "zh": "请提高..."},
        actor="U1",
        request_key="quota-button-1",
    )
    assert re.fullmatch(r"tkt-[0-9a-z]{10}", draft.id) and draft.status == "draft" and draft.created
    repeat = save_ticket_draft(
        store, ticket_type="pods-per-cluster", figures={}, text="x", request_key="quota-button-1"
    )
    assert repeat.id == draft.id and not repeat.created
    filed = update_ticket_status(store, ticket_id=draft.id, status="submitted", actor="U1")
    assert filed.status == "submitted" and get_ticket_draft(store, ticket_id=draft.id).text["zh"] == "请提高..."
    assert [t.id for t in list_ticket_drafts(store, incident_id=incident_id)] == [draft.id]
    assert list_ticket_drafts(store, status="draft") == []
    kinds = [e.kind for e in get_incident(store, incident_id=incident_id).timeline]
    assert kinds.count("ticket") == 2
    with pytest.raises(InputError):
        update_ticket_status(store, ticket_id=draft.id, status="lost")


def test_usage_history_is_oldest_first_and_bounded_by_since(store):
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    for day in range(5):
        record_usage_sample(
            store,
            cluster="prod-gz",
            quota_type="pods-per-cluster",
            usage=150 + day,
            limit=200,
            at=t0 + timedelta(days=day),
        )
    record_usage_sample(store, cluster="other", quota_type="pods-per-cluster", usage=1, limit=200, at=t0)
    history = usage_history(store, cluster="prod-gz", quota_type="pods-per-cluster", since=t0 + timedelta(days=2))
    assert [(s.usage, s.limit) for s in history] == [(152, 200), (153, 200), (154, 200)]
    assert history[0].sampled_at == t0 + timedelta(days=2)
    assert len(usage_history(store, cluster="prod-gz", quota_type="pods-per-cluster", limit=2)) == 2


def test_stats(store):
    first, second, third = (triage(store).incident_id for _ in range(3))
    triage(store, matches=[("istio-dns-timeout-ipvs-udp", 80.0)], findings=[])
    set_incident_status(
        store, incident_id=first, status="mitigated", actor="U1", at=datetime.now(UTC) + timedelta(minutes=10)
    )
    set_incident_status(
        store, incident_id=second, status="resolved", actor="U1", at=datetime.now(UTC) + timedelta(minutes=30)
    )
    fix = patch(store, incident_id=third)
    patch(store, incident_id=third, kind="undo", undo_of=fix.id)
    patch(store, incident_id=third, status="failed")
    record_feedback(store, incident_id=first, entry_id="port-9100-conflict", user="U1", vote="helped")
    record_feedback(store, incident_id=second, entry_id="port-9100-conflict", user="U1", vote="not_this")
    figures = stats(store)
    assert figures.incidents == {"open": 1, "mitigated": 2, "resolved": 1, "total": 4}
    port = next(e for e in figures.entries if e.entry_id == "port-9100-conflict")
    assert (port.incidents, port.confirmed, port.fixes_applied, port.fixes_undone, port.helped, port.not_this) == (
        3,
        3,
        1,
        1,
        1,
        1,
    )
    assert figures.entries[0].entry_id != "istio-dns-timeout-ipvs-udp"  # most incidents first
    assert figures.fixes["applied"] == 1 and figures.fixes["undone"] == 1 and figures.fixes["failed"] == 1
    ttm = figures.time_to_mitigate
    assert ttm["count"] == 3
    assert 9 * 60 < ttm["median_seconds"] < 11 * 60 and ttm["p90_seconds"] >= 29 * 60
    assert stats(store, since=datetime.now(UTC) + timedelta(days=1)).incidents["total"] == 0
    data = figures.as_dict()
    assert set(data) >= {"incidents", "entries", "time_to_mitigate", "fixes", "tickets"}


def test_old_delivery_ids_are_pruned(store):
    triage(store, delivery_id="Ev-old")
    assert prune_deliveries(store, older_than=timedelta(hours=1)) == 0
    assert prune_deliveries(store, older_than=timedelta(hours=1), now=datetime.now(UTC) + timedelta(hours=2)) == 1
    assert count(store, ProcessedDelivery) == 0
