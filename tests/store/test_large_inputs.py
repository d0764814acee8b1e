"""Large or odd inputs are stored intact or truncated with a marker, never rejected by the database."""

from __future__ import annotations

import re

import pytest

from bot.domain import Finding, Verdict
from bot.store import MAX_TEXT_BYTES, get_incident, list_incidents
from bot.store.types import bound_text

from .helpers import API, triage

MARKER = re.compile(r"…\[truncated (\d+) bytes\]$")


def _check_truncated(stored: str, original: str) -> None:
    match = MARKER.search(stored)
    assert match, stored[-60:]
    kept = stored[: match.start()]
    assert original.startswith(kept)
    assert int(match[1]) == len(original.encode()) - len(kept.encode())
    assert len(stored.encode()) <= MAX_TEXT_BYTES


@pytest.mark.parametrize("unit", ["x", "日志", "🙂"], ids=["ascii", "cjk", "emoji"])
def test_a_40_kb_paste_is_truncated_with_a_marker(store, unit):
    paste = (unit * 50_000).encode()[: 40 * 1024].decode("utf-8", "ignore")
    recorded = triage(store, symptom=paste)
    stored = get_incident(store, incident_id=recorded.incident_id).incident.symptom
    _check_truncated(stored, paste)


def test_text_that_fits_is_stored_intact(store):
    paste = "kubectl logs api-7c9f\n" + "E1125 connection reset by peer\n" * 900  # ~27 kB
    recorded = triage(store, symptom=paste)
    assert get_incident(store, incident_id=recorded.incident_id).incident.symptom == paste


def test_characters_postgresql_cannot_store_are_replaced_not_rejected(store):
    nasty = "before\x00after \ud800 lone surrogate"
    finding = Finding(
        entry_id="port-9100-conflict",
        workload=API,
        verdict=Verdict.CONFIRMED,
        evidence=("log line with NUL \x00 inside", "\\u0000 literally"),
    )
    recorded = triage(store, symptom=nasty, findings=[finding], reporter="U\x00X")
    detail = get_incident(store, incident_id=recorded.incident_id)
    assert detail.incident.symptom == "before\ufffdafter \ufffd lone surrogate"
    assert detail.findings[0].evidence == ("log line with NUL \ufffd inside", "\\u0000 literally")
    assert detail.incident.reporter == "U\ufffdX"


def test_large_evidence_lists_are_kept_whole_as_json(store):
    evidence = tuple(f"event {i}: Back-off restarting failed container app in pod api-{i}" for i in range(800))
    finding = Finding(entry_id="port-9100-conflict", workload=API, verdict=Verdict.CONFIRMED, evidence=evidence)
    recorded = triage(store, findings=[finding])
    assert get_incident(store, incident_id=recorded.incident_id).findings[0].evidence == evidence


def test_overlong_names_and_keys_are_clipped_or_hashed_not_rejected(store):
    long_key = "Ev" + "9" * 1000
    first = triage(
        store,
        reporter="U" * 500,
        cluster="c" * 500,
        namespace="n" * 500,
        workload="deployment/" + "w" * 500,
        delivery_id=long_key,
    )
    again = triage(store, delivery_id=long_key)
    assert again.duplicate and again.incident_id == first.incident_id
    near = triage(store, delivery_id=long_key[:-1] + "8")  # same 100-char head, different id
    assert near.created
    summary = next(i for i in list_incidents(store) if i.id == first.incident_id)
    assert len(summary.reporter) == 128 and summary.reporter.endswith("…")
    assert len(summary.cluster) == 128 and len(summary.namespace) == 253 and len(summary.workload) == 300


def test_bound_text_never_splits_a_character():
    for size in range(1, 40):
        result = bound_text("é" * 40, max_bytes=size + 30)
        assert len(result.encode()) <= size + 30
        result.encode("utf-8")  # valid UTF-8
