"""turn stages: where each answer's wait went (end-of-utterance, STT, brain, first TTS chunk)

Revision ID: 0012_turn_stages
Revises: 0001_initial
Create Date: 2026-12-03 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_turn_stages"
down_revision = "0001_initial"
branch_labels = ("turns",)
depends_on = "0005_agent"  # the columns go on agent_transcript_turn

_COLUMNS = ("eou_ms", "stt_ms", "brain_ms", "tts_ms")


def upgrade() -> None:
    with op.batch_alter_table("agent_transcript_turn") as batch:
        for name in _COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agent_transcript_turn") as batch:
        for name in reversed(_COLUMNS):
            batch.drop_column(name)
