"""inbox: when the owner last read a caller's thread and when they marked it handled

Revision ID: 0009_inbox
Revises: 0001_initial
Create Date: 2026-12-03 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import receptionist.core.db

revision = "0009_inbox"
down_revision = "0001_initial"
branch_labels = ("inbox",)
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("textback_contact") as batch:
        batch.add_column(sa.Column("read_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("handled_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("textback_contact") as batch:
        batch.drop_column("handled_at")
        batch.drop_column("read_at")
