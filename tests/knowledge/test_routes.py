"""The dashboard's JSON API, against the app under uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from receptionist.core import Database
from receptionist.services import Overrides
from scripts.doubles.site_server import FixtureSite
from tests.support.auth import signed_in_client
from tests.support.knowledge import knowledge_settings
from tests.support.server import AppServer, free_port


@pytest.fixture
def app_server(db: Database, db_url: str, tmp_path: Path) -> Iterator[AppServer]:
    settings = knowledge_settings(db_url, tmp_path,
                                  public_url=f"http://127.0.0.1:{free_port()}")
    server = AppServer(settings, Overrides(run_workers=False)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.slow  # a crawl, edit and search over HTTP
async def test_onboard_profile_edit_and_search(app_server: AppServer, site: FixtureSite,
                                              db: Database) -> None:
    async with signed_in_client(app_server.url, db, app_server.settings,
                                      timeout_s=60) as client:
        r = await client.post("/api/businesses/onboard",
                              json={"url": site.base + "/", "number": "+15035550100"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["created"] and body["profile"]["name"] == "Harbor City Plumbing"
        assert any(s["reason"] == "disallowed by robots.txt" for s in body["crawl"]["skipped"])

        profile = (await client.get("/api/businesses/+15035550100/profile")).json()
        assert profile == body["profile"]

        r = await client.patch("/api/businesses/1/profile",
                               json={"hours": "Mon-Fri 08:00-16:00",
                                     "services": [{"name": "Drain cleaning", "price": "$159"}]})
        assert r.status_code == 200, r.text
        assert r.json()["hours"]["fri"] == [["08:00", "16:00"]]
        assert r.json()["services"] == [{"name": "Drain cleaning", "price": "$159",
                                         "duration_min": None, "description": None}]
        r = await client.post("/api/businesses/1/recrawl")
        assert r.status_code == 200 and r.json()["profile"]["hours"]["fri"] == [["08:00", "16:00"]]
        assert r.json()["profile"]["services"][0]["price"] == "$159"

        r = await client.get("/api/businesses/1/knowledge/search",
                             params={"q": "Do you work in Vancouver, Washington?", "k": 2})
        assert r.status_code == 200
        result = r.json()
        assert result["passages"][0]["url"] == site.base + "/service-area"
        assert len(result["passages"]) == 2 and 0 <= result["confidence"] <= 1

        status = (await client.get("/api/businesses/1/knowledge")).json()
        assert len(status["pages"]) == 25 and set(status["overrides"]) >= {"hours", "services"}


async def test_api_errors(app_server: AppServer, site: FixtureSite, db: Database) -> None:
    async with signed_in_client(app_server.url, db, app_server.settings) as client:
        assert (await client.get("/api/businesses/9/profile")).status_code == 404
        r = await client.post("/api/businesses/onboard",
                              json={"url": "ftp://x.example/", "number": "+15035550100"})
        assert r.status_code == 422
        r = await client.post("/api/businesses/onboard",
                              json={"url": site.base + "/", "number": "12"})
        assert r.status_code == 422
        await client.post("/api/businesses/onboard",
                          json={"url": site.base + "/", "number": "+15035550100",
                                "max_pages": 2})
        assert (await client.patch("/api/businesses/1/profile",
                                   json={"hours": "whenever"})).status_code == 422
        assert (await client.patch("/api/businesses/1/profile",
                                   json={"colour": "red"})).status_code == 422
        assert (await client.get("/api/businesses/1/knowledge/search")).status_code == 422
