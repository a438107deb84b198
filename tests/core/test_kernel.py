"""Settings, phone numbers, hours and secrets."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from receptionist.core import (
    HoursError,
    InvalidPhoneNumber,
    SecretBox,
    SecretBoxError,
    SettingsError,
    SmsProvider,
    WeeklyHours,
    load_settings,
    mask,
    normalize,
    parse_closed_dates,
    time_zone,
)


def test_settings_defaults_are_embedded(tmp_path):
    s = load_settings(data_dir=tmp_path)
    assert s.database_url == f"sqlite+aiosqlite:///{tmp_path}/receptionist.db"
    assert s.sms_provider is SmsProvider.CONSOLE
    assert s.secret_key_bytes() == s.secret_key_bytes()  # generated once, then reused
    assert len(s.webhook_auth_token()) == 32


def test_settings_pick_twilio_when_credentials_are_set(tmp_path):
    s = load_settings(data_dir=tmp_path, twilio_account_sid="AC" + "1" * 32,
                      twilio_auth_token="tok", database_url="postgresql://u@h/db",
                      secret_key="s" * 40)
    assert s.sms_provider is SmsProvider.TWILIO
    assert s.database_url == "postgresql+asyncpg://u@h/db"
    assert s.webhook_auth_token() == "tok"


@pytest.mark.parametrize("overrides,name", [
    ({"public_url": "example.com"}, "RECEPTIONIST_PUBLIC_URL"),
    ({"sms_provider": "twilio"}, "RECEPTIONIST_SMS_PROVIDER"),
    ({"sms_provider": "pigeon"}, "RECEPTIONIST_SMS_PROVIDER"),
    ({"twilio_account_sid": "XX123"}, "RECEPTIONIST_TWILIO_ACCOUNT_SID"),
    ({"database_url": "mysql://x"}, "RECEPTIONIST_DATABASE_URL"),
    ({"port": 0}, "RECEPTIONIST_PORT"),
])
def test_wrong_settings_name_themselves(overrides, name, tmp_path):
    with pytest.raises(SettingsError, match=name):
        load_settings(data_dir=tmp_path, **overrides)


def test_settings_read_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("RECEPTIONIST_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RECEPTIONIST_PUBLIC_URL", "https://r.example.com/")
    assert load_settings().public_url == "https://r.example.com"


@pytest.mark.parametrize("raw,e164", [
    ("(202) 555-0143", "+12025550143"), ("+1 202 555 0143", "+12025550143"),
    ("202.555.0143", "+12025550143"), ("+44 20 7946 0018", "+442079460018"),
])
def test_normalize(raw, e164):
    assert normalize(raw) == e164


@pytest.mark.parametrize("raw", ["", "hello", "12345", "+1 555 0143", "+999 1234"])
def test_normalize_rejects_with_a_clear_message(raw):
    with pytest.raises(InvalidPhoneNumber, match="international form"):
        normalize(raw)


def test_mask_keeps_last_four():
    assert mask("+12025550143") == "…0143" and mask(None) == "<none>"


def test_hours_round_trip_and_open_checks():
    hours = WeeklyHours.parse("Mon-Thu 08:00-17:00; Fri 08:00-12:00,13:00-16:00; Sat 09:00-13:00")
    assert WeeklyHours.from_json(hours.to_json()) == hours
    assert hours.to_text() == "Mon-Thu 08:00-17:00; Fri 08:00-12:00,13:00-16:00; Sat 09:00-13:00"
    tz = ZoneInfo("America/Chicago")
    assert hours.is_open(datetime(2026, 11, 27, 9, 0, tzinfo=tz))  # a Friday
    assert not hours.is_open(datetime(2026, 11, 27, 12, 30, tzinfo=tz))  # lunch break
    assert not hours.is_open(datetime(2026, 11, 29, 10, 0, tzinfo=tz))  # Sunday
    closed = frozenset(parse_closed_dates("2026-11-27"))
    assert not hours.is_open(datetime(2026, 11, 27, 9, 0, tzinfo=tz), closed)


@pytest.mark.parametrize("text", ["Funday 9-5", "Mon 17:00-08:00", "Mon 25:00-26:00", "9-5"])
def test_bad_hours_are_explained(text):
    with pytest.raises(HoursError):
        WeeklyHours.parse(text)


def test_secret_box():
    box = SecretBox(b"k1")
    token = box.encrypt("calendar-password")
    assert "calendar-password" not in token and box.decrypt(token) == "calendar-password"
    with pytest.raises(SecretBoxError, match="SECRET_KEY"):
        SecretBox(b"k2").decrypt(token)


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "America", "x" * 300,
                                  "T\u0335o\u0336 " * 40, "Europe/Dublin\x00"])
def test_a_name_that_is_no_time_zone_is_none(name):
    assert time_zone(name) is None


def test_a_time_zone_is_found_by_its_name():
    zone = time_zone("America/New_York")
    assert zone is not None and str(zone) == "America/New_York"
