"""Knowledge tables: the site of a business (profile as extracted, the owner's own edits, the
last crawl), its pages (with what each says, for re-crawls) and the searchable chunks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from receptionist.core import Base, UTCDateTime, utcnow

__all__ = ["KnowledgeChunk", "KnowledgePage", "KnowledgeSite"]


class KnowledgeSite(Base):
    """One per business. ``extracted`` is the profile the crawl found; ``owner`` holds the
    owner's edits to profile parts that have no Business column (services, FAQs, phone), kept
    apart so a re-crawl never overwrites them. ``generation`` changes whenever the chunks do,
    so every app instance knows when its in-memory index is stale."""

    __tablename__ = "knowledge_site"

    business_id: Mapped[int] = mapped_column(
        ForeignKey("businesses.id", ondelete="CASCADE"), primary_key=True)
    root_url: Mapped[str] = mapped_column(Text)
    extracted: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    owner: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_crawl: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    crawled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KnowledgePage(Base):
    __tablename__ = "knowledge_page"
    __table_args__ = (UniqueConstraint("business_id", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(8), default="html")
    etag: Mapped[str | None] = mapped_column(String(256), default=None)
    last_modified: Mapped[str | None] = mapped_column(String(64), default=None)
    content_hash: Mapped[str] = mapped_column(String(64))
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KnowledgeChunk(Base):
    __tablename__ = "knowledge_chunk"
    __table_args__ = (Index("ix_knowledge_chunk_business", "business_id", "page_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    page_id: Mapped[int] = mapped_column(ForeignKey("knowledge_page.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    embedder: Mapped[str | None] = mapped_column(String(80), default=None)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
