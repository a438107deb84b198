"""textback compliance: the STOP notice on a first text and quiet hours for text-backs

Revision ID: 0010_textback_compliance
Revises: 0001_initial
Create Date: 2026-12-03 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_textback_compliance"
down_revision = "0001_initial"
branch_labels = ("compliance",)
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("businesses") as batch:
        batch.add_column(sa.Column("textback_stop_notice", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
        batch.add_column(sa.Column("textback_quiet_hours", sa.String(length=11), nullable=True))
    with op.batch_alter_table("textback_contact") as batch:
        batch.add_column(sa.Column("stop_notice_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("textback_message") as batch:
        batch.add_column(sa.Column("held_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("textback_message") as batch:
        batch.drop_column("held_until")
    with op.batch_alter_table("textback_contact") as batch:
        batch.drop_column("stop_notice_at")
    with op.batch_alter_table("businesses") as batch:
        batch.drop_column("textback_quiet_hours")
        batch.drop_column("textback_stop_notice")
