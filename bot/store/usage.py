"""Quota usage samples over time (pods per cluster, instances per security group) for trend figures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bot.store.engine import Store
from bot.store.models import UsageSampleRow
from bot.store.records import UsageSample
from bot.store.types import utcnow


def record_usage_sample(
    store: Store, *, cluster: str, quota_type: str, usage: int, limit: int, at: datetime | None = None
) -> None:
    store.run(
        lambda session: session.execute(
            insert(UsageSampleRow).values(
                cluster=cluster, quota_type=quota_type, usage=int(usage), limit=int(limit), sampled_at=at or utcnow()
            )
        ),
        what="record a usage sample",
    )


def usage_history(
    store: Store, *, cluster: str, quota_type: str, since: datetime | None = None, limit: int = 1000
) -> list[UsageSample]:
    """Oldest first (the order a trend is drawn in); at most the newest `limit` samples."""

    def work(session: Session) -> list[UsageSample]:
        query = (
            select(UsageSampleRow)
            .where(UsageSampleRow.cluster == cluster, UsageSampleRow.quota_type == quota_type)
            .order_by(UsageSampleRow.sampled_at.desc(), UsageSampleRow.id.desc())
            .limit(max(1, limit))
        )
        if since is not None:
            query = query.where(UsageSampleRow.sampled_at >= since)
        rows = list(session.scalars(query))
        return [UsageSample(r.cluster, r.quota_type, r.usage, r.limit, r.sampled_at) for r in reversed(rows)]

    return store.run(work, what="read usage history")
