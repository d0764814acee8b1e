"""Exactly once: redelivered Slack events and repeated button presses change nothing twice.

Enforced by the database (primary keys, unique keys, INSERT ... ON CONFLICT), so the concurrent
tests use separate connections, threads and processes against committed data.
"""

from __future__ import annotations

import secrets

from sqlalchemy import event

from bot.store import SlackThread, claim_delivery, get_incident, list_actions, record_delivery
from bot.store.models import Action, Incident, IncidentEvent, IncidentMatch, ProcessedDelivery

from .helpers import count, patch, run_in_processes, run_in_threads, triage


def test_redelivered_event_returns_the_first_incident_and_writes_nothing(store):
    first = triage(store, delivery_id="Ev0001")
    again = triage(store, delivery_id="Ev0001", symptom="the retry's text is ignored")
    assert first.created and not first.duplicate
    assert (again.incident_id, again.created, again.duplicate) == (first.incident_id, False, True)
    assert count(store, Incident) == 1
    assert count(store, IncidentEvent) == 2  # opened + triage, once
    assert count(store, IncidentMatch) == 3
    assert count(store, ProcessedDelivery) == 1


def test_delivery_ids_are_scoped_by_source(store):
    assert triage(store, delivery_id="same-id", source="slack").created
    assert triage(store, delivery_id="same-id", source="cli").created
    assert count(store, Incident) == 2


def test_one_slack_thread_is_one_incident(store):
    thread = SlackThread(channel_id="C0123ABCD", thread_ts="1732550000.000100")
    first = triage(store, thread=thread, delivery_id="Ev1", cluster=None)
    second = triage(
        store,
        thread=thread,
        delivery_id="Ev2",
        symptom="also DNS timeouts",
        matches=[("istio-dns-timeout-ipvs-udp", 77.0)],
        cluster="prod-gz",
    )
    assert first.created and not second.created and not second.duplicate
    assert second.incident_id == first.incident_id
    detail = get_incident(store, incident_id=first.incident_id)
    assert detail.incident.cluster == "prod-gz"  # filled in by the later triage
    assert "istio-dns-timeout-ipvs-udp" in detail.incident.entries
    assert [e.kind for e in detail.timeline] == ["opened", "triage", "triage"]
    assert detail.timeline[-1].data["symptom"] == "also DNS timeouts"


def test_claim_delivery_is_true_once(store):
    with store.session() as session:
        assert claim_delivery(session, source="slack-action", delivery_id="A1") is True
        assert claim_delivery(session, source="slack-action", delivery_id="A1") is False
        assert claim_delivery(session, source="slack-event", delivery_id="A1") is True


def test_a_failed_write_releases_its_claim(store):
    # The claim belongs to the transaction doing the work: if the work fails, Slack's retry may succeed.
    try:
        with store.session() as session:
            assert claim_delivery(session, source="slack-event", delivery_id="Ev-fail")
            raise RuntimeError("the work failed")
    except RuntimeError:
        pass
    with store.session() as session:
        assert claim_delivery(session, source="slack-event", delivery_id="Ev-fail")


def test_double_click_returns_the_first_action(store):
    incident = triage(store)
    first = patch(store, incident_id=incident.incident_id, request_key="B1:U0123ABCD:1732550000.1")
    second = patch(
        store,
        incident_id=incident.incident_id,
        request_key="B1:U0123ABCD:1732550000.1",
        after={"eks.tke.cloud.tencent.com/metrics-port": "9999"},
    )
    assert first.created and not second.created
    assert second.id == first.id and second.after == first.after
    assert len(list_actions(store, incident_id=incident.incident_id)) == 1


def test_idempotency_check_costs_at_most_one_round_trip(store):
    statements: list[str] = []

    def count_statement(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", count_statement)
    try:
        triage(store)
        without = len(statements)
        statements.clear()
        triage(store, delivery_id="Ev-count")
        with_id = len(statements)
    finally:
        event.remove(store.engine, "before_cursor_execute", count_statement)
    assert with_id - without <= 1, (without, with_id)


def test_same_event_to_several_processes_records_one_incident(live_store, live_url):
    delivery = "Ev" + secrets.token_hex(6)
    results = run_in_processes(live_url, "triage", delivery, processes=4)
    assert len({incident_id for _, incident_id, _, _ in results}) == 1
    assert sorted(created for _, _, created, _ in results) == [False, False, False, True]
    assert count(live_store, Incident) == 1
    assert count(live_store, IncidentEvent) == 2
    assert count(live_store, ProcessedDelivery) == 1


def test_same_thread_from_several_processes_is_one_incident(live_store, live_url):
    results = run_in_processes(live_url, "thread", "1732550000.000200", processes=3)
    assert len({incident_id for _, incident_id, _, _ in results}) == 1
    assert sorted(created for _, _, created, _ in results) == [False, False, True]
    assert count(live_store, Incident) == 1


def test_same_click_to_several_processes_triggers_one_action(live_store, live_url):
    results = run_in_processes(live_url, "click", "B1:" + secrets.token_hex(4), processes=4)
    assert len({action_id for _, action_id, _, _ in results}) == 1
    assert sorted(created for _, _, created, _ in results) == [False, False, False, True]
    assert count(live_store, Action) == 1


def test_same_action_id_claimed_by_threads_is_claimed_once(live_store):
    results = run_in_threads(
        lambda: record_delivery(live_store, source="slack-action", delivery_id="A-threads"), threads=6
    )
    assert sorted(results) == [False] * 5 + [True]


def test_same_event_to_several_threads_records_one_incident(live_store):
    results = run_in_threads(lambda: triage(live_store, delivery_id="Ev-threads"), threads=6)
    assert len({r.incident_id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert count(live_store, Incident) == 1
