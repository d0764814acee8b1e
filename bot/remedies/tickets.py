"""Quota-increase ticket drafts, in English and Chinese, filled from live figures (pure: no I/O).

The figures support wants are the cluster id and region, the quota and its current limit, current
usage, and the new limit with a reason. The suggested limit covers peak demand (running plus pending
pods, or the highest usage seen) with 50% headroom, rounded up to the next 50 (100 above 1,000), and is
always above the current limit; a figure the requester gives wins when it is higher.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.config import ClusterConfig
from bot.errors import InputError
from bot.remedies.ticket_texts import reasoning_en, text_en, text_zh

HEADROOM = 1.5
MAX_FAILURES = 5


@dataclass(frozen=True, slots=True)
class QuotaKind:
    id: str
    default_limit: int
    unit_en: str
    unit_zh: str
    name_en: str
    name_zh: str


QUOTAS = {
    "pods-per-cluster": QuotaKind(
        "pods-per-cluster", 200, "pods", "个 Pod", "maximum number of pods per cluster", "单集群最大 Pod 数量"
    ),
    "security-group-instances": QuotaKind(
        "security-group-instances",
        2000,
        "instances",
        "个实例",
        "maximum number of instances bound to one security group",
        "单个安全组可关联的实例数量上限",
    ),
}


def quota_kind(quota_type: str) -> QuotaKind:
    if quota_type not in QUOTAS:
        raise InputError(f"unknown quota type {quota_type!r} (one of {', '.join(QUOTAS)})")
    return QUOTAS[quota_type]


@dataclass(frozen=True, slots=True)
class Trend:
    first: int
    last: int
    peak: int
    samples: int
    days: float

    @property
    def per_day(self) -> float:
        return (self.last - self.first) / self.days if self.days > 0 else 0.0

    def days_to(self, limit: int) -> float | None:
        """At the current growth rate, days until `limit` is reached (None when not growing)."""
        return (limit - self.last) / self.per_day if self.per_day > 0 and self.last < limit else None


def usage_trend(history: Sequence[Any], *, current: int, now: datetime | None = None) -> Trend | None:
    """From stored samples (oldest first, each with `usage` and `sampled_at`) plus the current figure."""
    if not history:
        return None
    now = now or datetime.now(UTC)
    first = history[0]
    days = max((now - first.sampled_at).total_seconds() / 86400, 0.0)
    peak = max([int(s.usage) for s in history] + [current])
    return Trend(first=int(first.usage), last=current, peak=peak, samples=len(history) + 1, days=days)


def round_up(value: float) -> int:
    step = 50 if value <= 1000 else 100
    return int(math.ceil(value / step) * step)


def suggest_limit(*, usage: int, unmet: int, limit: int, peak: int, requested: int | None) -> tuple[int, dict]:
    """The new limit and the figures behind it (rendered in each language by the text builders).

    Pending pods exist and already count in `usage`; `unmet` is what controllers want but could not
    create (replicas asked for minus replicas created), the demand the limit is blocking."""
    demand = max(usage + unmet, peak)
    with_headroom = round_up(max(demand, 1) * HEADROOM)
    floor = round_up(limit + 1)
    suggested = max(with_headroom, floor, requested or 0)
    basis = {
        "usage": usage,
        "unmet": unmet,
        "peak": peak,
        "demand": demand,
        "headroom": HEADROOM,
        "with_headroom": with_headroom,
        "floor": floor,
        "requested": requested,
        "suggested": suggested,
    }
    return suggested, basis


@dataclass(frozen=True, slots=True)
class TicketDraft:
    quota_type: str
    cluster: str
    cluster_id: str | None
    region: str | None
    usage: int
    limit: int
    pending: int
    unmet: int
    recent_failures: tuple[str, ...]
    trend: Trend | None
    suggested_limit: int
    requested: int  # the figure the ticket asks for
    basis: dict[str, Any]
    reasoning: str
    text_en: str
    text_zh: str
    contact: str
    security_group: str | None = None
    where: str | None = None
    warnings: tuple[str, ...] = ()
    counted_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: Instances bound to the security group by type, from the cloud (then `usage` is their total).
    breakdown: dict[str, int] | None = None

    def figures(self) -> dict[str, Any]:
        """What is stored with the draft (and compared with later samples)."""
        return {
            "usage": self.usage,
            "limit": self.limit,
            "pending": self.pending,
            "unmet": self.unmet,
            "requested": self.requested,
            "suggested_limit": self.suggested_limit,
            "cluster_id": self.cluster_id,
            "region": self.region,
            "security_group": self.security_group,
            "recent_failures": list(self.recent_failures),
            "trend": _trend_dict(self.trend),
            "counted_at": self.counted_at.isoformat(),
            "breakdown": self.breakdown,
        }

    def as_dict(self) -> dict[str, Any]:
        """The `quota draft --json` contract ({type, usage, limit, requested, text{en,zh}}) plus details."""
        return {
            "type": self.quota_type,
            "usage": self.usage,
            "limit": self.limit,
            "requested": self.requested,
            "text": {"en": self.text_en, "zh": self.text_zh},
            "cluster": self.cluster,
            "cluster_id": self.cluster_id,
            "region": self.region,
            "security_group": self.security_group,
            "pending": self.pending,
            "unmet": self.unmet,
            "recent_failures": list(self.recent_failures),
            "trend": _trend_dict(self.trend),
            "suggested_limit": self.suggested_limit,
            "reasoning": self.reasoning,
            "contact": self.contact,
            "where": self.where,
            "warnings": list(self.warnings),
            "breakdown": self.breakdown,
        }


def _trend_dict(trend: Trend | None) -> dict[str, Any] | None:
    if trend is None:
        return None
    return {
        "first": trend.first,
        "last": trend.last,
        "peak": trend.peak,
        "samples": trend.samples,
        "days": round(trend.days, 2),
        "per_day": round(trend.per_day, 2),
    }


def quota_warning(*, quota_type: str, usage: int, limit: int, ratio: float, where: str) -> str | None:
    """A warning once usage passes `ratio` of the limit (Settings.quota_warn_ratio, 80% by default)."""
    if limit <= 0 or usage < limit * ratio:
        return None
    kind = quota_kind(quota_type)
    state = "reached" if usage >= limit else f"above {ratio:.0%}"
    return (
        f"{where}: {kind.name_en} {state}: {usage} of {limit} {kind.unit_en} ({usage * 100 // limit}%); "
        "raising it takes a support ticket (eks-doctor quota draft)"
    )


def draft_quota_ticket(
    *,
    quota_type: str,
    cluster_config: ClusterConfig,
    usage: int,
    limit: int,
    pending: int,
    recent_failures: Sequence[str],
    history: Sequence[Any],
    requested: int | None,
    contact: str,
    unmet: int = 0,
    security_group: str | None = None,
    where: str | None = None,
    warn_ratio: float = 0.8,
    now: datetime | None = None,
    breakdown: Mapping[str, int] | None = None,
) -> TicketDraft:
    """A ready-to-paste ticket in both languages, with the suggested limit and the reason for it.
    `breakdown`: what is bound to the security group by type (from the cloud; `usage` is its total)."""
    kind = quota_kind(quota_type)
    if requested is not None and requested <= limit:
        raise InputError(f"--requested {requested} is not above the current limit of {limit} {kind.unit_en}")
    now = now or datetime.now(UTC)
    trend = usage_trend(history, current=usage, now=now)
    peak = trend.peak if trend else usage
    suggested, basis = suggest_limit(usage=usage, unmet=unmet, limit=limit, peak=peak, requested=requested)
    asked = requested if requested is not None else suggested
    warnings = []
    if requested is not None and requested < basis["with_headroom"]:
        warnings.append(
            f"the requested {requested} is below the suggested {basis['with_headroom']} "
            f"(peak demand {basis['demand']} x {HEADROOM:g}); the ticket asks for {requested} as you said"
        )
    for missing, key in ((cluster_config.cluster_id, "cluster_id"), (cluster_config.region, "region")):
        if not missing:
            warnings.append(f"no {key} for cluster {cluster_config.name} in EKS_DOCTOR_CONFIG; fill it in the text")
    where_used = f"security group {security_group or '(default)'}" if security_group is not None else None
    warning = quota_warning(
        quota_type=quota_type,
        usage=usage,
        limit=limit,
        ratio=warn_ratio,
        where=where_used or f"cluster {cluster_config.name}",
    )
    if warning:
        warnings.insert(0, warning)
    facts = dict(
        kind=kind,
        cluster=cluster_config,
        usage=usage,
        limit=limit,
        pending=pending,
        unmet=unmet,
        failures=list(recent_failures)[:MAX_FAILURES],
        trend=trend,
        asked=asked,
        basis=basis,
        contact=contact,
        security_group=security_group,
        counted_at=now,
        breakdown=dict(breakdown) if breakdown is not None else None,
    )
    return TicketDraft(
        quota_type=quota_type,
        cluster=cluster_config.name,
        cluster_id=cluster_config.cluster_id,
        region=cluster_config.region,
        usage=usage,
        limit=limit,
        pending=pending,
        unmet=unmet,
        recent_failures=tuple(facts["failures"]),
        trend=trend,
        suggested_limit=suggested,
        requested=asked,
        basis=basis,
        reasoning=reasoning_en(basis, kind),
        text_en=text_en(**facts),
        text_zh=text_zh(**facts),
        contact=contact,
        security_group=security_group,
        where=where,
        warnings=tuple(warnings),
        counted_at=now,
        breakdown=facts["breakdown"],
    )
