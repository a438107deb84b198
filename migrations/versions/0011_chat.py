"""chat: a text conversation in progress (who it is with, the local brain's memory between turns)

Its transcript, tools and summary are stored in the agent's tables like a call's.

Revision ID: 0011_chat
Revises: 0001_initial
Create Date: 2026-12-03 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_chat"
down_revision = "0001_initial"
branch_labels = ("chat",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("caller_phone", sa.String(length=64), nullable=True),
        sa.Column("dialog", sa.JSON(), nullable=True),
        sa.Column("turn_count", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"],
                                name=op.f("fk_chat_conversation_business_id_businesses"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_conversation")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_chat_conversation_conversation_id")),
    )
    op.create_index(op.f("ix_chat_conversation_business_id"), "chat_conversation",
                    ["business_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_chat_conversation_business_id"), table_name="chat_conversation")
    op.drop_table("chat_conversation")
