"""calendar service origin: services taken from the website are bookable, marked for the owner to check

Revision ID: 0013_calendar_service_origin
Revises: 0003_calendar
Create Date: 2026-12-03 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_calendar_service_origin"
down_revision = "0003_calendar"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calendar_service") as batch:
        batch.add_column(sa.Column("origin", sa.String(length=16), nullable=False,
                                   server_default="owner"))


def downgrade() -> None:
    with op.batch_alter_table("calendar_service") as batch:
        batch.drop_column("origin")
