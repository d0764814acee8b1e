"""What the store hands back: plain frozen values, so callers never hold a session or an ORM object."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class IncidentSource(StrEnum):
    SLACK = "slack"
    CLI = "cli"


class IncidentStatus(StrEnum):
    OPEN = "open"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"


class ActionKind(StrEnum):
    PATCH = "patch"
    UNDO = "undo"


class ActionStatus(StrEnum):
    """The fix/undo outcomes of the CLI contract, plus `pending` while the patch is in flight."""

    PENDING = "pending"
    APPLIED = "applied"
    ALREADY_APPLIED = "already_applied"
    DRY_RUN = "dry_run"
    REFUSED = "refused"
    FAILED = "failed"


class TicketStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class FeedbackVote(StrEnum):
    HELPED = "helped"
    NOT_THIS = "not_this"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


class EventKind(StrEnum):
    OPENED = "opened"
    TRIAGE = "triage"
    STATUS = "status"
    ACTION = "action"
    TICKET = "ticket"
    FEEDBACK = "feedback"
    NOTE = "note"


class _Record:
    __slots__ = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: timestamps as ISO 8601 strings, tuples as lists."""
        return _jsonable(asdict(self))  # type: ignore[call-overload]


@dataclass(frozen=True, slots=True)
class SlackThread:
    """Where a Slack conversation lives; one thread is one incident."""

    channel_id: str
    thread_ts: str


@dataclass(frozen=True, slots=True)
class RecordedTriage(_Record):
    incident_id: str | None  # None only if a redelivered incident has since been deleted
    created: bool  # a new incident (False: appended to the thread's incident, or a redelivery)
    duplicate: bool = False  # this delivery was already recorded; nothing was written


@dataclass(frozen=True, slots=True)
class MatchRecord(_Record):
    entry_id: str
    score: float
    rank: int


@dataclass(frozen=True, slots=True)
class FindingRecord(_Record):
    entry_id: str
    verdict: str
    workload: dict[str, str | None]
    evidence: tuple[str, ...]
    checks: tuple[dict[str, Any], ...]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class EventRecord(_Record):
    at: datetime
    kind: str
    actor: str | None
    message: str | None
    data: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class IncidentSummary(_Record):
    id: str
    status: str
    entries: tuple[str, ...]
    created_at: datetime
    source: str
    cluster: str | None
    namespace: str | None
    workload: str | None
    symptom: str
    reporter: str | None
    slack_channel: str | None
    slack_thread_ts: str | None
    updated_at: datetime
    mitigated_at: datetime | None
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class ActionRecord(_Record):
    id: str
    incident_id: str | None
    entry_id: str
    cluster: str | None
    namespace: str | None
    workload_kind: str
    workload_name: str
    actor: str
    kind: str
    before: dict[str, Any]
    after: dict[str, Any]
    status: str
    dry_run: dict[str, Any] | None
    message: str | None
    undo_of: str | None
    undone_by: str | None
    undone_at: datetime | None
    request_key: str | None
    created_at: datetime
    updated_at: datetime
    created: bool = True  # False: the request key was seen before and this is the first action


@dataclass(frozen=True, slots=True)
class TicketDraftRecord(_Record):
    id: str
    incident_id: str | None
    ticket_type: str
    cluster: str | None
    figures: dict[str, Any]
    text: dict[str, Any]
    status: str
    actor: str | None
    request_key: str | None
    created_at: datetime
    updated_at: datetime
    created: bool = True


@dataclass(frozen=True, slots=True)
class OfferRecord(_Record):
    id: str
    incident_id: str | None
    kind: str
    entry_id: str
    cluster: str | None
    namespace: str | None
    workload_kind: str | None
    workload_name: str | None
    details: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class IncidentDetail(_Record):
    incident: IncidentSummary
    matches: tuple[MatchRecord, ...]
    findings: tuple[FindingRecord, ...]
    timeline: tuple[EventRecord, ...]
    actions: tuple[ActionRecord, ...]
    tickets: tuple[TicketDraftRecord, ...]


@dataclass(frozen=True, slots=True)
class FeedbackRecord(_Record):
    incident_id: str
    entry_id: str
    user: str
    vote: str
    changed: bool  # False when the same person gave the same vote again


@dataclass(frozen=True, slots=True)
class UsageSample(_Record):
    cluster: str
    quota_type: str
    usage: int
    limit: int
    sampled_at: datetime


@dataclass(frozen=True, slots=True)
class EntryStats(_Record):
    entry_id: str
    incidents: int
    confirmed: int
    fixes_applied: int
    fixes_undone: int
    helped: int
    not_this: int


@dataclass(frozen=True, slots=True)
class StoreStats(_Record):
    since: datetime | None
    incidents: dict[str, int]  # total and per status
    entries: tuple[EntryStats, ...]
    time_to_mitigate: dict[str, float | int | None]  # count, median/mean/p90 in seconds
    fixes: dict[str, int]  # applied, undone, failed, dry_run, refused
    tickets: dict[str, int] = field(default_factory=dict)
