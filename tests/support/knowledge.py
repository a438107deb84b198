"""Knowledge test helpers: the fixture site's caller questions and crawl-friendly settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from receptionist.core import Settings
from scripts.doubles.site_server import SITE_DIR

__all__ = ["QUESTIONS", "knowledge_settings"]

QUESTIONS: dict[str, Any] = json.loads((SITE_DIR / "questions.json").read_text())


def knowledge_settings(db_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"database_url": db_url, "data_dir": tmp_path / "data",
                              "secret_key": "test-secret", "crawl_allow_private": True,
                              "demo": False}
    values.update(overrides)
    return Settings(**values)
