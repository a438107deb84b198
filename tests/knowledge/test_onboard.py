"""Onboarding end to end on a real database: the business is created from the website, the
profile is right field by field, and re-crawls respect the owner's edits and only redo what
changed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from knowledge import KnowledgeService, NotOnboarded
from knowledge.models import KnowledgeChunk, KnowledgePage
from receptionist.core import Database, default_greeting, get_business
from tests.knowledge.site_server import FixtureSite

NUMBER = "+15035550100"
HOURS = {d: [["07:30", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")} | {
    "sat": [["09:00", "14:00"]]}


async def test_onboard_creates_the_business_from_the_website(
        knowledge: KnowledgeService, site: FixtureSite, db: Database) -> None:
    report = await knowledge.onboard(site.base + "/", number=NUMBER)
    assert report.created and report.new == 25 and report.chunks > 40
    p = report.profile
    assert p.name == "Harbor City Plumbing"
    assert p.phone == "+15035550147"
    assert p.address == "1420 SE Division St, Portland, OR 97202"
    assert p.hours == HOURS
    assert p.booking_link == "https://calendly.com/harbor-city-plumbing/service-visit"
    assert p.timezone == "America/Los_Angeles"
    assert p.price_range == "$$"
    # Priced services come from the schema.org data and price lists; the services overview
    # page's list adds the rest, without prices.
    services = {s.name: (s.price, s.duration_min) for s in p.services if s.price}
    assert {s.name for s in p.services if not s.price} == {
        "Water heaters", "Toilets and faucets", "Commercial plumbing", "Emergency plumbing"}
    assert services == {
        "Drain cleaning": ("$149", 60), "Water heater flush": ("$129", 45),
        "Water heater installation": ("$1,450", 240), "Leak detection": ("$189", 90),
        "Toilet repair": ("$119", 60), "Sewer camera inspection": ("$199", 60),
        "Emergency call-out (nights, weekends, holidays)": ("$95", None)}
    assert [f.question for f in p.faqs] == [
        "Do you charge for estimates?", "How can I pay?", "Do I need to be home during the visit?",
        "Do you offer discounts?", "How do I cancel or reschedule?", "Are your plumbers licensed?"]
    assert p.faqs[0].answer.startswith("Estimates are free for jobs over $500.")
    assert list(p.to_json()) == ["name", "phone", "address", "hours", "services",
                                 "booking_link", "faqs"]

    async with db.transaction() as session:
        biz = await get_business(session, NUMBER)
        assert biz.name == "Harbor City Plumbing" and biz.hours == HOURS
        assert biz.timezone == "America/Los_Angeles"
        assert biz.address == p.address and biz.booking_link == p.booking_link
        assert biz.greeting == default_greeting("Harbor City Plumbing")
        assert biz.overrides == []
    assert await knowledge.profile(report.business_id) == p


async def test_recrawl_keeps_owner_edits_and_only_redoes_changed_pages(
        knowledge: KnowledgeService, site: FixtureSite, db: Database) -> None:
    first = await knowledge.onboard(site.base + "/", number=NUMBER)
    bid = first.business_id
    async with db.transaction() as session:       # as `receptionist business update` does
        biz = await get_business(session, bid)
        biz.hours = {"mon": [["09:00", "12:00"]]}
        biz.name = "Harbor City Plumbing & Drains"
        biz.mark_overridden("hours", "name")
    await knowledge.edit_profile(bid, {"faqs": [{"question": "Do you do gas?",
                                                 "answer": "Yes."}]})

    async with db.transaction() as session:
        before = dict((await session.execute(select(KnowledgePage.url, KnowledgePage.changed_at)
                                              .where(KnowledgePage.business_id == bid))).all())
    site.set_page("/hours", (site.directory / "hours.html").read_text().replace(
        "Saturday</th><td>9:00 am – 2:00 pm", "Saturday</th><td>8:00 am – 1:00 pm"))
    site.removed.add("/careers")

    again = await knowledge.recrawl(bid)
    assert (again.new, again.changed, again.removed) == (0, 1, 1)
    assert again.unchanged == 23 and not again.created
    p = again.profile
    assert p.name == "Harbor City Plumbing & Drains"          # the owner's, not the site's
    assert p.hours == {"mon": [["09:00", "12:00"]]}
    assert [f.question for f in p.faqs] == ["Do you do gas?"]
    assert p.address == "1420 SE Division St, Portland, OR 97202"    # still from the site
    async with db.transaction() as session:
        after = dict((await session.execute(select(KnowledgePage.url, KnowledgePage.changed_at)
                                             .where(KnowledgePage.business_id == bid))).all())
        chunks_on_careers = await session.scalar(select(func.count(KnowledgeChunk.id)).join(
            KnowledgePage, KnowledgePage.id == KnowledgeChunk.page_id).where(
            KnowledgePage.url.like("%/careers")))
    assert site.base + "/careers" not in after and chunks_on_careers == 0
    changed = {u.removeprefix(site.base) for u in after if after[u] != before.get(u)}
    assert changed == {"/hours"}
    result = await knowledge.search(bid, "Are you open Saturday morning at 8?")
    assert result.passages[0].url == site.base + "/hours"
    assert "8:00 am – 1:00 pm" in result.passages[0].text


async def test_onboarding_an_existing_business_and_errors(
        knowledge: KnowledgeService, site: FixtureSite, db: Database) -> None:
    with pytest.raises(ValueError, match="--business"):
        await knowledge.onboard(site.base + "/")          # no business yet and none named
    created = await knowledge.onboard(site.base + "/", number=NUMBER, max_pages=3)
    assert created.new == 3
    again = await knowledge.onboard(site.base + "/", business=NUMBER)
    assert again.business_id == created.business_id and not again.created
    limited = await knowledge.recrawl(NUMBER, max_pages=3)     # unread pages are not "gone"
    assert limited.removed == 0 and limited.unchanged == 3
    assert len((await knowledge.status(NUMBER))["pages"]) == 25
    with pytest.raises(NotOnboarded):
        await knowledge.search(created.business_id + 1, "hours?")


async def test_search_returns_passages_with_confidence(
        knowledge: KnowledgeService, site: FixtureSite) -> None:
    bid = (await knowledge.onboard(site.base + "/", number=NUMBER)).business_id
    sure = await knowledge.search(bid, "do you do emergency call-outs on Sunday?", k=3)
    assert sure.passages[0].url == site.base + "/services/emergency"
    assert len(sure.passages) == 3 and sure.confident and 0 <= sure.confidence <= 1
    assert sure.passages[0].score >= sure.passages[1].score >= sure.passages[2].score
    unsure = await knowledge.search(bid, "Can you cut my hair on Friday?")
    assert not unsure.confident and unsure.confidence < sure.confidence
