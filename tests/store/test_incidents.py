"""Incidents: what a triage records, the timeline, status changes, listing and lookup."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import InputError, NotFoundError
from bot.store import (
    add_event,
    get_incident,
    incident_for_thread,
    list_incidents,
    record_feedback,
    set_incident_status,
)
from bot.store.records import SlackThread

from .helpers import MATCHES, triage


def test_a_triage_records_incident_matches_findings_and_timeline(store):
    recorded = triage(store, delivery_id="Ev1")
    assert re.fullmatch(r"inc-[0-9a-hjkmnp-tv-z]{10}", recorded.incident_id)
    detail = get_incident(store, incident_id=recorded.incident_id)
    incident = detail.incident
    assert (incident.status, incident.source, incident.reporter) == ("open", "slack", "U0123ABCD")
    assert (incident.cluster, incident.namespace, incident.workload) == ("prod-gz", "shop", "deployment/api")
    assert incident.entries == tuple(entry for entry, _ in MATCHES)
    assert [(m.entry_id, m.score, m.rank) for m in detail.matches] == [
        (e, s, i + 1) for i, (e, s) in enumerate(MATCHES)
    ]
    confirmed = detail.findings[0]
    assert confirmed.verdict == "confirmed"
    assert confirmed.workload == {"kind": "Deployment", "namespace": "shop", "name": "api"}
    assert confirmed.evidence[0] == "container app listens on 9100"
    assert confirmed.checks[0] == {"check": "container_port", "outcome": "holds", "evidence": ["app:9100"]}
    assert [e.kind for e in detail.timeline] == ["opened", "triage"]
    assert detail.timeline[1].data["confirmed"] == ["port-9100-conflict"]


def test_timestamps_are_timezone_aware_utc(store):
    recorded = triage(store)
    incident = get_incident(store, incident_id=recorded.incident_id).incident
    assert incident.created_at.tzinfo is not None and incident.created_at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - incident.created_at) < timedelta(minutes=1)


def test_cli_runs_are_separate_incidents(store):
    a = triage(store, source="cli", reporter=None)
    b = triage(store, source="cli", reporter=None)
    assert a.incident_id != b.incident_id and a.created and b.created


def test_status_moves_open_mitigated_resolved_with_timestamps(store):
    incident_id = triage(store).incident_id
    t0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    mitigated = set_incident_status(store, incident_id=incident_id, status="mitigated", actor="U1", at=t0)
    assert mitigated.status == "mitigated" and mitigated.mitigated_at == t0 and mitigated.resolved_at is None
    resolved = set_incident_status(
        store,
        incident_id=incident_id,
        status="resolved",
        actor="U1",
        at=t0 + timedelta(hours=1),
        note="metrics port moved to 9110",
    )
    assert resolved.mitigated_at == t0 and resolved.resolved_at == t0 + timedelta(hours=1)
    again = set_incident_status(store, incident_id=incident_id, status="resolved", actor="U2")
    assert again.resolved_at == resolved.resolved_at  # resolving twice changes nothing
    timeline = get_incident(store, incident_id=incident_id).timeline
    status_events = [e for e in timeline if e.kind == "status"]
    assert [(e.data["from"], e.data["to"]) for e in status_events] == [("open", "mitigated"), ("mitigated", "resolved")]
    assert status_events[-1].message == "metrics port moved to 9110"


def test_resolving_an_open_incident_also_stamps_mitigation_and_reopening_clears_both(store):
    incident_id = triage(store).incident_id
    resolved = set_incident_status(store, incident_id=incident_id, status="resolved", actor="U1")
    assert resolved.mitigated_at == resolved.resolved_at
    reopened = set_incident_status(store, incident_id=incident_id, status="open", actor="U1")
    assert (reopened.status, reopened.mitigated_at, reopened.resolved_at) == ("open", None, None)


def test_unknown_incident_is_not_found_with_close_suggestions(store):
    incident_id = triage(store).incident_id
    with pytest.raises(NotFoundError) as caught:
        get_incident(store, incident_id=incident_id[:-2])
    assert caught.value.exit_code == 2
    assert incident_id in caught.value.suggestions
    with pytest.raises(NotFoundError):
        set_incident_status(store, incident_id="inc-nothing", status="resolved", actor="U1")
    with pytest.raises(InputError, match="unknown incident status"):
        set_incident_status(store, incident_id=incident_id, status="closed", actor="U1")


def test_list_is_newest_first_and_filters_by_status(store):
    ids = [triage(store, symptom=f"symptom {i}").incident_id for i in range(3)]
    set_incident_status(store, incident_id=ids[0], status="resolved", actor="U1")
    listed = list_incidents(store)
    assert [i.id for i in listed] == ids[::-1]
    assert [i.id for i in list_incidents(store, status="resolved")] == [ids[0]]
    assert [i.id for i in list_incidents(store, status="open", limit=1)] == [ids[2]]
    row = listed[0].as_dict()
    assert {"id", "status", "entries", "created_at", "source", "cluster", "namespace", "workload", "symptom"} <= set(
        row
    )
    assert row["entries"] == [entry for entry, _ in MATCHES] and isinstance(row["created_at"], str)
    with pytest.raises(InputError):
        list_incidents(store, status="bogus")


def test_events_and_feedback_join_the_timeline(store):
    incident_id = triage(store).incident_id
    add_event(store, incident_id=incident_id, kind="note", actor="U2", message="customer confirmed fixed")
    first = record_feedback(store, incident_id=incident_id, entry_id="port-9100-conflict", user="U2", vote="helped")
    same = record_feedback(store, incident_id=incident_id, entry_id="port-9100-conflict", user="U2", vote="helped")
    changed = record_feedback(store, incident_id=incident_id, entry_id="port-9100-conflict", user="U2", vote="not_this")
    assert (first.changed, same.changed, changed.changed) == (True, False, True)
    kinds = [e.kind for e in get_incident(store, incident_id=incident_id).timeline]
    assert kinds == ["opened", "triage", "note", "feedback", "feedback"]
    with pytest.raises(InputError):
        record_feedback(store, incident_id=incident_id, entry_id="x", user="U2", vote="meh")
    with pytest.raises(NotFoundError):
        add_event(store, incident_id="inc-missing", kind="note")


def test_thread_lookup(store):
    thread = SlackThread("C0123ABCD", "1732550000.000300")
    assert incident_for_thread(store, thread=thread) is None
    incident_id = triage(store, thread=thread).incident_id
    assert incident_for_thread(store, thread=thread) == incident_id
