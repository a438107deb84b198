"""Booking by phone with the local brain and the tools, against the real calendar subsystem on an
embedded Radicale: slots offered, a choice, a name, a confirmation, the event in the calendar,
texts to the caller and the team; taken slots, an unreachable calendar, cancel and reschedule."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from receptionist.core import FixedClock
from scripts.doubles.factories import CALLER, CALLER_2, TEAM_PHONE
from scripts.doubles.site_server import FixtureSite
from tests.agent.world import MONDAY_9AM, World, connect_external_calendar, make_world, site

__all__ = ["site"]


@pytest.fixture
async def world(db, tmp_path: Path, site: FixtureSite) -> AsyncIterator[World]:
    w = await make_world(db, tmp_path, site=site, calendar=True, clock=FixedClock(MONDAY_9AM))
    try:
        yield w
    finally:
        await w.aclose()


async def booked(world: World, phone: str = CALLER) -> list:
    assert world.calendar is not None
    return await world.calendar.bookings(world.business_id, phone)


async def test_book_an_exact_time(world: World):
    reply = await world.say("Hi, I'd like to book a drain cleaning")
    assert reply.text == "Sure, a drain cleaning. What day and time would suit you?"
    reply = await world.say("tomorrow at ten a.m.")
    assert reply.text == "Great. Can I get your name?"
    reply = await world.say("it's Sam Jones")
    assert reply.text == ("So that's a drain cleaning tomorrow at 10 am for Sam Jones. "
                          "Shall I book it?")
    reply = await world.say("yes please")
    assert reply.text == ("You're all set for tomorrow at 10 am. I've texted you a "
                          "confirmation. Anything else I can help with?")
    (booking,) = await booked(world)
    assert booking.service == "Drain cleaning" and booking.caller_name == "Sam Jones"
    assert booking.start.isoformat() == "2026-12-08T10:00:00-08:00"
    assert booking.call_sid == world.ctx.call_sid
    # the event is really in the calendar: the same time is no longer free
    search = await world.calendar.find_slots(world.business_id, "Drain cleaning",
                                             "tomorrow at 10am")
    assert search.preferred_free is False
    (confirmation,) = await world.texts(to=CALLER)
    assert confirmation.kind == "booking" and "Drain cleaning" in confirmation.body
    (team,) = await world.texts(to=TEAM_PHONE)
    assert team.kind == "team_bookings" and "Sam Jones" in team.body
    assert world.tool_names() == ["business_info", "find_slots", "book"]


async def test_the_first_one_when_asked_for_a_time_takes_the_first_free_slot(world: World):
    """Asked for a day and time, "the first one is fine" (or a time the line lost) gets the
    soonest opening, said aloud before the next question and confirmed at the end."""
    reply = await world.say("I'd like to book a drain cleaning")
    assert reply.text.endswith("What day and time would suit you?")
    reply = await world.say("The first one is fine.")
    assert reply.text.startswith("The first time I have is today at ")
    assert reply.text.endswith("Can I get your name?")
    await world.say("My name is John Smith.")
    reply = await world.say("Yes.")
    assert reply.text.startswith("You're all set for today at")
    (booking,) = await booked(world)
    assert booking.service == "Drain cleaning" and booking.caller_name == "John Smith"


async def test_choose_from_offered_times_with_stt_noise(world: World):
    await world.say("my name is Ana")
    reply = await world.say("i wanna book a leak detections on wednesday")
    assert reply.text.startswith("I have Wednesday the 9th at 7:30 am")
    assert reply.text.endswith("Which would you like?")
    reply = await world.say("the second one")
    assert reply.text.startswith("So that's a leak detection on Wednesday the 9th at")
    assert reply.text.endswith("for Ana. Shall I book it?")
    reply = await world.say("yep")
    assert reply.text.startswith("You're all set for Wednesday the 9th at")
    (booking,) = await booked(world)
    assert booking.service == "Leak detection" and booking.start.day == 9


@pytest.mark.parametrize("heard", [
    "I'd like to walk a clean in next Tuesday at 10.",  # "book a cleaning", as Whisper heard it
    "book a clean in on Tuesday at ten",
    "walk a cleaning next Tuesday at 10",
])
async def test_a_misheard_booking_request_still_books(world: World, heard: str):
    reply = await world.say(heard)
    assert reply.text == "Great. Can I get your name?", reply.text
    reply = await world.say("it's Sam Jones")
    assert reply.text.startswith("So that's a drain cleaning tomorrow at 10 am"), reply.text
    reply = await world.say("yes")
    assert reply.text.startswith("You're all set")
    (booking,) = await booked(world)  # on Tuesday the 8th: the day after the call's Monday
    assert booking.service == "Drain cleaning"
    assert booking.start.isoformat() == "2026-12-08T10:00:00-08:00"


async def test_a_service_word_with_a_day_is_no_booking_when_it_tells_of_the_past(world: World):
    reply = await world.say("your drain clean in last Tuesday at 10 was great")
    assert not await booked(world) and "name" not in reply.text
    assert world.tool_names().count("find_slots") == 0


async def test_a_service_wanted_by_a_word_of_its_name_starts_a_booking(world: World):
    # "book a drain cleaning next Tuesday…" as speech recognition may hear it: no day, no verb
    reply = await world.say("I'd like to walk a cleaning next to the exam")
    assert reply.text == "Sure, a drain cleaning. What day and time would suit you?"
    # a name given instead of a time is kept, and the time asked for again
    reply = await world.say("My name is John Smith.")
    assert reply.text == "Thanks, John Smith. What day and time would suit you?"
    reply = await world.say("tomorrow at 10 am")
    assert reply.text.startswith("So that's a drain cleaning tomorrow at 10 am for John Smith.")


async def test_a_word_of_a_service_name_alone_is_no_booking(world: World):
    # "leak" is a word of "Leak detection", but a leak sealant is something else
    reply = await world.say("I'd like some leak sealant")
    assert "leak detection" not in reply.text.lower() and "day and time" not in reply.text


async def test_asks_which_service_when_not_said(world: World):
    reply = await world.say("can I make an appointment")
    assert reply.text.startswith("Sure. What would you like to book? We offer Drain cleaning")
    reply = await world.say("the water heater flush please")
    assert reply.text == "Sure, a water heater flush. What day and time would suit you?"


async def test_taken_time_offers_alternatives(world: World):
    assert world.calendar is not None
    await world.calendar.book(world.business_id, "Drain cleaning", "2026-12-08T10:00",
                              caller_name="Someone Else", caller_phone=CALLER_2)
    reply = await world.say("book a drain cleaning tomorrow at 10am")
    assert reply.text.startswith("Tomorrow at 10 am is not available; I have")
    reply = await world.say("11 am")
    assert reply.text == "Great. Can I get your name?"
    reply = await world.say("Kim")
    assert reply.text == "So that's a drain cleaning tomorrow at 11 am for Kim. Shall I book it?"


async def test_slot_taken_between_offer_and_confirm(world: World):
    assert world.calendar is not None
    await world.say("I'm Lee. Book a drain cleaning tomorrow at 2pm")
    reply = world.replies[-1]
    assert reply.text.startswith("So that's a drain cleaning tomorrow at 2 pm for Lee")
    await world.calendar.book(world.business_id, "Drain cleaning", "2026-12-08T14:00",
                              caller_name="Quick Fingers", caller_phone=CALLER_2)
    reply = await world.say("yes")
    assert reply.text.startswith("Tomorrow at 2 pm is booked; I have")
    reply = await world.say("the first one")
    assert reply.text.startswith("So that's a drain cleaning tomorrow at")
    reply = await world.say("yes")
    assert reply.text.startswith("You're all set")
    assert len(await booked(world)) == 1 and len(await booked(world, CALLER_2)) == 1


async def test_calendar_down_while_searching_records_a_request(world: World, tmp_path: Path):
    server = await connect_external_calendar(world, tmp_path / "owners-caldav")
    await server.astop()
    reply = await world.say("I need a drain cleaning tomorrow morning, my name is Pat")
    assert reply.text.startswith("I can't reach the calendar right now. I've passed your "
                                 "request to the team")
    (request,) = await world.messages()
    assert request.kind == "callback_request" and "Drain cleaning" in request.reason
    assert request.name is None and request.caller_phone == CALLER
    (team,) = await world.texts(to=TEAM_PHONE)
    assert team.kind == "team_messages" and "Please follow up" in team.body


async def test_calendar_down_while_booking_is_recorded_by_the_calendar(world: World,
                                                                       tmp_path: Path):
    server = await connect_external_calendar(world, tmp_path / "owners-caldav")
    reply = await world.say("I'm Lee. Book a drain cleaning tomorrow at 2pm")
    assert reply.text.endswith("Shall I book it?")
    await server.astop()
    reply = await world.say("yes")
    assert "can't reach the calendar" in reply.text
    assert "confirm" in reply.text
    (team,) = await world.texts(to=TEAM_PHONE)
    assert team.kind == "team_bookings"  # the calendar's own request text
    (caller_text,) = await world.texts(to=CALLER)
    assert caller_text.kind == "booking"
    assert await world.messages() == []  # not recorded twice


async def test_cancel_by_the_callers_number(world: World):
    assert world.calendar is not None
    await world.calendar.book(world.business_id, "Drain cleaning", "2026-12-08T10:00",
                              caller_name="Sam", caller_phone=CALLER)
    await world.calendar.book(world.business_id, "Drain cleaning", "2026-12-08T11:00",
                              caller_name="Other", caller_phone=CALLER_2)
    reply = await world.say("I need to cancel my appointment")
    assert reply.text == "I see your drain cleaning tomorrow at 10 am. Shall I cancel it?"
    reply = await world.say("yes")
    assert reply.text == "Done, that's cancelled. Anything else I can help with?"
    assert await booked(world) == []
    assert len(await booked(world, CALLER_2)) == 1  # nobody else's


async def test_reschedule(world: World):
    assert world.calendar is not None
    await world.calendar.book(world.business_id, "Leak detection", "2026-12-08T10:00",
                              caller_name="Sam", caller_phone=CALLER)
    reply = await world.say("can I reschedule my appointment")
    assert reply.text == ("I see your leak detection tomorrow at 10 am. What day and time "
                          "would you like instead?")
    reply = await world.say("thursday at 1pm")
    assert reply.text == "So I'll move your booking to Thursday the 10th at 1 pm. Is that right?"
    reply = await world.say("yes")
    assert reply.text.startswith("Done, you're now booked for Thursday the 10th at 1 pm.")
    (moved,) = await booked(world)
    assert moved.start.isoformat() == "2026-12-10T13:00:00-08:00"


async def test_nothing_to_cancel(world: World):
    reply = await world.say("cancel my booking")
    assert reply.text.startswith("I can't find an upcoming booking")
    assert "take a message" in reply.text


# --- the tools directly: what a model could send ------------------------------------------


async def test_book_tool_checks_everything(world: World):
    r = await world.run("book", service="Drain cleaning", slot="2026-12-08T10:00", name="Al",
                        phone="+15550001111")
    assert r.error == "invalid_arguments"
    r = await world.run("book", service="Haircut", slot="2026-12-08T10:00", name="Al")
    assert r.error == "unknown_service" and "Drain cleaning" in r.data["services"]
    r = await world.run("book", service="drain cleaning", slot="next tuesday", name="Al")
    assert r.error == "invalid_slot"
    r = await world.run("book", service="drain cleaning", slot="2026-12-08T10:00",
                        name="555 0100")
    assert r.error == "invalid_name"
    r = await world.run("book", service="drain cleaning", slot="2026-12-13T10:00", name="Al")
    assert r.error == "slot_unavailable" and r.data["slots"]  # a Sunday: closed
    assert "outside our hours" in r.data["say"]
    r = await world.run("book", service="drain cleaning", slot="2026-12-07T09:15", name="Al")
    assert r.error == "slot_unavailable"  # inside the notice period
    assert await booked(world) == []
    r = await world.run("book", service="drain cleaning", slot="2026-12-08T10:00", name="Al")
    assert r.ok and r.data["label"] == "tomorrow at 10 am" and r.data["confirmation_texted"]
    world.new_call(caller=None)
    r = await world.run("book", service="drain cleaning", slot="2026-12-08T12:00", name="Al")
    assert r.error == "no_caller_number"


async def test_find_slots_tool(world: World):
    r = await world.run("find_slots", service="leak detection", when="friday afternoon")
    assert r.ok and r.data["service"] == "Leak detection"
    assert all(s["label"].startswith("Friday the 11th") for s in r.data["slots"])
    assert r.data["say"].startswith("I have Friday the 11th at")
    r = await world.run("find_slots", service="drain cleaning", when="purple")
    assert r.error == "bad_request"
    r = await world.run("find_slots", service="drain cleaning", when="")
    assert r.ok and r.data["slots"][0]["slot"] == "2026-12-07T10:00"  # soonest after notice

