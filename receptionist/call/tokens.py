"""One-time, short-lived stream tokens: the gate in front of every media stream.

Minted inside the signature-checked ``/twilio/voice`` webhook and put in the ``<Stream>``'s
``<Parameter>``; redeemed once when the stream's ``start`` frame arrives, before any audio is
read or any model is connected. The database is the single source of truth, so the stream may
land on any instance. Redeeming is one conditional ``UPDATE`` (unused, unexpired, same CallSid),
which is atomic on SQLite and PostgreSQL: two streams presenting the same token cannot both win.

Tokens are looked up by their SHA-256; comparing digests of a 256-bit random secret leaks
nothing a timing attack could use.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update

from receptionist.call.models import StreamToken
from receptionist.core import Clock, Database

__all__ = ["StreamGrant", "StreamTokens"]

_MAX_TOKEN_CHARS = 200


@dataclass(frozen=True)
class StreamGrant:
    call_sid: str
    business_id: int
    sequence: int

    @property
    def resumed(self) -> bool:
        """An earlier stream of this call existed: the caller is coming back to the AI."""
        return self.sequence > 1


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class StreamTokens:
    def __init__(self, db: Database, clock: Clock, ttl_s: float = 60.0) -> None:
        self.db = db
        self.clock = clock
        self.ttl = timedelta(seconds=ttl_s)

    async def mint(self, call_sid: str, business_id: int) -> str:
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        async with self.db.transaction() as session:
            earlier = (await session.execute(
                select(func.count()).select_from(StreamToken)
                .where(StreamToken.call_sid == call_sid)
            )).scalar_one()
            session.add(StreamToken(token_hash=_digest(token), call_sid=call_sid,
                                    business_id=business_id, sequence=int(earlier) + 1,
                                    issued_at=now, expires_at=now + self.ttl))
        return token

    async def redeem(self, token: str | None, call_sid: str) -> StreamGrant | None:
        """The grant for a valid token, consuming it; None for anything else."""
        if not token or len(token) > _MAX_TOKEN_CHARS or not call_sid:
            return None
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = (await session.execute(
                update(StreamToken)
                .where(StreamToken.token_hash == _digest(token),
                       StreamToken.call_sid == call_sid,
                       StreamToken.used_at.is_(None),
                       StreamToken.expires_at > now)
                .values(used_at=now)
                .returning(StreamToken.business_id, StreamToken.sequence)
            )).first()
        if row is None:
            return None
        return StreamGrant(call_sid, int(row[0]), int(row[1]))

    async def purge(self, older_than: timedelta = timedelta(days=1)) -> int:
        """Delete tokens that expired long ago (housekeeping; any instance may run it)."""
        async with self.db.transaction() as session:
            result = await session.execute(
                delete(StreamToken).where(StreamToken.expires_at < self.clock.now() - older_than)
            )
        return int(getattr(result, "rowcount", 0) or 0)
