"""offers: what a person may do next, referred to by buttons

Revision ID: 7d2e4b1c9a60
Revises: 3c1f7a9e2b5d
Create Date: 2026-11-30 09:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7d2e4b1c9a60"
down_revision: str | Sequence[str] | None = "3c1f7a9e2b5d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "offers",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("incident_id", sa.String(length=24), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("entry_id", sa.String(length=100), nullable=False),
        sa.Column("cluster", sa.String(length=128), nullable=True),
        sa.Column("namespace", sa.String(length=253), nullable=True),
        sa.Column("workload_kind", sa.String(length=64), nullable=True),
        sa.Column("workload_name", sa.String(length=253), nullable=True),
        sa.Column("details", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_offers_incident_id_incidents"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
    )
    op.create_index(op.f("ix_offers_incident_id"), "offers", ["incident_id"], unique=False)


def downgrade() -> None:
    op.drop_table("offers")
