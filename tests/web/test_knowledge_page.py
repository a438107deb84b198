"""``/knowledge``: onboard the fixture site with progress, edit the profile (kept across a
re-crawl), pages and passages, the ask box."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from receptionist.core import Database
from scripts.doubles.factories import add_business
from scripts.doubles.site_server import FixtureSite
from tests.support.pages import PageClient, page_client
from tests.support.settings import make_settings


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    fixture = FixtureSite()
    fixture.start()
    try:
        yield fixture
    finally:
        fixture.stop()


@pytest.fixture
async def kpages(db: Database, db_url: str, tmp_path: Path) -> AsyncIterator[PageClient]:
    settings = make_settings(db_url, None, tmp_path, crawl_allow_private=True)
    async with page_client(settings) as client:
        yield client


def job_url(location: str) -> str:
    """The job's status address from the redirect after starting it (/knowledge?job=N#crawl)."""
    found = re.search(r"job=(\d+)", location)
    assert found, location
    return f"/knowledge/jobs/{found.group(1)}"


async def wait_done(pages: PageClient, job_url: str) -> dict:
    for _ in range(600):
        job = (await pages.get(job_url)).json()
        if job["status"] != "running":
            return job
        await asyncio.sleep(0.1)
    raise AssertionError("the crawl did not finish")


async def test_onboard_edit_recrawl_ask(kpages: PageClient, db: Database, site: FixtureSite):
    pages = kpages
    bid = await add_business(db, name="Placeholder")
    await pages.as_owner(bid)
    r = await pages.get("/knowledge")
    assert "has not read your website yet" in r.text
    r = await pages.post("/knowledge/crawl", data={"url": site.base + "/", "max_pages": "60"})
    assert r.status_code == 303
    first = (await pages.get(job_url(r.headers["location"]))).json()
    assert first["status"] in ("running", "done")
    job = await wait_done(pages, job_url(r.headers["location"]))
    assert job["status"] == "done", job
    assert job["fetched"] > 5 and job["found"] >= job["fetched"]
    r = await pages.get("/knowledge")
    assert "Harbor City Plumbing" in r.text and "Pages read (" in r.text
    assert "passages" in r.text

    # The owner's edit survives a re-crawl.
    form = {"name": "Harbor City Plumbing & Drains", "phone": "", "address": "", "hours": "",
            "booking_link": "", "services": "", "faqs": ""}
    page = (await pages.get("/knowledge")).text
    for key in ("phone", "address", "booking_link", "hours"):
        found = re.search(rf'name="{key}"[^>]*value="([^"]*)"', page)
        form[key] = html.unescape(found.group(1)) if found else ""
    for key in ("services", "faqs"):
        found = re.search(rf'name="{key}"[^>]*>([^<]*)</textarea>', page)
        form[key] = html.unescape(found.group(1)) if found else ""
    r = await pages.post("/knowledge/profile", data=form)
    assert r.status_code == 303, r.text
    profile = await pages.services.knowledge.profile(bid)
    assert profile.name == "Harbor City Plumbing & Drains"
    r = await pages.post("/knowledge/crawl", data={"recrawl": "1"})
    job = await wait_done(pages, job_url(r.headers["location"]))
    assert job["status"] == "done"
    assert (await pages.services.knowledge.profile(bid)).name == "Harbor City Plumbing & Drains"

    r = await pages.get("/knowledge", params={"q": "Do you come out on Sundays?"})
    assert r.status_code == 200 and "A caller asks" in r.text and "score " in r.text


async def test_bad_profile_input_is_refused(kpages: PageClient, db: Database):
    bid = await add_business(db)
    await kpages.as_owner(bid)
    r = await kpages.post("/knowledge/profile", data={"name": "X", "faqs": "no separator"})
    assert r.status_code == 422 and "Question? | Answer" in r.text
    r = await kpages.post("/knowledge/crawl", data={"url": "ftp://example.invalid/"})
    assert r.status_code == 303  # the job records the refusal
    job = await wait_done(kpages, job_url(r.headers["location"]))
    assert job["status"] == "failed" and job["error"]
    assert (await kpages.post("/knowledge/crawl", data={})).status_code == 422

