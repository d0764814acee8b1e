"""initial schema: incidents, matches, findings, timeline, actions, tickets, feedback, deliveries, usage

Revision ID: 3c1f7a9e2b5d
Revises:
Create Date: 2026-11-25 19:20:22+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "3c1f7a9e2b5d"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _serial() -> sa.Column:
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False)


def _ts(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id(name: str = "id", *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(length=24), nullable=nullable)


def _incident_fk(table: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["incident_id"], ["incidents.id"], name=op.f(f"fk_{table}_incident_id_incidents"), ondelete=ondelete
    )


def _index(table: str, *columns: str) -> None:
    op.create_index(op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns), unique=False)


def upgrade() -> None:
    op.create_table(
        "incidents",
        _id(),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("slack_channel", sa.String(length=64), nullable=True),
        sa.Column("slack_thread_ts", sa.String(length=64), nullable=True),
        sa.Column("reporter", sa.String(length=128), nullable=True),
        sa.Column("symptom", sa.Text(), nullable=False),
        sa.Column("cluster", sa.String(length=128), nullable=True),
        sa.Column("namespace", sa.String(length=253), nullable=True),
        sa.Column("workload", sa.String(length=300), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("mitigated_at", nullable=True),
        _ts("resolved_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint(
            "slack_channel", "slack_thread_ts", name=op.f("uq_incidents_slack_channel_slack_thread_ts")
        ),
    )
    _index("incidents", "created_at")
    _index("incidents", "status", "created_at")

    op.create_table(
        "usage_samples",
        _serial(),
        sa.Column("cluster", sa.String(length=128), nullable=False),
        sa.Column("quota_type", sa.String(length=64), nullable=False),
        sa.Column("usage", sa.Integer(), nullable=False),
        sa.Column("quota_limit", sa.Integer(), nullable=False),
        _ts("sampled_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_samples")),
    )
    _index("usage_samples", "cluster", "quota_type", "sampled_at")

    op.create_table(
        "actions",
        _id(),
        _id("incident_id", nullable=True),
        sa.Column("entry_id", sa.String(length=100), nullable=False),
        sa.Column("cluster", sa.String(length=128), nullable=True),
        sa.Column("namespace", sa.String(length=253), nullable=True),
        sa.Column("workload_kind", sa.String(length=64), nullable=False),
        sa.Column("workload_name", sa.String(length=253), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("before", _json(), nullable=False),
        sa.Column("after", _json(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("dry_run", _json(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        _id("undo_of", nullable=True),
        _id("undone_by", nullable=True),
        _ts("undone_at", nullable=True),
        sa.Column("request_key", sa.String(length=200), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        _incident_fk("actions", "SET NULL"),
        sa.ForeignKeyConstraint(
            ["undo_of"], ["actions.id"], name=op.f("fk_actions_undo_of_actions"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["undone_by"], ["actions.id"], name=op.f("fk_actions_undone_by_actions"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
        sa.UniqueConstraint("request_key", name=op.f("uq_actions_request_key")),
    )
    _index("actions", "created_at")
    _index("actions", "incident_id")
    _index("actions", "status")

    op.create_table(
        "incident_events",
        _serial(),
        _id("incident_id"),
        _ts("at"),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("data", _json(), nullable=True),
        _incident_fk("incident_events", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_events")),
    )
    _index("incident_events", "incident_id", "at")

    op.create_table(
        "incident_findings",
        _serial(),
        _id("incident_id"),
        sa.Column("entry_id", sa.String(length=100), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("workload_kind", sa.String(length=64), nullable=True),
        sa.Column("workload_namespace", sa.String(length=253), nullable=True),
        sa.Column("workload_name", sa.String(length=253), nullable=True),
        sa.Column("evidence", _json(), nullable=False),
        sa.Column("checks", _json(), nullable=False),
        _ts("created_at"),
        _incident_fk("incident_findings", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_findings")),
    )
    _index("incident_findings", "entry_id")
    _index("incident_findings", "incident_id")

    op.create_table(
        "incident_matches",
        _serial(),
        _id("incident_id"),
        sa.Column("entry_id", sa.String(length=100), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        _ts("created_at"),
        _incident_fk("incident_matches", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_matches")),
        sa.UniqueConstraint("incident_id", "entry_id", name=op.f("uq_incident_matches_incident_id_entry_id")),
    )
    _index("incident_matches", "entry_id")

    op.create_table(
        "match_feedback",
        _serial(),
        _id("incident_id"),
        sa.Column("entry_id", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("vote", sa.String(length=16), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        _incident_fk("match_feedback", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_feedback")),
        sa.UniqueConstraint(
            "incident_id", "entry_id", "user_id", name=op.f("uq_match_feedback_incident_id_entry_id_user_id")
        ),
    )
    _index("match_feedback", "entry_id")

    op.create_table(
        "processed_deliveries",
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("delivery_id", sa.String(length=200), nullable=False),
        _id("incident_id", nullable=True),
        _ts("received_at"),
        _incident_fk("processed_deliveries", "SET NULL"),
        sa.PrimaryKeyConstraint("source", "delivery_id", name=op.f("pk_processed_deliveries")),
    )
    _index("processed_deliveries", "incident_id")
    _index("processed_deliveries", "received_at")

    op.create_table(
        "ticket_drafts",
        _id(),
        _id("incident_id", nullable=True),
        sa.Column("ticket_type", sa.String(length=64), nullable=False),
        sa.Column("cluster", sa.String(length=128), nullable=True),
        sa.Column("figures", _json(), nullable=False),
        sa.Column("text", _json(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=True),
        sa.Column("request_key", sa.String(length=200), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        _incident_fk("ticket_drafts", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_drafts")),
        sa.UniqueConstraint("request_key", name=op.f("uq_ticket_drafts_request_key")),
    )
    _index("ticket_drafts", "incident_id")


def downgrade() -> None:
    # Children first; dropping a table drops its indexes on both dialects.
    for table in (
        "ticket_drafts",
        "processed_deliveries",
        "match_feedback",
        "incident_matches",
        "incident_findings",
        "incident_events",
        "actions",
        "usage_samples",
        "incidents",
    ):
        op.drop_table(table)
