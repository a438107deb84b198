"""Accounts tables: users, browser sessions, API tokens, sign-in attempts.

Secrets are never stored: passwords as argon2 hashes, session keys and API tokens as SHA-256
digests of high-entropy random values (a digest is enough for those; a leaked table gives
nothing to replay).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from receptionist.core import Base, UTCDateTime, utcnow

__all__ = ["ApiToken", "SignInAttempt", "User", "UserSession"]


class User(Base):
    __tablename__ = "accounts_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # owner | staff | admin
    # None only for operators (role admin), who see every business.
    business_id: Mapped[int | None] = mapped_column(
        ForeignKey("businesses.id", ondelete="CASCADE"), index=True, default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UserSession(Base):
    """A signed-in browser. The cookie carries the key (signed); the row makes sign-out and a
    password change end the session on every instance."""

    __tablename__ = "accounts_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiToken(Base):
    __tablename__ = "accounts_token"
    __table_args__ = (UniqueConstraint("business_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SignInAttempt(Base):
    """One failed sign-in; counted per email and per client address over a window, in the
    database so every instance applies the same limit."""

    __tablename__ = "accounts_signin_attempt"
    __table_args__ = (
        Index("ix_accounts_signin_attempt_email_at", "email", "at"),
        Index("ix_accounts_signin_attempt_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
