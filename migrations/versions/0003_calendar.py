"""calendar: connections, calendars, services, booking rules and bookings

Revision ID: 0003_calendar
Revises: 0001_initial
Create Date: 2026-11-27 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import receptionist.core.db

revision = "0003_calendar"
down_revision = "0001_initial"
branch_labels = ("calendar",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_connection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("password_encrypted", sa.Text(), nullable=True),
        sa.Column("created_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"], ondelete="CASCADE",
                                name=op.f("fk_calendar_connection_business_id_businesses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_connection")),
        sa.UniqueConstraint("business_id", "kind", "url", "username",
                            name=op.f("uq_calendar_connection_business_id_kind_url_username")),
    )
    op.create_index(op.f("ix_calendar_connection_business_id"), "calendar_connection",
                    ["business_id"], unique=False)

    op.create_table(
        "calendar_calendar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("href", sa.String(length=1000), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("selected", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"], ondelete="CASCADE",
                                name=op.f("fk_calendar_calendar_business_id_businesses")),
        sa.ForeignKeyConstraint(
            ["connection_id"], ["calendar_connection.id"], ondelete="CASCADE",
            name=op.f("fk_calendar_calendar_connection_id_calendar_connection")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_calendar")),
        sa.UniqueConstraint("connection_id", "href",
                            name=op.f("uq_calendar_calendar_connection_id_href")),
    )
    op.create_index(op.f("ix_calendar_calendar_business_id"), "calendar_calendar",
                    ["business_id"], unique=False)

    op.create_table(
        "calendar_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_before_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_after_minutes", sa.Integer(), nullable=False),
        sa.Column("calendars", sa.JSON(), nullable=False),
        sa.Column("created_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"], ondelete="CASCADE",
                                name=op.f("fk_calendar_service_business_id_businesses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_service")),
        sa.UniqueConstraint("business_id", "key", name=op.f("uq_calendar_service_business_id_key")),
    )
    op.create_index(op.f("ix_calendar_service_business_id"), "calendar_service",
                    ["business_id"], unique=False)

    op.create_table(
        "calendar_policy",
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("notice_minutes", sa.Integer(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"], ondelete="CASCADE",
                                name=op.f("fk_calendar_policy_business_id_businesses")),
        sa.PrimaryKeyConstraint("business_id", name=op.f("pk_calendar_policy")),
    )

    op.create_table(
        "calendar_booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=255), nullable=True),
        sa.Column("calendar_id", sa.Integer(), nullable=True),
        sa.Column("href", sa.String(length=1000), nullable=True),
        sa.Column("etag", sa.String(length=255), nullable=True),
        sa.Column("service", sa.String(length=120), nullable=False),
        sa.Column("start_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("caller_name", sa.String(length=200), nullable=False),
        sa.Column("caller_phone", sa.String(length=32), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"], ondelete="CASCADE",
                                name=op.f("fk_calendar_booking_business_id_businesses")),
        sa.ForeignKeyConstraint(
            ["calendar_id"], ["calendar_calendar.id"], ondelete="SET NULL",
            name=op.f("fk_calendar_booking_calendar_id_calendar_calendar")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_booking")),
        sa.UniqueConstraint("uid", name=op.f("uq_calendar_booking_uid")),
    )
    op.create_index("ix_calendar_booking_caller", "calendar_booking",
                    ["business_id", "caller_phone", "start_at"], unique=False)
    op.create_index("ix_calendar_booking_status", "calendar_booking",
                    ["business_id", "status", "start_at"], unique=False)
    op.create_index(op.f("ix_calendar_booking_call_sid"), "calendar_booking", ["call_sid"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_calendar_booking_call_sid"), table_name="calendar_booking")
    op.drop_index("ix_calendar_booking_status", table_name="calendar_booking")
    op.drop_index("ix_calendar_booking_caller", table_name="calendar_booking")
    op.drop_table("calendar_booking")
    op.drop_table("calendar_policy")
    op.drop_index(op.f("ix_calendar_service_business_id"), table_name="calendar_service")
    op.drop_table("calendar_service")
    op.drop_index(op.f("ix_calendar_calendar_business_id"), table_name="calendar_calendar")
    op.drop_table("calendar_calendar")
    op.drop_index(op.f("ix_calendar_connection_business_id"), table_name="calendar_connection")
    op.drop_table("calendar_connection")
