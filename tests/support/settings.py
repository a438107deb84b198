"""Settings for a test app: its database, the Twilio REST double, a reserved port."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from receptionist.core import Settings
from scripts.doubles.twilio_rest import TwilioRestDouble
from tests.support.server import reserve_port

__all__ = ["make_settings"]


def make_settings(db_url: str, twilio: TwilioRestDouble | None, tmp_path: Path,
                  **overrides: Any) -> Settings:
    port = reserve_port()
    values: dict[str, Any] = {
        "database_url": db_url, "public_url": f"http://127.0.0.1:{port}",
        "data_dir": tmp_path / "data", "secret_key": "test-secret", "outbox_poll_s": 0.2,
        "outbox_backoff_base_s": 0.2, "demo": False,
    }
    if twilio is not None:
        values.update(twilio_account_sid=twilio.account_sid, twilio_auth_token=twilio.auth_token,
                      twilio_api_base=twilio.base_url, sms_provider="twilio")
    values.update(overrides)
    return Settings(**values)
