"""Data files are the owner's only from the first byte; a shared deployment needs one secret."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from receptionist.core import Database, SettingsError, load_settings


@pytest.fixture
def open_umask():
    """The common default umask (files 0644) that made the database world-readable."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_sqlite_database_and_its_wal_files_are_private(tmp_path, open_umask):
    path = tmp_path / "data" / "receptionist.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        assert _mode(path) == 0o600  # there before SQLite opened it, never 0644
        async with db.engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (x TEXT)"))
            await conn.execute(text("INSERT INTO t VALUES ('transcript')"))
        files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
        assert {p.name for p in files} >= {"receptionist.db", "receptionist.db-wal"}
        assert all(_mode(p) == 0o600 for p in files), {p.name: oct(_mode(p)) for p in files}
        assert _mode(path.parent) == 0o700
    finally:
        await db.dispose()


async def test_a_database_url_with_options_names_the_file_without_them(tmp_path, open_umask):
    path = tmp_path / "r.db"
    db = Database(f"sqlite+aiosqlite:///{path}?timeout=5")
    try:
        assert [p.name for p in tmp_path.iterdir()] == ["r.db"] and _mode(path) == 0o600
    finally:
        await db.dispose()


def test_generated_secret_key_is_private_from_the_start(tmp_path, open_umask, monkeypatch):
    changed: list[str] = []
    real_chmod = os.chmod

    def recording_chmod(path, mode, *args, **kwargs):
        changed.append(str(path))
        return real_chmod(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "chmod", recording_chmod)
    settings = load_settings(data_dir=tmp_path / "data")
    key = settings.secret_key_bytes()
    path = tmp_path / "data" / "secret.key"
    assert _mode(path) == 0o600 and not changed  # created 0600, not loosened then chmod-ed
    assert len(key) >= 32 and settings.secret_key_bytes() == key


@pytest.mark.parametrize("overrides", [
    {"database_url": "postgresql://u@db.internal/receptionist"},
    {"twilio_account_sid": "AC" + "1" * 32, "twilio_auth_token": "tok"},
])
def test_secret_key_is_required_where_instances_share_data(tmp_path, overrides):
    with pytest.raises(SettingsError, match="RECEPTIONIST_SECRET_KEY") as err:
        load_settings(data_dir=tmp_path, **overrides)
    assert "secrets.token_urlsafe" in str(err.value)  # says how to make one
    assert load_settings(data_dir=tmp_path, secret_key="k" * 40, **overrides).secret_key


def test_console_sqlite_still_generates_its_own_key(tmp_path):
    assert load_settings(data_dir=tmp_path).secret_key_bytes()
