"""The command line, exactly as owners type it, on a fresh SQLite database (migrated with
``receptionist db upgrade``) and the embedded calendar; then with a real CalDAV account."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from receptionist.cli import app
from tests.calendar_sync.servers import RadicaleTestServer

NUMBER = "+12025550100"
NY = ZoneInfo("America/New_York")


def next_weekday(weekday: int, weeks_ahead: int = 1) -> date:
    """A day safely inside the booking horizon and notice, whatever today is."""
    today = datetime.now(NY).date()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


class Cli:
    def __init__(self, tmp_path: Path) -> None:
        self.env = {"RECEPTIONIST_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db",
                    "RECEPTIONIST_DATA_DIR": str(tmp_path / "data"),
                    "RECEPTIONIST_SECRET_KEY": "cli-test-secret",
                    "RECEPTIONIST_CALENDAR_EMBEDDED_PORT": "0",
                    "RECEPTIONIST_CALENDAR_ALLOW_PRIVATE": "true"}
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True) -> str:
        result = self.runner.invoke(app, list(args), env=self.env, catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, (args, result.output)
        self.exit_code = result.exit_code
        return result.stdout

    def json(self, *args: str) -> object:
        return json.loads(self(*args, "--json"))


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    run = Cli(tmp_path)
    run("db", "upgrade")
    run("business", "add", "--name", "Greenfield Plumbing", "--number", NUMBER,
        "--timezone", "America/New_York")
    run("business", "update", NUMBER, "--hours", "Mon-Thu 08:00-17:00; Fri 08:00-14:00; "
        "Sat 09:00-13:00", "--closed", "2026-12-25,2026-12-26")
    run("team", "add", "--business", NUMBER, "--name", "Dana", "--phone", "+12025550112")
    return run


def test_services(cli):
    out = cli("service", "add", "--business", NUMBER, "--name", "Drain cleaning",
              "--minutes", "60", "--buffer-minutes", "15")
    assert "Drain cleaning" in out
    cli("service", "add", "--business", "1", "--name", "Leak detection", "--minutes", "90")
    listed = cli.json("service", "list", "--business", NUMBER)
    assert listed == [
        {"name": "Drain cleaning", "minutes": 60, "buffer_before_minutes": 15,
         "buffer_after_minutes": 15, "calendars": [], "from_website": False},
        {"name": "Leak detection", "minutes": 90, "buffer_before_minutes": 0,
         "buffer_after_minutes": 0, "calendars": [], "from_website": False},
    ]
    cli("service", "remove", "--business", NUMBER, "--name", "leak detection")
    assert [s["name"] for s in cli.json("service", "list", "--business", NUMBER)] == \
        ["Drain cleaning"]
    cli("service", "remove", "--business", NUMBER, "--name", "Haircut", ok=False)
    assert cli.exit_code == 2
    cli("service", "add", "--business", NUMBER, "--name", "X", "--minutes", "30",
        "--calendar", "Nobody", ok=False)
    assert cli.exit_code == 2


@pytest.mark.slow  # calendar servers through the command line
def test_slots_and_book_on_a_fresh_install(cli):
    cli("service", "add", "--business", NUMBER, "--name", "Drain cleaning", "--minutes", "60")
    friday = next_weekday(4)
    slots = cli.json("calendar", "slots", "--business", NUMBER, "--service", "Drain cleaning",
                     "--from", friday.isoformat(), "--to", friday.isoformat())
    assert isinstance(slots, list) and set(slots[0]) == {"start", "end"}
    starts = [datetime.fromisoformat(s["start"]) for s in slots]
    assert starts[0].strftime("%H:%M") == "08:00" and starts[-1].strftime("%H:%M") == "13:00"
    assert all(s.utcoffset() == datetime.combine(friday, datetime.min.time(), NY).utcoffset()
               for s in starts)
    start = slots[4]["start"]
    booked = cli.json("calendar", "book", "--business", NUMBER, "--service", "Drain cleaning",
                      "--start", start, "--name", "Jane Doe", "--phone", "+1 202 555 0143")
    assert booked["status"] == "booked" and booked["uid"]
    assert booked["start"] == start and booked["alternatives"] == []
    taken = cli.json("calendar", "book", "--business", NUMBER, "--service", "Drain cleaning",
                     "--start", start, "--name", "Bob", "--phone", "+12025550144")
    assert taken["status"] == "taken" and taken["uid"] is None
    assert taken["alternatives"] and all(set(a) == {"start", "end"}
                                         for a in taken["alternatives"])
    after = cli.json("calendar", "slots", "--business", NUMBER, "--service", "Drain cleaning",
                     "--from", friday.isoformat(), "--to", friday.isoformat())
    assert start not in [s["start"] for s in after]
    text = cli("calendar", "bookings", "--business", NUMBER)
    assert "Jane Doe" in text
    moved = cli.json("calendar", "reschedule", "--business", NUMBER, "--phone", "+12025550143",
                     "--start", slots[8]["start"])
    assert moved["status"] == "booked" and moved["uid"] == booked["uid"]
    cancelled = cli.json("calendar", "cancel", "--business", NUMBER, "--phone", "+12025550143")
    assert cancelled["status"] == "cancelled"
    phone = cli.json("calendar", "phone", "--business", NUMBER)
    assert phone["username"] == "business-1" and phone["password"]
    assert phone["server"].startswith("http://127.0.0.1:") and ":0/" not in phone["server"]
    assert cli.json("calendar", "test", "--business", NUMBER)["ok"] is True


def test_booking_rules(cli):
    assert cli.json("calendar", "rules", "--business", NUMBER) == \
        {"notice_minutes": 60, "horizon_days": 60, "slot_minutes": 15}
    changed = cli.json("calendar", "rules", "--business", NUMBER, "--slot-minutes", "30",
                       "--notice-minutes", "120")
    assert changed == {"notice_minutes": 120, "horizon_days": 60, "slot_minutes": 30}
    cli("service", "add", "--business", NUMBER, "--name", "Consult", "--minutes", "30")
    monday = next_weekday(0).isoformat()
    slots = cli.json("calendar", "slots", "--business", NUMBER, "--service", "Consult",
                     "--from", monday)
    assert [s["start"][11:16] for s in slots[:3]] == ["08:00", "08:30", "09:00"]


def test_closed_dates_and_hours_from_business_update(cli):
    cli("service", "add", "--business", NUMBER, "--name", "Consult", "--minutes", "30")
    sunday = next_weekday(6)
    assert cli.json("calendar", "slots", "--business", NUMBER, "--service", "Consult",
                    "--from", sunday.isoformat(), "--to", sunday.isoformat()) == []


@pytest.mark.slow  # calendar servers through the command line
def test_book_texts_are_queued_for_the_server(cli, tmp_path):
    import sqlite3

    cli("service", "add", "--business", NUMBER, "--name", "Consult", "--minutes", "30")
    monday = next_weekday(0)
    start = f"{monday.isoformat()}T10:00"
    cli.json("calendar", "book", "--business", NUMBER, "--service", "Consult", "--start", start,
             "--name", "Jane Doe", "--phone", "+12025550143")
    rows = sqlite3.connect(tmp_path / "cli.db").execute(
        "select kind, to_number, body from textback_message order by id").fetchall()
    assert [(k, to) for k, to, _ in rows] == [("team_bookings", "+12025550112"),
                                             ("booking", "+12025550143")]
    assert rows[0][2].startswith("New booking: Consult, ") and "Jane Doe" in rows[0][2]


def test_bad_input_is_one_line(cli):
    cli("service", "add", "--business", NUMBER, "--name", "Consult", "--minutes", "30")
    cli("calendar", "book", "--business", NUMBER, "--service", "Consult", "--start", "soon",
        "--name", "J", "--phone", "+12025550143", ok=False)
    assert cli.exit_code == 2
    cli("calendar", "slots", "--business", "+19999999999", "--service", "Consult", ok=False)
    assert cli.exit_code == 2


@pytest.mark.slow  # calendar servers through the command line
def test_connect_test_and_list_a_caldav_account(cli, radicale: RadicaleTestServer):
    name = f"Shop {uuid.uuid4().hex[:6]}"
    url = radicale.make_calendar(name)
    out = cli("calendar", "connect", "--business", NUMBER, "--url", radicale.home,
              "--username", radicale.username, "--password", radicale.password,
              "--calendar", name)
    assert "Connected" in out and name in out
    listed = cli.json("calendar", "list", "--business", NUMBER)
    assert [c["name"] for c in listed if c["selected"]] == [name]
    assert cli.json("calendar", "test", "--business", NUMBER)["ok"] is True
    cli("service", "add", "--business", NUMBER, "--name", "Consult", "--minutes", "30",
        "--calendar", name)
    monday = next_weekday(0)
    booked = cli.json("calendar", "book", "--business", NUMBER, "--service", "Consult",
                      "--start", f"{monday.isoformat()}T09:00", "--name", "Jane",
                      "--phone", "+12025550143")
    assert booked["status"] == "booked"
    assert len(radicale.list_hrefs(url)) == 1
    cli("calendar", "connect", "--business", NUMBER, "--url", radicale.home,
        "--username", radicale.username, "--password", "wrong", ok=False)
    assert cli.exit_code == 2
    cli("calendar", "phone", "--business", NUMBER, ok=False)  # not the embedded calendar
