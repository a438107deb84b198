"""Settings: every knob of the product, read once from the environment (prefix ``RECEPTIONIST_``).

The composition root builds one :class:`Settings` and passes it down; nothing else reads the
environment. A wrong value fails at start-up with a message that names the setting.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "SettingsError", "SmsProvider", "load_settings"]


class SmsProvider(StrEnum):
    TWILIO = "twilio"
    CONSOLE = "console"


class SettingsError(Exception):
    """A setting is missing or wrong; the message names it and says how to fix it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RECEPTIONIST_", env_file=None, extra="ignore", validate_default=True
    )

    data_dir: Path = Field(Path("data"), description="Where embedded defaults keep their files.")
    database_url: str = Field(
        "", description="Async SQLAlchemy URL; default sqlite+aiosqlite:///<data_dir>/receptionist.db"
    )
    public_url: str = Field(
        "", description="The URL Twilio reaches this app at; webhook signatures are checked on "
        "it. Default http://<host>:<port>.",
    )
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    secret_key: SecretStr | None = Field(
        None, description="Encrypts secrets at rest and signs stream tokens. Generated in data_dir "
        "when unset (development only)."
    )
    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr | None = None
    twilio_api_base: str = Field(
        "", description="Overrides https://api.twilio.com (tests and local doubles)."
    )
    sms_provider: SmsProvider | None = Field(
        None, description="twilio or console; console when no Twilio credentials are set."
    )
    sms_status_callbacks: bool = True
    outbox_poll_s: Annotated[float, Field(gt=0, le=60)] = 1.0
    outbox_max_attempts: Annotated[int, Field(ge=1, le=20)] = 6
    outbox_backoff_base_s: Annotated[float, Field(gt=0, le=600)] = 2.0
    outbox_concurrency: Annotated[int, Field(ge=1, le=256)] = 16
    outbox_send_timeout_s: Annotated[float, Field(gt=0, le=120)] = 10.0
    outbox_stale_sending_s: Annotated[float, Field(gt=0)] = 60.0
    workers_enabled: bool = Field(True, description="Run the outbox worker inside the app.")
    demo: bool = Field(True, description="Offer a demo business when none is configured.")
    session_ttl_hours: Annotated[int, Field(ge=1, le=24 * 90)] = Field(
        168, description="How long a browser stays signed in (the session cookie's lifetime)."
    )
    openai_api_key: SecretStr | None = None
    openai_base_url: str = ""
    crawl_allow_private: bool = False
    log_level: str = "INFO"
    log_json: bool = False
    # voice settings
    voice_engine: str = Field(
        "auto", pattern="^(auto|realtime|pipeline)$",
        description="auto: realtime when an OpenAI key is set, else pipeline on local engines.",
    )
    voice_providers: str = Field(
        "auto", pattern="^(auto|local|openai)$",
        description="Pipeline STT/TTS/brain: local (offline) or openai; auto: openai with a key.",
    )
    realtime_model: str = "gpt-realtime"
    realtime_voice: str = "marin"
    realtime_transcription_model: str = "gpt-4o-mini-transcribe"
    realtime_connect_timeout_s: Annotated[float, Field(gt=0, le=60)] = 8.0
    realtime_session_cap_s: Annotated[float, Field(gt=0)] = Field(
        3300.0, description="Reconnect (with a summary) before the provider's session limit."
    )
    local_tts_voice: str = "en-us"
    local_tts_rate_wpm: Annotated[int, Field(ge=80, le=450)] = 175
    local_stt_beam_size: Annotated[int, Field(ge=1, le=10)] = Field(
        5, description="Whisper beam on live calls: wider is more accurate, narrower faster.")
    local_stt_window_s: Annotated[int, Field(ge=5, le=30)] = Field(
        15, description="Whisper encoder window for a caller turn (30 = the model's full "
        "window; shorter is faster, 15 kept its accuracy on phone turns).")
    turn_end_by_words: bool = Field(
        True, description="Pipeline: end a turn sooner after a finished sentence, later after "
        "'um' or a half sentence (vad_end_silence_ms when the words do not tell).")
    local_stt_streaming: bool = Field(
        False, description="Pipeline: also re-decode the turn while the caller speaks and give "
        "the final decode the settled words. Off: on 2 cores it tripled STT work for ~5% off "
        "the final decode (scripts/bench_speech.py --configs vocab,partials).")
    vad_end_silence_ms: Annotated[int, Field(ge=200, le=3000)] = Field(
        500, description="Pipeline: caller silence that ends a turn (when its words do not "
        "tell; see turn_end_by_words)."
    )
    silence_timeout_s: Annotated[float, Field(gt=0, le=600)] = Field(
        9.0, description="Caller silence before 'are you still there?', then goodbye."
    )
    max_call_s: Annotated[float, Field(gt=0, le=14400)] = 900.0
    stream_token_ttl_s: Annotated[float, Field(gt=0, le=600)] = 60.0
    stream_start_timeout_s: Annotated[float, Field(gt=0, le=60)] = 5.0
    voice_tool_timeout_s: Annotated[float, Field(gt=0, le=120)] = 12.0

    @field_validator("public_url")
    @classmethod
    def _public_url_is_http(cls, value: str) -> str:
        value = value.rstrip("/")
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https:// (e.g. https://r.example.com)")
        return value

    @field_validator("twilio_api_base")
    @classmethod
    def _api_base_is_http(cls, value: str) -> str:
        value = value.rstrip("/")
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as http://127.0.0.1:8990")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url_is_async(cls, value: str) -> str:
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        if value and not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "use sqlite+aiosqlite:///path/to.db or postgresql+asyncpg://user@host/db"
            )
        return value

    @field_validator("twilio_account_sid")
    @classmethod
    def _account_sid_shape(cls, value: str) -> str:
        if value and not (value.startswith("AC") and len(value) == 34):
            raise ValueError("a Twilio Account SID starts with AC and is 34 characters long")
        return value

    @model_validator(mode="after")
    def _complete(self) -> Settings:
        if not self.public_url:
            self.public_url = f"http://{self.host}:{self.port}"
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'receptionist.db'}"
        has_twilio = bool(self.twilio_account_sid and self.twilio_auth_token)
        if self.sms_provider is None:
            self.sms_provider = SmsProvider.TWILIO if has_twilio else SmsProvider.CONSOLE
        if self.sms_provider is SmsProvider.TWILIO and not has_twilio:
            raise ValueError(
                "RECEPTIONIST_SMS_PROVIDER=twilio needs RECEPTIONIST_TWILIO_ACCOUNT_SID and "
                "RECEPTIONIST_TWILIO_AUTH_TOKEN"
            )
        if self.secret_key is None and (not self.is_sqlite or has_twilio):
            # A key generated per machine would differ between instances (and the CLI): what
            # one encrypted (CalDAV passwords) or signed (stream tokens) another could not read.
            why = "PostgreSQL" if not self.is_sqlite else "Twilio credentials"
            raise ValueError(
                f"RECEPTIONIST_SECRET_KEY is required with {why}: set the same long random "
                "value on every instance, e.g. from `python -c \"import secrets; "
                "print(secrets.token_urlsafe(32))\"`, and keep it (it decrypts stored secrets)"
            )
        return self

    # Derived values -----------------------------------------------------------------------

    @property
    def is_https(self) -> bool:
        """Served over https: session cookies are then marked Secure."""
        return self.public_url.startswith("https://")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def secret_key_bytes(self) -> bytes:
        """The app secret; in development a random one is kept in ``data_dir/secret.key``,
        created readable by its owner only from the first byte (never chmod-ed afterwards)."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.data_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process made it first: use theirs
            else:
                with os.fdopen(fd, "w") as out:
                    out.write(secrets.token_urlsafe(32))
        return path.read_text().strip().encode()

    def webhook_auth_token(self) -> str:
        """The token Twilio signs webhooks with.

        Without Twilio credentials (console mode) webhooks are still signed and checked, with a
        development token derived from the secret key, so the local simulator and the server agree.
        """
        if self.twilio_auth_token is not None:
            return self.twilio_auth_token.get_secret_value()
        return hashlib.sha256(b"webhook:" + self.secret_key_bytes()).hexdigest()[:32]

    def webhook_account_sid(self) -> str:
        return self.twilio_account_sid or "AC" + "0" * 32


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, turning validation errors into one readable message."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "settings"
            name = f"RECEPTIONIST_{field.upper()}" if field != "settings" else "settings"
            lines.append(f"{name}: {err['msg'].removeprefix('Value error, ')}")
        raise SettingsError("Invalid settings:\n  " + "\n  ".join(lines)) from exc
