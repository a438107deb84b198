"""Media-stream tables: the one-time tokens that let a Twilio stream in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from receptionist.core import Base, UTCDateTime, utcnow

__all__ = ["BusinessVoice", "StreamToken"]


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
