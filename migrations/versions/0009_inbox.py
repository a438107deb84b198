"""owner pages: when the owner last read a caller's thread and marked it handled; crawl jobs;
indexes for a business's calls and texts by time

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
    op.create_table(
        "web_crawl_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("last_url", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("started_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_web_crawl_job_business_id"), "web_crawl_job", ["business_id"], unique=False)
    op.create_index("ix_textback_message_kind", "textback_message", ["business_id", "kind", "created_at"], unique=False)
    op.create_index("ix_calls_business_started", "calls", ["business_id", "started_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_calls_business_started", table_name="calls")
    op.drop_index("ix_textback_message_kind", table_name="textback_message")
    op.drop_index(op.f("ix_web_crawl_job_business_id"), table_name="web_crawl_job")
    op.drop_table("web_crawl_job")
    with op.batch_alter_table("textback_contact") as batch:
        batch.drop_column("handled_at")
        batch.drop_column("read_at")
