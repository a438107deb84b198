"""API tokens: ``Authorization: Bearer <token>``, each acting for one business.

A token is shown once when created; only its SHA-256 digest is stored (the token has 256 bits
of randomness, so a digest is as good as a slow hash and costs nothing per request).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from receptionist.accounts.errors import AccountExists, AccountInputError, AccountNotFound
from receptionist.accounts.models import ApiToken
from receptionist.core import Database, get_business
from receptionist.core.principal import Principal, PrincipalKind, Role

__all__ = ["ApiTokens", "NewToken", "TokenInfo", "digest"]

TOKEN_PREFIX = "rcp_"  # recognisable in logs and secret scanners
MAX_TOKEN_LENGTH = 200


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    business_id: int
    created_at: datetime

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "business_id": self.business_id,
                "created_at": self.created_at.isoformat()}


@dataclass(frozen=True)
class NewToken:
    token: str  # shown once, never stored
    info: TokenInfo

    def to_json(self) -> dict[str, object]:
        return {"token": self.token, "name": self.info.name, "business_id": self.info.business_id}


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(row.id, row.name, row.business_id, row.created_at)


class ApiTokens:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, business: str | int, name: str) -> NewToken:
        name = name.strip()
        if not 1 <= len(name) <= 100:
            raise AccountInputError("a token name needs 1 to 100 characters")
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        try:
            async with self.db.transaction() as session:
                biz = await get_business(session, business)
                row = ApiToken(business_id=biz.id, name=name, token_hash=digest(raw))
                session.add(row)
                await session.flush()
                info = _info(row)
        except IntegrityError as exc:
            raise AccountExists(f"business {business} already has a token named {name!r}; "
                                "revoke it first or pick another name") from exc
        return NewToken(raw, info)

    async def list(self, business: str | int | None = None) -> list[TokenInfo]:
        async with self.db.transaction() as session:
            stmt = select(ApiToken).order_by(ApiToken.id)
            if business is not None:
                stmt = stmt.where(ApiToken.business_id == (await get_business(session,
                                                                              business)).id)
            return [_info(row) for row in (await session.execute(stmt)).scalars()]

    async def revoke(self, ref: str, business: str | int | None = None) -> TokenInfo:
        """Revoke by id, or by name (with ``business`` when several businesses use the name)."""
        async with self.db.transaction() as session:
            stmt = select(ApiToken)
            if business is not None:
                stmt = stmt.where(ApiToken.business_id == (await get_business(session,
                                                                              business)).id)
            text = ref.strip()
            by_id = text.isascii() and text.isdigit() and len(text) < 12  # "²" is no id
            stmt = stmt.where(ApiToken.id == int(text) if by_id else ApiToken.name == text)
            rows = list((await session.execute(stmt)).scalars())
            if not rows:
                raise AccountNotFound(f"no token {ref!r}; see `receptionist token list`")
            if len(rows) > 1:
                raise AccountInputError(f"several businesses have a token named {ref!r}; "
                                        "give --business or the token's id")
            await session.delete(rows[0])
            return _info(rows[0])

    async def principal_for(self, raw: str) -> Principal | None:
        """The principal a bearer token acts as, or None for an unknown or revoked token."""
        if not raw.startswith(TOKEN_PREFIX) or len(raw) > MAX_TOKEN_LENGTH:
            return None
        async with self.db.transaction() as session:
            row = (await session.execute(
                select(ApiToken).where(ApiToken.token_hash == digest(raw)))).scalars().first()
        if row is None:
            return None
        return Principal(kind=PrincipalKind.TOKEN, role=Role.OWNER, subject=row.name,
                         business_id=row.business_id, token_id=row.id)
