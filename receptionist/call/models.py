"""Media-stream tables: the one-time tokens that let a Twilio stream in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from receptionist.core import Base, UTCDateTime, utcnow

__all__ = ["ENGINE_CHOICES", "BusinessVoice", "StreamToken", "choose_engine"]

ENGINE_CHOICES = ("realtime", "pipeline", "default")


class StreamToken(Base):
    """A token minted in a signed ``/twilio/voice`` webhook for one call's ``<Stream>``.

    Only its SHA-256 is stored. It is redeemed at most once (``used_at``), before ``expires_at``,
    by a stream whose ``start.callSid`` is ``call_sid``. ``sequence`` counts the streams of the
    call: 2 and up mean the caller came back to the AI (after a transfer nobody answered).
    """

    __tablename__ = "media_stream_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    call_sid: Mapped[str] = mapped_column(String(64), index=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class BusinessVoice(Base):
    """A business's choice of conversation engine, when it differs from the deployment's
    default (``RECEPTIONIST_VOICE_ENGINE``): "realtime" or "pipeline"."""

    __tablename__ = "media_business_voice"

    business_id: Mapped[int] = mapped_column(
        ForeignKey("businesses.id", ondelete="CASCADE"), primary_key=True)
    engine: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


async def choose_engine(session: AsyncSession, business_id: int, engine: str | None,
                        now: datetime) -> str | None:
    """Set (``realtime``/``pipeline``), clear (``default``) or, with ``None``, just read the
    business's engine choice; returns the choice, ``None`` meaning the deployment's default."""
    if engine is not None and engine not in ENGINE_CHOICES:
        raise ValueError(f"engine must be one of {', '.join(ENGINE_CHOICES)}")
    choice = await session.get(BusinessVoice, business_id)
    if engine == "default" and choice is not None:
        await session.delete(choice)
        return None
    if engine in ("realtime", "pipeline"):
        if choice is None:
            choice = BusinessVoice(business_id=business_id, engine=engine)
            session.add(choice)
        choice.engine = engine
        choice.updated_at = now
    return choice.engine if choice is not None else None
