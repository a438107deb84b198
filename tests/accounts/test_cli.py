"""``receptionist user …`` and ``receptionist token …`` as an operator types them."""

from __future__ import annotations

import asyncio
import json

import pytest
from typer.testing import CliRunner

from receptionist.accounts import InvalidCredentials, build_accounts
from receptionist.cli import app
from receptionist.core import Database, SystemClock, load_settings

runner = CliRunner()


@pytest.fixture
def env(tmp_path):
    env = {"RECEPTIONIST_DATA_DIR": str(tmp_path / "data"),
           "RECEPTIONIST_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db"}
    for args in (["db", "upgrade"], ["business", "add", "--name", "Greenfield Plumbing",
                                     "--number", "+12025550100"]):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, result.output
    return env


def cli(env, *args, code=0, stdin=None):
    result = runner.invoke(app, list(args), env=env, input=stdin)
    assert result.exit_code == code, result.output
    return result.output


def signs_in(env, email: str, password: str) -> bool:
    async def go() -> bool:
        settings = load_settings(data_dir=env["RECEPTIONIST_DATA_DIR"],
                                 database_url=env["RECEPTIONIST_DATABASE_URL"])
        db = Database(settings.database_url)
        try:
            await build_accounts(db, SystemClock(), settings).sign_in(email, password,
                                                                     address="cli-test")
            return True
        except InvalidCredentials:
            return False
        finally:
            await db.dispose()

    return asyncio.run(go())


@pytest.mark.slow  # many password hashes through the command line
def test_users(env):
    out = cli(env, "user", "add", "--business", "+12025550100", "--email", "Dana@Example.com",
              "--password", "owner password 1")
    assert "Added dana@example.com (owner) for Greenfield Plumbing (business 1)" in out
    cli(env, "user", "add", "--business", "1", "--email", "sam@example.com", "--role", "staff",
        "--password", "-", stdin="staff password 1\n")
    cli(env, "user", "add", "--admin", "--email", "op@example.com",
        stdin="operator password\noperator password\n")  # asked for, twice
    users = json.loads(cli(env, "user", "list", "--json"))
    assert [(u["email"], u["role"], u["business_id"]) for u in users] == [
        ("op@example.com", "admin", None), ("dana@example.com", "owner", 1),
        ("sam@example.com", "staff", 1)]
    assert "sam@example.com" in cli(env, "user", "list", "--business", "+12025550100")
    assert signs_in(env, "sam@example.com", "staff password 1")
    assert signs_in(env, "op@example.com", "operator password")

    cli(env, "user", "password", "sam@example.com", "--password", "a newer password")
    assert not signs_in(env, "sam@example.com", "staff password 1")
    assert signs_in(env, "sam@example.com", "a newer password")
    cli(env, "user", "remove", "sam@example.com")
    assert "sam@example.com" not in cli(env, "user", "list")


@pytest.mark.parametrize("args,message", [
    (["user", "add", "--email", "a@example.com", "--password", "long enough pw"],
     "--business"),
    (["user", "add", "--admin", "--business", "1", "--email", "a@example.com"], "--admin"),
    (["user", "add", "--business", "1", "--email", "not-an-email", "--password",
      "long enough pw"], "not an email address"),
    (["user", "add", "--business", "1", "--email", "a@example.com", "--password", "short"],
     "at least 10 characters"),
    (["user", "add", "--business", "9", "--email", "a@example.com", "--password",
      "long enough pw"], "no business"),
    (["user", "add", "--business", "1", "--email", "a@example.com", "--role", "boss",
      "--password", "long enough pw"], "owner or staff"),
    (["user", "remove", "ghost@example.com"], "no user"),
    (["token", "revoke", "nope"], "no token"),
])
def test_clear_errors(env, args, message):
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 2 and message in result.output, result.output


def test_duplicate_email_is_refused(env):
    cli(env, "user", "add", "--business", "1", "--email", "a@example.com", "--password",
        "long enough pw")
    out = cli(env, "user", "add", "--business", "1", "--email", "A@example.com", "--password",
              "long enough pw", code=2)
    assert "already has an account" in out


def test_tokens(env):
    data = json.loads(cli(env, "token", "create", "--business", "+12025550100", "--name", "crm",
                          "--json"))
    assert set(data) == {"token", "name", "business_id"}
    assert data["name"] == "crm" and data["business_id"] == 1
    assert data["token"].startswith("rcp_") and len(data["token"]) > 40
    result = runner.invoke(app, ["token", "create", "--business", "1", "--name", "ci"], env=env)
    assert result.exit_code == 0
    raw = result.stdout.strip().splitlines()[-1]
    assert raw.startswith("rcp_") and raw != data["token"]
    out = cli(env, "token", "list")
    assert "crm" in out and "ci" in out and data["token"] not in out  # never shown again
    assert "already has a token named" in cli(env, "token", "create", "--business", "1",
                                              "--name", "crm", code=2)
    cli(env, "token", "revoke", "crm", "--business", "1")
    assert [t["name"] for t in json.loads(cli(env, "token", "list", "--json"))] == ["ci"]


def test_a_fresh_install_prints_an_owner_login_for_the_demo_business(tmp_path):
    env = {"RECEPTIONIST_DATA_DIR": str(tmp_path / "data"),
           "RECEPTIONIST_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/fresh.db"}
    cli(env, "db", "upgrade")
    result = runner.invoke(app, ["demo", "--server-url", "http://127.0.0.1:8000"], env=env)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Sign in at http://127.0.0.1:8000/login" in out
    assert "email:    owner@example.com" in out
    password = out.split("password: ", 1)[1].split()[0]
    assert len(password) >= 12 and signs_in(env, "owner@example.com", password)
    users = json.loads(cli(env, "user", "list", "--json"))
    assert [(u["email"], u["role"], u["business"]) for u in users] == [
        ("owner@example.com", "owner", "Greenfield Plumbing (demo)")]
    again = runner.invoke(app, ["demo"], env=env)  # a second start prints no new password
    assert again.exit_code == 0 and "password:" not in again.output
