"""Calendar settings (prefix ``RECEPTIONIST_CALENDAR_``), read once by the composition root.

They sit here rather than in the kernel's ``Settings`` because only this subsystem uses them;
``calendar_config(settings)`` combines them with the kernel's data directory and secret key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from receptionist.core import Settings, SettingsError

__all__ = ["CalendarConfig", "CalendarSettings", "calendar_config"]


class CalendarSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RECEPTIONIST_CALENDAR_", env_file=None,
                                      extra="ignore")

    embedded: bool = Field(True, description="Use the embedded Radicale calendar for businesses "
                           "that have not connected one.")
    embedded_host: str = "127.0.0.1"
    embedded_port: Annotated[int, Field(ge=0, le=65535)] = Field(
        5232, description="0 = any free port. A taken port falls back to a free one.")
    embedded_dir: Path | None = Field(None, description="Default: <data_dir>/calendars")
    embedded_public_url: str = Field(
        "", description="The embedded calendar's address as phones reach it (behind a proxy).")
    embedded_autostart: bool = Field(
        False, description="Start the embedded server with the app (for phones that sync with "
        "it) instead of on first use.")
    timeout_s: Annotated[float, Field(gt=0, le=60)] = Field(
        5.0, description="Per CalDAV request; a caller is waiting.")
    busy_cache_s: Annotated[float, Field(ge=0, le=600)] = Field(
        30.0, description="How long busy time is reused between questions in one call.")
    verify_after_write: bool = Field(
        True, description="Re-read the slot after writing a booking so two app instances "
        "racing for one slot end with one booking.")
    notice_minutes: Annotated[int, Field(ge=0)] = 60
    horizon_days: Annotated[int, Field(ge=1, le=730)] = 60
    slot_minutes: Annotated[int, Field(ge=1, le=240)] = 15
    allow_private: bool = Field(
        False, description="Let owners connect CalDAV servers on private, loopback or "
        "link-local addresses (development, or a server on this machine's network).")


@dataclass(frozen=True)
class CalendarConfig:
    """Everything ``CalendarService`` needs to know, already resolved."""

    embedded: bool
    embedded_dir: Path
    embedded_host: str
    embedded_port: int
    embedded_public_url: str
    timeout_s: float
    busy_cache_s: float
    verify_after_write: bool
    notice_minutes: int
    horizon_days: int
    slot_minutes: int
    embedded_autostart: bool = False
    allow_private: bool = False   # user-connected servers may be on private addresses


def calendar_config(settings: Settings, **overrides: Any) -> CalendarConfig:
    try:
        cs = CalendarSettings(**overrides)
    except ValidationError as exc:
        lines = [f"RECEPTIONIST_CALENDAR_{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}"
                 for e in exc.errors()]
        raise SettingsError("Invalid settings:\n  " + "\n  ".join(lines)) from exc
    return CalendarConfig(
        embedded=cs.embedded, embedded_dir=cs.embedded_dir or settings.data_dir / "calendars",
        embedded_host=cs.embedded_host, embedded_port=cs.embedded_port,
        embedded_public_url=cs.embedded_public_url, timeout_s=cs.timeout_s,
        busy_cache_s=cs.busy_cache_s, verify_after_write=cs.verify_after_write,
        notice_minutes=cs.notice_minutes, horizon_days=cs.horizon_days,
        slot_minutes=cs.slot_minutes, embedded_autostart=cs.embedded_autostart,
        allow_private=cs.allow_private,
    )
