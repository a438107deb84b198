"""Intent detection, slot extraction and spoken forms: the local brain's ears and mouth."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from receptionist.agent.local.intents import Intent, normalize, understand
from receptionist.agent.local.slots import (
    extract_name,
    extract_when,
    match_service,
    message_reason,
    pick_offered,
    service_asked_for,
    service_by_word,
)
from receptionist.core import (
    WeeklyHours,
    first_sentences,
    spoken_datetime,
    spoken_hours,
    spoken_list,
    spoken_price,
    spoken_time,
)


@pytest.mark.parametrize(("heard", "intent"), [
    ("What are your hours?", Intent.HOURS),
    ("what time do you close today", Intent.HOURS),
    ("are you open on saturday", Intent.HOURS),
    ("Where are you located?", Intent.ADDRESS),
    ("what's the address", Intent.ADDRESS),
    ("How much is a water heater flush?", Intent.PRICES),
    ("Do you do emergency call-outs?", Intent.SERVICES),
    ("I'd like to book an appointment", Intent.BOOK),
    ("can I come in tomorrow", Intent.BOOK),
    ("do you have any availability next week", Intent.BOOK),
    ("Can I talk to a real person", Intent.HUMAN),
    ("let me speak to someone please", Intent.HUMAN),
    ("operator", Intent.HUMAN),
    ("I want to leave a message", Intent.MESSAGE),
    ("could you have someone call me back", Intent.MESSAGE),
    ("I need to cancel my appointment", Intent.CANCEL),
    ("can I reschedule", Intent.RESCHEDULE),
    ("move my appointment to friday", Intent.RESCHEDULE),
    ("text me the booking link", Intent.LINK),
    ("no that's all thanks bye", Intent.GOODBYE),
    ("goodbye", Intent.GOODBYE),
    ("yeah that works", Intent.YES),
    ("nope", Intent.NO),
    ("sorry could you say that again", Intent.REPEAT),
])
def test_intents(heard: str, intent: Intent) -> None:
    assert intent in understand(heard).intents


@pytest.mark.parametrize(("heard", "absent"), [
    ("could you have someone call me back", Intent.HUMAN),   # a message, not a transfer
    ("what are your opening hours", Intent.BOOK),
    ("what is your cancellation policy", Intent.CANCEL),
])
def test_intents_not_confused(heard: str, absent: Intent) -> None:
    assert absent not in understand(heard).intents


def test_normalize_handles_stt_forms() -> None:
    assert normalize("Three thirty P.M.") == "3:30 pm"
    assert normalize("at four forty five pm") == "at 4:45 pm"
    assert normalize("Half past two") == "2:30"
    assert normalize("It's—Sam’s booking!") == "it's sam's booking"


def test_urgency() -> None:
    assert understand("my basement is flooding").urgent
    assert not understand("when are you open").urgent


@given(st.text(max_size=300))
def test_understanding_never_fails(text: str) -> None:
    u = understand(text)
    extract_when(u.norm)
    extract_when(u.norm, expecting=True)
    extract_name(text, u.norm, expecting=True)
    match_service(u.norm, ["Drain cleaning", "Water heater repair"])
    message_reason(u.norm)
    pick_offered(u.norm, ["a", "b"], [(0, 9, 0), (0, 10, 30)])


@pytest.mark.parametrize(("heard", "when"), [
    ("I'd like to book a haircut next Tuesday at three thirty p.m.", "next tuesday at 3:30 pm"),
    ("can i come in tuesday for a drain cleaning after 3", "tuesday after 3"),
    ("tomorrow morning please", "tomorrow morning"),
    ("as soon as possible", "soonest"),
    ("I need 2 drains cleared", None),
    ("how about the 14th of march at 10", "14th of march at 10"),
    ("friday afternoon or saturday morning", "friday afternoon or saturday morning"),
])
def test_when(heard: str, when: str | None) -> None:
    assert extract_when(normalize(heard)) == when


def test_bare_number_is_a_time_only_when_asked() -> None:
    assert extract_when(normalize("3")) is None
    assert extract_when(normalize("3"), expecting=True) == "3"


SERVICES = ["Drain cleaning", "Water heater repair", "Leak detection", "Emergency call-out"]


@pytest.mark.parametrize(("heard", "service"), [
    ("my drain is blocked I need drain cleaning", "Drain cleaning"),
    ("a drains cleaning", "Drain cleaning"),            # plural noise
    ("water heater", "Water heater repair"),
    ("waterheater repair", "Water heater repair"),      # words run together
    ("leak detections", "Leak detection"),
    ("emergency callout", "Emergency call-out"),
    ("a haircut", None),
])
def test_service_matching(heard: str, service: str | None) -> None:
    assert match_service(normalize(heard), SERVICES) == service


@pytest.mark.parametrize(("heard", "expecting", "name"), [
    ("My name is Sam Jones", False, "Sam Jones"),
    ("it's sam", False, "Sam"),
    ("Sam", True, "Sam"),
    ("uh yeah it's Maria Lopez thanks", True, "Maria Lopez"),
    ("this is Dave from accounts", False, "Dave"),
    ("I'm looking for a plumber", False, None),
    ("I'm calling about my boiler", False, None),
    ("tuesday at 3", True, None),
    ("Sam", False, None),
])
def test_names(heard: str, expecting: bool, name: str | None) -> None:
    assert extract_name(heard, normalize(heard), expecting=expecting) == name


def test_pick_offered() -> None:
    starts = [(1, 15, 0), (1, 15, 30), (2, 16, 0)]
    labels = ["Tue 3 pm", "Tue 3:30 pm", "Wed 4 pm"]
    assert pick_offered(normalize("the second one"), labels, starts) == 1
    assert pick_offered(normalize("three thirty please"), labels, starts) == 1
    assert pick_offered(normalize("4 pm"), labels, starts) == 2
    assert pick_offered(normalize("wednesday"), labels, starts) == 2
    assert pick_offered(normalize("the last one"), labels, starts) == 2
    assert pick_offered(normalize("tuesday"), labels, starts) is None  # two on Tuesday
    assert pick_offered(normalize("something else"), labels, starts) is None


def test_message_reason() -> None:
    heard = "can you take a message for Bob, the kitchen sink is leaking again"
    assert message_reason(normalize(heard)) == "the kitchen sink is leaking again"
    assert message_reason(normalize("I want to leave a message")) is None


def test_spoken_forms() -> None:
    assert spoken_time(time(15, 0)) == "3 pm"
    assert spoken_time(time(9, 30)) == "9:30 am"
    assert spoken_time(time(12, 0)) == "noon"
    assert spoken_list(["a", "b", "c"], "or") == "a, b or c"
    assert spoken_price(45) == "$45"
    assert spoken_price(45.5) == "$45.50"
    assert spoken_price("from $1,450") == "from $1,450"
    hours = WeeklyHours.parse("Mon-Fri 07:30-18:00; Sat 09:00-14:00")
    assert spoken_hours(hours) == ("Monday to Friday, 7:30 am to 6 pm; Saturday, 9 am to 2 pm. "
                                   "Closed Sunday.")
    moment = datetime(2026, 3, 10, 15, 0)
    assert spoken_datetime(moment) == "Tuesday March 10 at 3 pm"
    assert spoken_datetime(moment, today=date(2026, 3, 9)) == "tomorrow at 3 pm"
    long = "First sentence here. Then " + "word " * 100
    assert first_sentences(long, 60) == "First sentence here."


class BrokenTools:
    """A ToolBox whose backend has a bug: the local brain must still answer."""

    def schemas(self) -> list[dict]:
        return []

    async def run(self, ctx, call):
        raise RuntimeError("bug")


async def test_local_brain_never_leaves_a_caller_in_silence() -> None:
    from receptionist.agent import CallContext, LocalBrain

    brain = LocalBrain(BrokenTools())
    ctx = CallContext("CA1", 1, "Acme", None, "UTC")
    reply = await brain.reply(ctx, [], "what are your hours")
    assert reply.text.startswith("Sorry, I didn't get that.") and reply.action is None
    again = await brain.reply(ctx, [], "yes please")  # it offered to take a message
    assert again.text.startswith("Sure, I can take a message")


def test_a_booking_may_name_a_long_service_by_one_of_its_words() -> None:
    services = ["Root Canal Treatment", "Teeth Cleaning & Scaling", "Teeth Whitening",
                "Dental Implants", "Restorative Dentistry"]
    said = normalize("I'd like to book a cleaning next Tuesday at 10")
    assert match_service(said, services) is None  # no name is near enough
    assert service_by_word(said, services) == "Teeth Cleaning & Scaling"
    assert service_by_word(normalize("book my teeth in"), services) is None  # two names
    assert service_by_word(normalize("book something"), services) is None



def test_a_service_word_is_heard_through_speech_recognition_errors() -> None:
    services = ["Root Canal Treatment", "Teeth Cleaning & Scaling", "Teeth Whitening",
                "Porcelain Veneers", "Dental Implants"]
    for heard in ("I'd like to walk a clean in next Tuesday at 10.",  # two words run together
                  "book a clean in on Tuesday at ten",
                  "walk a cleaning next to the exam",
                  "I need a clean on Friday"):                       # the stem
        assert service_by_word(normalize(heard), services) == "Teeth Cleaning & Scaling", heard
    assert service_by_word(normalize("a teeth whitning on Friday"), services) is None  # 2 names
    assert service_by_word(normalize("whitning on Friday"), services) == "Teeth Whitening"
    # near is not the same: short words must be exact, and one letter off is the most
    assert service_by_word(normalize("I want to clear the air"), services) is None
    assert service_by_word(normalize("the rota on Friday"), services) is None


def test_a_service_asked_for_is_a_word_of_its_name_that_ends_the_request() -> None:
    services = ["Teeth Cleaning & Scaling", "Teeth Whitening", "Leak detection",
                "Custom Orthotics"]
    for heard in ("I'd like to walk a cleaning next to the exam", "I'd like a cleaning",
                  "I'd like to moke a clean in for my son", "I need custom orthotics"):
        assert service_asked_for(normalize(heard), services) is not None, heard
    for heard in ("I'd like some leak sealant", "Can I get custom shoe inserts made there?",
                  "I'd like my teeth looked at"):  # another thing, or two names
        assert service_asked_for(normalize(heard), services) is None, heard
