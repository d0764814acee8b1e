"""Quota-increase ticket drafts (see bot.remedies.tickets; live figures: bot.remedies.quota)."""

from bot.remedies.tickets import (
    QUOTAS,
    QuotaKind,
    TicketDraft,
    Trend,
    draft_quota_ticket,
    quota_kind,
    quota_warning,
    suggest_limit,
    usage_trend,
)

__all__ = [
    "QUOTAS",
    "QuotaKind",
    "TicketDraft",
    "Trend",
    "draft_quota_ticket",
    "quota_kind",
    "quota_warning",
    "suggest_limit",
    "usage_trend",
]
