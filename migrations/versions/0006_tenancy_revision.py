"""tenancy revision: one counter row that tells every process when its cached businesses are stale

Revision ID: 0006_tenancy_revision
Revises: 0001_initial
Create Date: 2026-11-27 17:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_tenancy_revision"
down_revision = "0001_initial"
branch_labels = ("tenancy",)
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "tenancy_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenancy_revision")),
    )
    op.bulk_insert(table, [{"id": 1, "revision": 0}])


def downgrade() -> None:
    op.drop_table("tenancy_revision")
