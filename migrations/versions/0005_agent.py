"""agent: call summaries, transcript turns, tool calls, messages for the team

Revision ID: 0005_agent
Revises: 0001_initial
Create Date: 2026-11-27 14:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import receptionist.core.db

revision = "0005_agent"
down_revision = "0001_initial"
branch_labels = ("agent",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agent_call_summary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=True),
        sa.Column("caller_phone", sa.String(length=64), nullable=True),
        sa.Column("engine", sa.String(length=20), nullable=True),
        sa.Column("brain", sa.String(length=20), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("end_reason", sa.String(length=40), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("turn_count", sa.Integer(), nullable=False),
        sa.Column("latency_p50_ms", sa.Integer(), nullable=True),
        sa.Column("latency_p95_ms", sa.Integer(), nullable=True),
        sa.Column("booked", sa.Boolean(), nullable=False),
        sa.Column("message_taken", sa.Boolean(), nullable=False),
        sa.Column("transferred", sa.Boolean(), nullable=False),
        sa.Column("degraded", sa.Boolean(), nullable=False),
        sa.Column("started_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("duration_s", sa.Integer(), nullable=True),
        sa.Column("created_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_agent_call_summary_business_id_businesses"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_call_summary")),
        sa.UniqueConstraint("call_sid", name=op.f("uq_agent_call_summary_call_sid")),
    )
    with op.batch_alter_table("agent_call_summary", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agent_call_summary_business_id"), ["business_id"], unique=False
        )

    op.create_table(
        "agent_transcript_turn",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at_ms", sa.Integer(), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("interrupted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_transcript_turn")),
        sa.UniqueConstraint("call_sid", "seq", name=op.f("uq_agent_transcript_turn_call_sid_seq")),
    )
    with op.batch_alter_table("agent_transcript_turn", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agent_transcript_turn_call_sid"), ["call_sid"], unique=False
        )

    op.create_table(
        "agent_tool_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at_ms", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_tool_call")),
        sa.UniqueConstraint("call_sid", "seq", name=op.f("uq_agent_tool_call_call_sid_seq")),
    )
    with op.batch_alter_table("agent_tool_call", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_tool_call_call_sid"), ["call_sid"], unique=False)

    op.create_table(
        "agent_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("caller_phone", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("team_texted", sa.Integer(), nullable=False),
        sa.Column("created_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_agent_message_business_id_businesses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_message")),
    )
    with op.batch_alter_table("agent_message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_agent_message_business_created", ["business_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_agent_message_call_sid"), ["call_sid"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("agent_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_message_call_sid"))
        batch_op.drop_index("ix_agent_message_business_created")
    op.drop_table("agent_message")
    with op.batch_alter_table("agent_tool_call", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_tool_call_call_sid"))
    op.drop_table("agent_tool_call")
    with op.batch_alter_table("agent_transcript_turn", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_transcript_turn_call_sid"))
    op.drop_table("agent_transcript_turn")
    with op.batch_alter_table("agent_call_summary", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_call_summary_business_id"))
    op.drop_table("agent_call_summary")
