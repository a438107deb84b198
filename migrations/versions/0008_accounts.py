"""accounts: users, browser sessions, API tokens (hashed) and failed sign-in attempts

Revision ID: 0008_accounts
Revises: 0001_initial
Create Date: 2026-12-03 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from receptionist.core import UTCDateTime

revision = "0008_accounts"
down_revision = "0001_initial"
branch_labels = ("accounts",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"],
                                name=op.f("fk_accounts_user_business_id_businesses"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_user")),
        sa.UniqueConstraint("email", name=op.f("uq_accounts_user_email")),
    )
    op.create_index(op.f("ix_accounts_user_business_id"), "accounts_user", ["business_id"])
    op.create_table(
        "accounts_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["accounts_user.id"],
                                name=op.f("fk_accounts_session_user_id_accounts_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_session")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_accounts_session_key_hash")),
    )
    op.create_index(op.f("ix_accounts_session_user_id"), "accounts_session", ["user_id"])
    op.create_table(
        "accounts_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"],
                                name=op.f("fk_accounts_token_business_id_businesses"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_token")),
        sa.UniqueConstraint("business_id", "name",
                            name=op.f("uq_accounts_token_business_id_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_accounts_token_token_hash")),
    )
    op.create_table(
        "accounts_signin_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_signin_attempt")),
    )
    op.create_index("ix_accounts_signin_attempt_email_at", "accounts_signin_attempt",
                    ["email", "at"])
    op.create_index("ix_accounts_signin_attempt_address_at", "accounts_signin_attempt",
                    ["address", "at"])


def downgrade() -> None:
    op.drop_table("accounts_signin_attempt")
    op.drop_table("accounts_token")
    op.drop_table("accounts_session")
    op.drop_table("accounts_user")
