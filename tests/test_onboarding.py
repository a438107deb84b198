"""Bookable on day one: onboard a website, and a caller can book one of its services at once,
into a real CalDAV calendar; the owner's own changes win over every re-crawl."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge import BusinessProfile, Service
from receptionist.core import Database, FixedClock, Settings
from receptionist.onboarding import bookable_services, guess_kind
from receptionist.services import Overrides, build_services
from scripts.doubles.factories import BUSINESS_NUMBER, CALLER
from scripts.doubles.site_server import FixtureSite
from tests.agent.world import MONDAY_9AM
from tests.calendar_sync.servers import RadicaleTestServer
from textback import ConsoleSmsSender


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    fixture = FixtureSite()
    fixture.start()
    try:
        yield fixture
    finally:
        fixture.stop()


@pytest.fixture
def radicale() -> Iterator[RadicaleTestServer]:
    server = RadicaleTestServer().start()
    try:
        yield server
    finally:
        server.close()


def test_durations_come_from_the_site_else_the_kind_of_business() -> None:
    dentist = BusinessProfile(name="Bright Smile Dental", services=(
        Service("Teeth Cleaning & Scaling"), Service("Root canal", duration_min=45),
        Service("Free consultation"), Service("Pick Your Gift"), Service("Gift cards"),
        Service("Amanda Piper, Chartered Legal Executive"), Service("Dr. Jane Roe"),
        Service("Drain cleaning, kitchen and bath")))
    assert guess_kind(dentist) is not None and guess_kind(dentist).name == "dental"
    assert [(s.name, s.minutes) for s in bookable_services(dentist)] == [
        ("Teeth Cleaning & Scaling", 60), ("Root canal", 45), ("Free consultation", 30),
        ("Drain cleaning, kitchen and bath", 60)]
    cafe = BusinessProfile(name="Sisters Cafe", services=(Service("Cheeseburger"),
                                                          Service("Breakfast special")))
    assert bookable_services(cafe) == []  # not booked by appointment
    unknown = BusinessProfile(name="Acme", services=(Service("Fitting"),))
    assert [(s.name, s.minutes) for s in bookable_services(unknown)] == [("Fitting", 60)]


async def test_onboarded_services_are_bookable_at_once(db: Database, tmp_path: Path,
                                                       site: FixtureSite,
                                                       radicale: RadicaleTestServer,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECEPTIONIST_CALENDAR_ALLOW_PRIVATE", "true")  # Radicale on 127.0.0.1
    settings = Settings(database_url=db.url, data_dir=tmp_path / "data", secret_key="k",
                        crawl_allow_private=True, demo=False, calendar_embedded=False)
    services = build_services(settings, Overrides(clock=FixedClock(MONDAY_9AM), voice=False,
                                                  sms_sender=ConsoleSmsSender(),
                                                  run_workers=False))
    try:
        report = await services.knowledge.onboard(site.base + "/", number=BUSINESS_NUMBER)
        business_id = report.business_id
        found = {s.name: s for s in await services.calendar.list_services(business_id)}
        assert found["Drain cleaning"].minutes == 60 and found["Drain cleaning"].from_website
        assert found["Leak detection"].minutes == 90
        assert any("from the website — please check" in note for note in report.notes)
        name = "Shop " + uuid.uuid4().hex[:6]
        calendar_url = radicale.make_calendar(name)
        await services.calendar.connect(business_id, radicale.home, radicale.username,
                                        radicale.password, [name])

        # A caller books through the agent right after onboarding, over the text channel.
        chat = services.chat
        opened = await chat.start(business_id, caller_phone=CALLER)
        said = await chat.say(opened.conversation_id,
                              "I'd like to book a drain cleaning next Tuesday at 10")
        assert said.reply == "Great. Can I get your name?", said.reply
        said = await chat.say(opened.conversation_id, "Jane Doe")
        assert "Shall I book it?" in said.reply and "10 am" in said.reply
        said = await chat.say(opened.conversation_id, "yes please")
        assert said.reply.startswith("You're all set"), said.reply
        (booking,) = await services.calendar.bookings(business_id, CALLER)
        assert booking.start.isoformat() == "2026-12-08T10:00:00-08:00"  # Portland (the site)
        (href,) = radicale.list_hrefs(calendar_url)
        event = radicale.get(href).text
        assert "Drain cleaning" in event and "DTSTART" in event

        # The owner's word wins over a re-crawl: a changed length stays, a removal stays.
        await services.calendar.add_service(business_id, "Drain cleaning", 45)
        await services.calendar.remove_service(business_id, "Toilet repair")
        again = await services.knowledge.recrawl(business_id)
        after = {s.name: s for s in await services.calendar.list_services(business_id)}
        assert after["Drain cleaning"].minutes == 45 and not after["Drain cleaning"].from_website
        assert "Toilet repair" not in after and "Leak detection" in after
        assert any("Kept as you set them" in note for note in again.notes)
    finally:
        await services.aclose()
