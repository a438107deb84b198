"""The command line, as an owner types it (same settings as the server)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from receptionist.cli import app
from scripts.doubles.twilio_rest import TwilioRestDouble

runner = CliRunner()


@pytest.fixture
def env(tmp_path):
    env = {"RECEPTIONIST_DATA_DIR": str(tmp_path / "data"),
           "RECEPTIONIST_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db"}
    result = runner.invoke(app, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    return env


def cli(env, *args, code=0):
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == code, result.output
    return result.output


def test_business_and_team_lifecycle(env):
    out = cli(env, "business", "add", "--name", "Greenfield Plumbing", "--number",
              "(202) 555-0100", "--timezone", "America/Chicago", "--routing",
              "ring_then_textback", "--forward-to", "202-555-0111", "--ring-seconds", "15",
              "--booking-link", "https://greenfield.example/book")
    assert "Added business #1" in out and "+12025550100" in out
    cli(env, "team", "add", "--business", "+12025550100", "--name", "Dana", "--phone",
        "+1 202 555 0112", "--receives", "replies,bookings")
    data = json.loads(cli(env, "business", "show", "1", "--json"))
    assert data["numbers"] == ["+12025550100"] and data["forward_to"] == "+12025550111"
    assert data["timezone"] == "America/Chicago" and data["ring_seconds"] == 15
    assert data["team"][0]["receives"] == ["replies", "bookings"]

    cli(env, "business", "update", "+12025550100", "--hours",
        "Mon-Thu 08:00-17:00; Fri 08:00-14:00; Sat 09:00-13:00", "--closed",
        "2026-12-25,2026-12-26", "--routing", "textback")
    data = json.loads(cli(env, "business", "list", "--json"))[0]
    assert data["hours"] == "Mon-Thu 08:00-17:00; Fri 08:00-14:00; Sat 09:00-13:00"
    assert data["closed"] == ["2026-12-25", "2026-12-26"] and data["routing"] == "textback"
    assert "hours" in data["overrides"]
    assert "Greenfield Plumbing" in cli(env, "business", "list")

    cli(env, "team", "remove", "--business", "1", "Dana")
    assert json.loads(cli(env, "business", "show", "1", "--json"))["team"] == []


@pytest.mark.parametrize("args,message", [
    (["business", "add", "--name", "X", "--number", "not-a-number"], "not a phone number"),
    (["business", "add", "--name", "X", "--number", "+12025550100", "--timezone", "Mars/Base"],
     "unknown time zone"),
    (["business", "update", "99", "--name", "Y"], "no business"),
    (["team", "add", "--business", "1", "--name", "Z", "--phone", "+12025550112",
      "--receives", "gossip"], "replies, bookings, messages"),
])
def test_errors_are_one_clear_line(env, args, message):
    cli(env, "business", "add", "--name", "A", "--number", "+12025550101")
    out = cli(env, *args, code=2)
    assert message in out and "Traceback" not in out


def test_template_warning_and_duplicate_number(env):
    out = cli(env, "business", "add", "--name", "Salon", "--number", "+12025550102",
              "--template", "{business}: " + "so sorry we missed you! " * 8)
    assert "segments" in out
    out = cli(env, "business", "add", "--name", "Other", "--number", "+12025550102", code=2)
    assert "already belongs" in out


def test_textback_test_sends_through_twilio(env):
    with TwilioRestDouble() as twilio:
        env = {**env, "RECEPTIONIST_TWILIO_ACCOUNT_SID": twilio.account_sid,
               "RECEPTIONIST_TWILIO_AUTH_TOKEN": twilio.auth_token,
               "RECEPTIONIST_TWILIO_API_BASE": twilio.base_url,
               "RECEPTIONIST_SECRET_KEY": "cli-test-secret"}
        cli(env, "business", "add", "--name", "Greenfield Plumbing", "--number", "+12025550100")
        out = cli(env, "textback", "test", "--business", "+12025550100", "+12025550143")
        assert "Sent to +12025550143 via twilio" in out
        (msg,) = twilio.messages
        assert msg.to == "+12025550143" and msg.from_ == "+12025550100"
        assert msg.body.startswith("Hi, this is Greenfield Plumbing.")
        twilio.fail_next(1, status=400, code=21211)
        out = cli(env, "textback", "test", "--business", "1", "+12025550144", code=1)
        assert "Not sent" in out and "21211" in out


def test_textback_test_console_and_report_json(env):
    cli(env, "business", "add", "--name", "Greenfield Plumbing", "--number", "+12025550100")
    assert "via console" in cli(env, "textback", "test", "--business", "1", "+12025550143")
    report = json.loads(cli(env, "report", "--business", "+12025550100", "--since",
                            "2026-01-01", "--json"))
    for key in ("missed_calls", "textbacks_sent", "textbacks_skipped", "textbacks_failed",
                "reply_rate", "median_first_response_s", "opt_outs", "opt_out_rate",
                "conversions", "conversion_rate", "since", "until"):
        assert key in report
    assert "Missed calls" in cli(env, "report")


def test_demo_adds_a_business_only_once(env):
    cli({**env, "RECEPTIONIST_DEMO": "false"}, "demo")
    assert json.loads(cli(env, "business", "list", "--json")) == []
    cli(env, "demo")
    cli(env, "demo")
    assert len(json.loads(cli(env, "business", "list", "--json"))) == 1
