"""One-time, short-lived stream tokens: the gate in front of every media stream.

Minted inside the signature-checked ``/twilio/voice`` webhook and put in the ``<Stream>``'s
``<Parameter>``; redeemed once when the stream's ``start`` frame arrives, before any audio is
read or any model is connected. The database is the single source of truth, so the stream may
land on any instance. Redeeming is one conditional ``UPDATE`` (unused, unexpired, same CallSid),
which is atomic on SQLite and PostgreSQL: two streams presenting the same token cannot both win.

Tokens are looked up by their SHA-256; comparing digests of a 256-bit secret leaks nothing a
timing attack could use.

A call's stream *n* has one token, derived from the app secret (HMAC of the CallSid and *n*), so
a replayed ``/twilio/voice`` gets the same token again, never a fresh one: before the stream
started it is the token Twilio's retry needs, after that a spent one. A new token (stream *n+1*)
is minted only when a new stream is expected (the caller comes back to the AI after a transfer)
and the last one was used. Every instance derives the same token from the shared secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update

from receptionist.call.models import StreamToken
from receptionist.core import Clock, Database, insert_ignore

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
    def __init__(self, db: Database, clock: Clock, ttl_s: float = 60.0, *,
                 secret: bytes | None = None) -> None:
        """``secret``: the app's secret key, shared by every instance (a random one, good for
        this process only, when not given)."""
        self.db = db
        self.clock = clock
        self.ttl = timedelta(seconds=ttl_s)
        self._key = hmac.new(secret or secrets.token_bytes(32), b"stream-token",
                             hashlib.sha256).digest()

    def _token(self, call_sid: str, sequence: int) -> str:
        mac = hmac.new(self._key, f"{call_sid}:{sequence}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")

    async def mint(self, call_sid: str, business_id: int, *, new_stream: bool = False) -> str:
        """The token for this call's current stream: the existing one when the webhook is
        replayed or retried; a new one only for the first stream, or with ``new_stream`` (the
        caller comes back to the AI) once the last token was used."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            latest = (await session.execute(
                select(StreamToken.sequence, StreamToken.used_at)
                .where(StreamToken.call_sid == call_sid)
                .order_by(StreamToken.sequence.desc())
                .limit(1)
            )).first()
            if latest is not None and not (new_stream and latest.used_at is not None):
                return self._token(call_sid, int(latest.sequence))
            sequence = 1 if latest is None else int(latest.sequence) + 1
            token = self._token(call_sid, sequence)
            # Two instances answering the same retry derive the same token: one row.
            await session.execute(
                insert_ignore(session.get_bind().dialect.name, StreamToken, ["token_hash"])
                .values(token_hash=_digest(token), call_sid=call_sid, business_id=business_id,
                        sequence=sequence, issued_at=now, expires_at=now + self.ttl))
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
