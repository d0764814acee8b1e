"""Recording a triage: the incident, its matches and findings, and a timeline line, in one transaction.

Exactly once: with a delivery id, the claim is one INSERT ... ON CONFLICT DO NOTHING in the same
transaction as the incident, so a Slack retry (or a second replica) records nothing twice, and a
failed write releases the claim for the next retry. One Slack thread is one incident, enforced by a
unique key on (channel, thread_ts); a second triage in the thread appends to it.

Outside a thread (the CLI), a triage may be given a reuse window: an open or mitigated incident of the
same source, cluster and workload, updated within the window and about an entry this triage also
matched or confirmed (or, both finding nothing, about nothing), is added to instead of opening another.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, func, literal, select, update
from sqlalchemy.orm import Session

from bot.domain import Finding, WorkloadRef
from bot.store.deliveries import claim_delivery, delivery_incident
from bot.store.engine import Store
from bot.store.ids import INCIDENT, new_id
from bot.store.models import Incident, IncidentEvent, IncidentFinding, IncidentMatch
from bot.store.queries import incident_entries
from bot.store.records import EventKind, IncidentSource, IncidentStatus, RecordedTriage, SlackThread
from bot.store.sql import insert_ignore, insert_rows
from bot.store.types import bound_text, utcnow

_PREVIEW_CHARS = 200
# Core tables, not ORM entities, and one multi-row VALUES statement per table: this is the hot path
# of every triage, and both the ORM's bulk layer and the driver's pipelined executemany cost more
# CPU than the statements themselves.
_INCIDENTS = Incident.__table__
_EVENTS = IncidentEvent.__table__


class _Redelivered(Exception):
    """Raised inside the write to roll it back: this delivery was recorded before."""


def delivery_source(source: IncidentSource) -> str:
    """Delivery ids of triages live in their own namespace, apart from raw Slack event/action claims."""
    return f"triage/{source.value}"


def workload_text(workload: WorkloadRef | str | None) -> str | None:
    if isinstance(workload, WorkloadRef):
        return f"{workload.kind.lower()}/{workload.name}"
    return workload or None


def record_triage(
    store: Store,
    *,
    source: IncidentSource | str,
    reporter: str | None,
    symptom: str,
    cluster: str | None = None,
    namespace: str | None = None,
    workload: WorkloadRef | str | None = None,
    matches: Sequence[tuple[str, float]] = (),
    findings: Sequence[Finding] = (),
    delivery_id: str | None = None,
    thread: SlackThread | None = None,
    reuse_within: timedelta | None = None,
) -> RecordedTriage:
    """Record one triage; raises StoreUnavailableError if the store stays unreachable.

    A redelivery of `delivery_id` writes nothing and returns the incident of the first delivery with
    `duplicate=True`. Within a Slack `thread`, the first triage creates the incident and later ones add
    their matches, findings and a timeline line to it (`created=False`).
    """
    origin = IncidentSource(source)
    symptom = bound_text(symptom)
    where = workload_text(workload)
    ranked = _ranked(matches)

    def write(session: Session) -> RecordedTriage:
        now = utcnow()
        conn = session.connection()  # Core statements only: skip the ORM's per-statement overhead
        fields = {"cluster": cluster, "namespace": namespace, "workload": where}
        reused = None
        if thread is None and reuse_within is not None and reuse_within > timedelta(0) and where is not None:
            about = {entry for entry, _, _ in ranked} | {f.entry_id for f in findings if str(f.verdict) == "confirmed"}
            reused = _reusable(session, origin=origin, fields=fields, about=about, since=now - reuse_within)
        if reused is not None:
            incident_id, created = reused, False
        else:
            incident_id, created = _open_incident(
                conn, origin=origin, reporter=reporter, symptom=symptom, thread=thread, fields=fields, now=now
            )
        if delivery_id is not None and not claim_delivery(
            conn, source=delivery_source(origin), delivery_id=delivery_id, incident_id=incident_id
        ):
            raise _Redelivered
        if not created:
            _touch(conn, incident_id=incident_id, fields=fields, now=now)
        _insert_details(conn, incident_id=incident_id, ranked=ranked, findings=findings, now=now)
        events = [_triage_event(incident_id, reporter, symptom, ranked, findings, appended=not created, now=now)]
        if created:
            events.insert(
                0,
                {
                    "incident_id": incident_id,
                    "kind": EventKind.OPENED.value,
                    "actor": reporter,
                    "message": _preview(symptom, _PREVIEW_CHARS),
                    "data": {"source": origin.value},
                    "at": now,
                },
            )
        insert_rows(conn, _EVENTS, events)
        return RecordedTriage(incident_id=incident_id, created=created)

    try:
        return store.run(write, what="record the incident")
    except _Redelivered:
        assert delivery_id is not None
        first = store.run(
            lambda session: delivery_incident(session, source=delivery_source(origin), delivery_id=delivery_id),
            what="look up the recorded incident",
        )
        return RecordedTriage(incident_id=first, created=False, duplicate=True)


def _preview(text: str, length: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= length else line[: length - 1] + "…"


def _ranked(matches: Sequence[tuple[str, float]]) -> list[tuple[str, float, int]]:
    # The matcher's order is the rank; an entry proposed twice keeps its first (best) place.
    seen: set[str] = set()
    ranked = []
    for entry_id, score in matches:
        if entry_id not in seen:
            seen.add(entry_id)
            ranked.append((entry_id, float(score), len(ranked) + 1))
    return ranked


def _open_incident(
    session: Connection,
    *,
    origin: IncidentSource,
    reporter: str | None,
    symptom: str,
    thread: SlackThread | None,
    fields: dict[str, str | None],
    now: Any,
) -> tuple[str, bool]:
    values = {
        "id": new_id(INCIDENT),
        "source": origin.value,
        "reporter": reporter,
        "symptom": symptom,
        "status": IncidentStatus.OPEN.value,
        "created_at": now,
        "updated_at": now,
        **fields,
    }
    if thread is None:
        session.execute(_INCIDENTS.insert(), values)
        return values["id"], True
    values.update(slack_channel=thread.channel_id, slack_thread_ts=thread.thread_ts)
    statement = insert_ignore(session, _INCIDENTS, conflict=("slack_channel", "slack_thread_ts"))
    created_id = session.execute(statement.returning(_INCIDENTS.c.id), values).scalar()
    if created_id is not None:
        return created_id, True
    existing = session.scalar(
        select(Incident.id).where(
            Incident.slack_channel == thread.channel_id, Incident.slack_thread_ts == thread.thread_ts
        )
    )
    assert existing is not None, "the conflicting thread incident must be visible after the insert waited"
    return existing, False


REUSE_CANDIDATES = 20


def _reusable(
    session: Session, *, origin: IncidentSource, fields: dict[str, str | None], about: set[str], since: Any
) -> str | None:
    """The most recently updated incident this triage continues, if any (see the module's docstring)."""
    query = (
        select(Incident.id)
        .where(
            Incident.source == origin.value,
            Incident.slack_channel.is_(None),
            Incident.status.in_([IncidentStatus.OPEN.value, IncidentStatus.MITIGATED.value]),
            Incident.updated_at >= since,
            *(getattr(Incident, name) == value if value is not None else getattr(Incident, name).is_(None)
              for name, value in fields.items()),
        )
        .order_by(Incident.updated_at.desc(), Incident.id)
        .limit(REUSE_CANDIDATES)
    )  # fmt: skip
    candidates = list(session.scalars(query))
    entries = incident_entries(session, candidates)
    for incident_id in candidates:
        recorded = set(entries[incident_id])
        if recorded & about or (not recorded and not about):
            return incident_id
    return None


def _touch(session: Connection, *, incident_id: str, fields: dict[str, str | None], now: Any) -> None:
    # A later triage in the thread may name the cluster or workload the first one did not.
    values: dict[str, Any] = {"updated_at": now}
    for name, value in fields.items():
        if value is not None:
            column = getattr(Incident, name)
            values[name] = func.coalesce(column, literal(value, column.type))
    session.execute(
        update(Incident).where(Incident.id == incident_id).values(**values).execution_options(synchronize_session=False)
    )


def _insert_details(
    session: Connection,
    *,
    incident_id: str,
    ranked: list[tuple[str, float, int]],
    findings: Sequence[Finding],
    now: Any,
) -> None:
    if ranked:
        rows = [
            {"incident_id": incident_id, "entry_id": entry_id, "score": score, "rank": rank, "created_at": now}
            for entry_id, score, rank in ranked
        ]
        insert_rows(session, IncidentMatch.__table__, rows, conflict=("incident_id", "entry_id"))
    if findings:
        insert_rows(session, IncidentFinding.__table__, [_finding_row(incident_id, f, now) for f in findings])


def _finding_row(incident_id: str, finding: Finding, now: Any) -> dict[str, Any]:
    return {
        "incident_id": incident_id,
        "entry_id": finding.entry_id,
        "verdict": str(finding.verdict),
        "workload_kind": finding.workload.kind,
        "workload_namespace": finding.workload.namespace,
        "workload_name": finding.workload.name,
        "evidence": list(finding.evidence),
        "checks": [{"check": c.check, "outcome": str(c.outcome), "evidence": list(c.evidence)} for c in finding.checks],
        "created_at": now,
    }


def _triage_event(
    incident_id: str,
    reporter: str | None,
    symptom: str,
    ranked: list[tuple[str, float, int]],
    findings: Sequence[Finding],
    *,
    appended: bool,
    now: Any,
) -> dict[str, Any]:
    confirmed = sorted({f.entry_id for f in findings if str(f.verdict) == "confirmed"})
    said = []
    if ranked:
        said.append("matches " + ", ".join(entry for entry, _, _ in ranked[:3]))
    if confirmed:
        said.append(f"confirmed: {', '.join(confirmed)}")
    if not said:
        said.append("no known issue matched or confirmed" if findings else "no known issue matched")
    message = "triage: " + "; ".join(said)
    data: dict[str, Any] = {
        "matches": [[entry, score] for entry, score, _ in ranked],
        "confirmed": confirmed,
        "findings": len(findings),
    }
    if appended:
        data["symptom"] = symptom  # the incident row keeps the first symptom; later ones live here
        message += f' ("{_preview(symptom, 80)}")'
    return {
        "incident_id": incident_id,
        "kind": EventKind.TRIAGE.value,
        "actor": reporter,
        "message": message,
        "data": data,
        "at": now,
    }
