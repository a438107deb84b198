"""``receptionist onboard`` and ``receptionist knowledge …`` as an owner runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from receptionist.cli import app
from scripts.doubles.site_server import FixtureSite

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = {"RECEPTIONIST_DATA_DIR": str(tmp_path / "data"),
           "RECEPTIONIST_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db",
           "RECEPTIONIST_CRAWL_ALLOW_PRIVATE": "true"}
    result = runner.invoke(app, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    return env


@pytest.mark.slow  # crawls through the command line
def test_onboard_json_creates_the_business(env: dict[str, str], site: FixtureSite) -> None:
    result = runner.invoke(app, ["onboard", site.base + "/", "--number", "(503) 555-0100",
                                 "--max-pages", "40", "--json"], env=env)
    assert result.exit_code == 0, result.stderr
    profile = json.loads(result.stdout)
    assert list(profile) == ["name", "phone", "address", "hours", "services", "booking_link",
                             "faqs"]
    assert profile["name"] == "Harbor City Plumbing" and profile["phone"] == "+15035550147"
    assert profile["hours"]["sat"] == [["09:00", "14:00"]]
    assert profile["services"][0] == {"name": "Drain cleaning", "price": "$149",
                                      "duration_min": 60, "description":
                                      "Clear one clogged sink, tub, shower or floor drain."}
    assert "fetched" not in result.stderr  # no progress with --json

    shown = runner.invoke(app, ["business", "show", "+15035550100", "--json"], env=env)
    biz = json.loads(shown.stdout)
    assert biz["name"] == "Harbor City Plumbing" and biz["timezone"] == "America/Los_Angeles"
    assert biz["overrides"] == []

    asked = runner.invoke(app, ["knowledge", "ask", "--business", "+15035550100",
                                "Do you do emergency call-outs on Sunday?", "--k", "2", "--json"],
                          env=env)
    assert asked.exit_code == 0, asked.stderr
    passages = json.loads(asked.stdout)
    assert len(passages) == 2 and set(passages[0]) == {"url", "title", "text", "score"}
    assert passages[0]["url"] == site.base + "/services/emergency"
    assert passages[0]["score"] >= passages[1]["score"]


@pytest.mark.slow  # crawls through the command line
def test_show_recrawl_and_owner_edits(env: dict[str, str], site: FixtureSite) -> None:
    added = runner.invoke(app, ["business", "add", "--name", "HCP", "--number", "+15035550100"],
                          env=env)
    assert added.exit_code == 0, added.output
    out = runner.invoke(app, ["onboard", site.base + "/", "--business", "1"], env=env)
    # progress on stderr: pages fetched and queued, what was skipped, then the indexing step
    assert "fetched" in out.stderr and "queued" in out.stderr, out.stderr
    assert "disallowed by robots.txt" in out.stderr and "indexing" in out.stderr
    assert out.exit_code == 0, out.stderr
    assert "HCP (business #1, updated)" in out.stdout       # the owner's name is kept
    assert "Drain cleaning" in out.stdout and "calendly.com" in out.stdout
    runner.invoke(app, ["business", "update", "1", "--booking-link", "https://hcp.example/b"],
                  env=env)
    again = runner.invoke(app, ["knowledge", "recrawl", "--business", "1", "--json"], env=env)
    assert again.exit_code == 0, again.stderr
    data = json.loads(again.stdout)
    assert data["crawl"]["unchanged"] == 25 and data["crawl"]["new"] == 0
    assert data["profile"]["booking_link"] == "https://hcp.example/b"
    shown = runner.invoke(app, ["knowledge", "show", "--business", "1"], env=env)
    assert shown.exit_code == 0 and "25 pages" in shown.stdout
    assert "booking_link" in shown.stdout and "name" in shown.stdout
    assert "Where each field came from:" in shown.stdout
    as_json = json.loads(runner.invoke(app, ["knowledge", "show", "--business", "1", "--json"],
                                       env=env).stdout)
    assert list(as_json) == ["profile", "knowledge", "sources"]
    sources = as_json["sources"]
    assert sources["booking_link"]["method"] == "set by the owner"
    assert sources["name"]["method"] == "set by the owner"
    assert sources["hours"]["method"] and sources["hours"]["page"].startswith(site.base)
    assert sources["address"]["page"].startswith(site.base)
    asked = runner.invoke(app, ["knowledge", "ask", "--business", "1", "Can you walk my dog?"],
                          env=env)
    assert "not sure" in asked.stdout


def test_errors_are_one_line(env: dict[str, str], site: FixtureSite) -> None:
    out = runner.invoke(app, ["onboard", "not a url", "--number", "+15035550100"], env=env)
    assert out.exit_code == 2 and "not a website address" in out.stderr
    out = runner.invoke(app, ["knowledge", "ask", "--business", "1", "hours?"], env=env)
    assert out.exit_code == 2 and "Error:" in out.stderr
    private = {**env, "RECEPTIONIST_CRAWL_ALLOW_PRIVATE": "false"}
    out = runner.invoke(app, ["onboard", site.base + "/", "--number", "+15035550100"],
                        env=private)
    assert out.exit_code == 2 and "RECEPTIONIST_CRAWL_ALLOW_PRIVATE" in out.stderr
    assert site.requests == []
