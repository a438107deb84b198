"""call stream end: a call that ends while its media stream is live is decided by the stream's end

Revision ID: 0007_call_stream_end
Revises: 0001_initial
Create Date: 2026-11-27 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_call_stream_end"
down_revision = "0001_initial"
branch_labels = ("calls",)
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("stream_ended", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("ended_status", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("ended_status")
        batch.drop_column("stream_ended")
