"""knowledge: website, pages, searchable chunks

Revision ID: 0002_knowledge
Revises: 0001_initial
Create Date: 2026-11-27 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import receptionist.core.db

revision = "0002_knowledge"
down_revision = "0001_initial"
branch_labels = ("knowledge",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_site",
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("root_url", sa.Text(), nullable=False),
        sa.Column("extracted", sa.JSON(), nullable=False),
        sa.Column("owner", sa.JSON(), nullable=False),
        sa.Column("last_crawl", sa.JSON(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("crawled_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"],
            name=op.f("fk_knowledge_site_business_id_businesses"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("business_id", name=op.f("pk_knowledge_site")),
    )
    op.create_table(
        "knowledge_page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("etag", sa.String(length=256), nullable=True),
        sa.Column("last_modified", sa.String(length=64), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("fetched_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_at", receptionist.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"],
            name=op.f("fk_knowledge_page_business_id_businesses"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_page")),
        sa.UniqueConstraint("business_id", "url", name=op.f("uq_knowledge_page_business_id_url")),
    )
    op.create_table(
        "knowledge_chunk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("heading", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("embedder", sa.String(length=80), nullable=True),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"],
            name=op.f("fk_knowledge_chunk_business_id_businesses"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["page_id"], ["knowledge_page.id"],
            name=op.f("fk_knowledge_chunk_page_id_knowledge_page"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_chunk")),
    )
    with op.batch_alter_table("knowledge_chunk", schema=None) as batch_op:
        batch_op.create_index("ix_knowledge_chunk_business", ["business_id", "page_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("knowledge_chunk", schema=None) as batch_op:
        batch_op.drop_index("ix_knowledge_chunk_business")
    op.drop_table("knowledge_chunk")
    op.drop_table("knowledge_page")
    op.drop_table("knowledge_site")
