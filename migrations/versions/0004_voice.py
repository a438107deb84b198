"""voice: one-time media stream tokens, each business's engine

Revision ID: 0004_voice
Revises: 0001_initial
Create Date: 2026-11-27 14:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import receptionist.core.db

revision = "0004_voice"
down_revision = "0001_initial"
branch_labels = ("voice",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media_stream_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("issued_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"],
                                name=op.f("fk_media_stream_token_business_id_businesses"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_stream_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_media_stream_token_token_hash")),
    )
    with op.batch_alter_table("media_stream_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_media_stream_token_call_sid"), ["call_sid"],
                              unique=False)
    op.create_table(
        "media_business_voice",
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("engine", sa.String(length=20), nullable=False),
        sa.Column("updated_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"],
                                name=op.f("fk_media_business_voice_business_id_businesses"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("business_id", name=op.f("pk_media_business_voice")),
    )


def downgrade() -> None:
    op.drop_table("media_business_voice")
    with op.batch_alter_table("media_stream_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_stream_token_call_sid"))
    op.drop_table("media_stream_token")
