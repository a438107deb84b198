"""``/inbox``: threads, unread counts, answering through the outbox, "mark handled"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from receptionist.core import Database
from scripts.doubles.factories import BUSINESS_NUMBER, CALLER, CALLER_2, add_business
from scripts.doubles.twilio_rest import TwilioRestDouble
from tests.support.pages import PageClient
from textback import Contact, Message


async def caller_texts(pages: PageClient, body: str, *, from_: str = CALLER,
                       sid: str = "SM1") -> None:
    """An inbound SMS, through the same service the Twilio webhook calls."""
    await pages.services.textback.receive_sms(to=BUSINESS_NUMBER, from_=from_, body=body,
                                              message_sid=sid)


async def code_of(db: Database, phone: str = CALLER) -> str:
    async with db.transaction() as s:
        return str(await s.scalar(select(Contact.short_code).where(Contact.phone == phone)))


async def texted_back(db: Database, business_id: int) -> None:
    async with db.transaction() as s:
        s.add(Message(business_id=business_id, direction="out", kind="textback",
                      to_number=CALLER, from_number=BUSINESS_NUMBER, body="Sorry we missed you",
                      contact_phone=CALLER, status="delivered",
                      created_at=datetime.now(UTC) - timedelta(minutes=30)))


def nonce_of(html: str) -> str:
    found = re.search(r'name="nonce" value="([^"]+)"', html)
    assert found
    return found.group(1)


async def test_threads_unread_and_reading(pages: PageClient, db: Database):
    bid = await add_business(db)
    await pages.as_owner(bid)
    r = await pages.get("/inbox")
    assert "No texts yet" in r.text
    await caller_texts(pages, "Can you come today?")
    await caller_texts(pages, "It's leaking", sid="SM2")
    await caller_texts(pages, "Hello?", from_=CALLER_2, sid="SM3")
    assert (await pages.get("/inbox/unread")).json() == {"unread": 3}
    r = await pages.get("/inbox")
    assert r.text.count('class="unread"') == 2 and "It&#39;s leaking" in r.text
    assert 'id="unread-badge"' in r.text and 'aria-label="3 unread"' in r.text
    fragment = (await pages.get("/inbox/threads")).text  # what the page polls
    assert "Hello?" in fragment and "<html" not in fragment
    code = await code_of(db)
    r = await pages.get(f"/inbox/{code}")
    assert r.status_code == 200 and "Can you come today?" in r.text
    assert '<textarea id="reply-body" name="body"' in r.text
    assert (await pages.get("/inbox/unread")).json() == {"unread": 1}
    await caller_texts(pages, "Still there?", sid="SM4")
    assert "Still there?" in (await pages.get(f"/inbox/{code}/messages")).text
    found = (await pages.get("/inbox/threads", params={"q": "555-0144"})).text
    assert found.count("<li") == 1 and "Hello?" in found
    await caller_texts(pages, "<script>alert(1)</script>", sid="SM5")  # shown, never run
    page = (await pages.get(f"/inbox/{code}")).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page


async def test_answer_goes_through_the_outbox_to_twilio_once(twilio_pages: PageClient,
                                                             db: Database,
                                                             twilio: TwilioRestDouble):
    pages = twilio_pages
    bid = await add_business(db)
    await pages.as_owner(bid)
    await texted_back(db, bid)
    await caller_texts(pages, "Can you come today?")
    code = await code_of(db)
    page = await pages.get(f"/inbox/{code}")
    form = {"body": "Yes, at 3 pm.", "nonce": nonce_of(page.text)}
    r = await pages.post(f"/inbox/{code}/reply", data=form)
    assert r.status_code == 303 and r.headers["location"] == f"/inbox/{code}?sent=1"
    # Stored before it is sent: the row is in the outbox, from the business number.
    async with db.transaction() as s:
        row = (await s.execute(select(Message).where(Message.kind == "answer"))).scalar_one()
    assert (row.to_number, row.from_number, row.status) == (CALLER, BUSINESS_NUMBER, "pending")
    assert (await pages.post(f"/inbox/{code}/reply", data=form)).status_code == 303  # resent
    await pages.services.outbox.drain()
    sent = [m for m in twilio.messages if m.body == "Yes, at 3 pm."]
    assert len(sent) == 1 and sent[0].to == CALLER and sent[0].from_ == BUSINESS_NUMBER
    r = await pages.get(f"/inbox/{code}")
    assert "Yes, at 3 pm." in r.text
    report = await pages.services.textback.report(bid, datetime.now(UTC) - timedelta(days=1),
                                                  datetime.now(UTC))
    assert report.median_first_response_s is not None  # an inbox answer is the team's answer


async def test_bad_answers_are_refused_clearly(pages: PageClient, db: Database):
    bid = await add_business(db)
    await pages.as_owner(bid)
    await caller_texts(pages, "Hi")
    code = await code_of(db)
    r = await pages.post(f"/inbox/{code}/reply", data={"body": "   "})
    assert r.status_code == 422 and "the answer is empty" in r.text
    r = await pages.post(f"/inbox/{code}/reply", data={"body": "x" * 1601})
    assert r.status_code == 422 and "longer than 1600" in r.text
    await caller_texts(pages, "STOP", sid="SM9")
    r = await pages.post(f"/inbox/{code}/reply", data={"body": "Sorry!"})
    assert r.status_code == 422 and "opted out" in r.text
    assert (await pages.post("/inbox/ZZZZ/reply", data={"body": "Hi"})).status_code == 404


async def test_mark_handled_feeds_the_response_time(pages: PageClient, db: Database):
    bid = await add_business(db)
    await pages.as_owner(bid)
    await texted_back(db, bid)
    await caller_texts(pages, "Please call me back")
    code = await code_of(db)
    r = await pages.post(f"/inbox/{code}/handled")
    assert r.status_code == 303
    assert "Handled" in (await pages.get(f"/inbox/{code}")).text
    assert "· handled" in (await pages.get("/inbox")).text
    report = await pages.services.textback.report(bid, datetime.now(UTC) - timedelta(days=1),
                                                  datetime.now(UTC))
    assert report.median_first_response_s is not None and report.median_first_response_s < 60


async def test_another_business_thread_is_not_found(pages: PageClient, db: Database):
    await add_business(db)
    other = await add_business(db, name="Other", number="+12025550177")
    await caller_texts(pages, "Hi")
    code = await code_of(db)
    await pages.as_owner(other)
    assert (await pages.get(f"/inbox/{code}")).status_code == 404
    assert (await pages.post(f"/inbox/{code}/reply", data={"body": "x"})).status_code == 404
    assert (await pages.post(f"/inbox/{code}/handled")).status_code == 404
    assert "No texts yet" in (await pages.get("/inbox")).text
