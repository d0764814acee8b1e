"""The incident store: incidents, matches, findings, timeline, actions, ticket drafts, feedback, usage.

Callers use the keyword-only functions re-exported here and get frozen records back; nothing outside
this package builds SQL or holds an ORM object.
"""

from bot.store.actions import get_action, list_actions, mark_undone, record_action, update_action
from bot.store.deliveries import claim_delivery, prune_deliveries, record_delivery
from bot.store.engine import RetryPolicy, Store
from bot.store.feedback import feedback_counts, record_feedback
from bot.store.gaps import GapRecord, match_gaps
from bot.store.incidents import record_triage
from bot.store.lifecycle import open_checked_store, open_store
from bot.store.migrate import current_revision, downgrade, ensure_schema_current, head_revision, upgrade
from bot.store.offers import get_offer, save_offers
from bot.store.queries import get_incident, incident_for_thread, list_incidents
from bot.store.records import (
    ActionKind,
    ActionRecord,
    ActionStatus,
    EntryStats,
    EventKind,
    EventRecord,
    FeedbackRecord,
    FeedbackVote,
    FindingRecord,
    IncidentDetail,
    IncidentSource,
    IncidentStatus,
    IncidentSummary,
    MatchRecord,
    OfferRecord,
    RecordedTriage,
    SlackThread,
    StoreStats,
    TicketDraftRecord,
    TicketStatus,
    UsageSample,
)
from bot.store.stats import stats
from bot.store.tickets import get_ticket_draft, list_ticket_drafts, save_ticket_draft, update_ticket_status
from bot.store.timeline import add_event, set_incident_status
from bot.store.types import MAX_TEXT_BYTES
from bot.store.usage import record_usage_sample, usage_history

__all__ = [
    "MAX_TEXT_BYTES",
    "ActionKind",
    "ActionRecord",
    "ActionStatus",
    "EntryStats",
    "EventKind",
    "EventRecord",
    "FeedbackRecord",
    "FeedbackVote",
    "FindingRecord",
    "GapRecord",
    "IncidentDetail",
    "IncidentSource",
    "IncidentStatus",
    "IncidentSummary",
    "MatchRecord",
    "OfferRecord",
    "RecordedTriage",
    "RetryPolicy",
    "SlackThread",
    "Store",
    "StoreStats",
    "TicketDraftRecord",
    "TicketStatus",
    "UsageSample",
    "add_event",
    "claim_delivery",
    "current_revision",
    "downgrade",
    "ensure_schema_current",
    "feedback_counts",
    "get_action",
    "get_incident",
    "get_offer",
    "get_ticket_draft",
    "head_revision",
    "incident_for_thread",
    "list_actions",
    "list_incidents",
    "list_ticket_drafts",
    "mark_undone",
    "match_gaps",
    "open_checked_store",
    "open_store",
    "prune_deliveries",
    "record_action",
    "record_delivery",
    "record_feedback",
    "record_triage",
    "record_usage_sample",
    "save_offers",
    "save_ticket_draft",
    "set_incident_status",
    "stats",
    "update_action",
    "update_ticket_status",
    "upgrade",
    "usage_history",
]
