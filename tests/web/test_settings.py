"""``/settings``: each section saves through the CLI's rules; bad input is refused clearly."""

from __future__ import annotations

from receptionist.call import choose_engine
from receptionist.core import Database, get_business
from scripts.doubles.factories import add_business
from tests.support.pages import PageClient
from textback import count_segments


async def business(db: Database, bid: int):
    async with db.transaction() as s:
        return await get_business(s, bid)


async def test_page_shows_every_section(pages: PageClient, db: Database):
    await pages.as_owner(await add_business(db))
    r = await pages.get("/settings")
    assert r.status_code == 200
    for anchor in ("routing", "hours", "greeting", "engine", "textback", "team", "calendar",
                   "twilio"):
        assert f'id="{anchor}"' in r.text
    assert "http://127.0.0.1:" in r.text and "/twilio/voice</code>" in r.text
    assert "/twilio/sms</code>" in r.text
    assert "SMS segment" in r.text and "Hi, this is Greenfield Plumbing" in r.text
    assert 'id="access"' in r.text and "owner1@example.com" in r.text  # users and tokens


async def test_preview_counts_with_the_outbox_rule(pages: PageClient, db: Database):
    await pages.as_owner(await add_business(db))
    r = await pages.get("/settings/preview", params={"template": "{business}: call us ☎"})
    data = r.json()
    assert data["body"] == "Greenfield Plumbing: call us ☎"
    info = count_segments(data["body"])
    assert (data["segments"], data["encoding"], data["units"]) == (1, "UCS-2", info.units)
    long = (await pages.get("/settings/preview", params={"template": "x" * 161})).json()
    assert long["segments"] == 2 and long["warning"]
    bad = (await pages.get("/settings/preview", params={"template": "{nope}"})).json()
    assert "unknown placeholder" in bad["error"]


async def test_sections_save(pages: PageClient, db: Database):
    bid = await add_business(db)
    await pages.as_owner(bid)
    r = await pages.post("/settings/routing", data={"routing": "ring_then_ai",
                                                    "ring_seconds": "25", "forward_to": ""})
    assert r.status_code == 303 and r.headers["location"] == "/settings?saved=routing#routing"
    r = await pages.post("/settings/hours", data={"hours": "Mon-Fri 08:00-16:00",
                                                  "closed": "2026-12-25",
                                                  "timezone": "America/Chicago"})
    assert r.status_code == 303
    await pages.post("/settings/greeting", data={"greeting": "Greenfield, how can I help?"})
    await pages.post("/settings/textback", data={"template": "{business}: sorry! {booking_link}",
                                                 "after_hours_template": "",
                                                 "cooldown_hours": "12"})
    await pages.post("/settings/team", data={"name": "Sam", "phone": "(202) 555-0199",
                                             "receives": ["bookings"]})
    await pages.post("/settings/engine", data={"engine": "pipeline"})
    b = await business(db, bid)
    assert (b.routing, b.ring_seconds, b.forward_to) == ("ring_then_ai", 25, None)
    assert not b.after_hours_textback
    assert b.weekly_hours.to_text().startswith("Mon") and b.closed_dates == ["2026-12-25"]
    assert b.timezone == "America/Chicago" and b.greeting == "Greenfield, how can I help?"
    assert b.textback_template == "{business}: sorry! {booking_link}"
    assert not b.textback_enabled and b.textback_cooldown_hours == 12
    assert "greeting" in b.overrides and "hours" in b.overrides  # a re-crawl keeps them
    sam = next(m for m in b.team if m.name == "Sam")
    assert (sam.phone, sam.receives_kinds) == ("+12025550199", ["bookings"])
    async with db.transaction() as s:
        assert await choose_engine(s, bid, None, b.created_at) == "pipeline"
    r = await pages.post(f"/settings/team/{sam.id}", data={"remove": "1"})
    assert r.status_code == 303
    assert [m.name for m in (await business(db, bid)).team] == ["Dana"]


async def test_bad_input_is_refused_with_the_reason(pages: PageClient, db: Database):
    bid = await add_business(db)
    await pages.as_owner(bid)
    cases = [
        ("/settings/routing", {"routing": "telepathy"}, "routing must be one of"),
        ("/settings/routing", {"routing": "ai", "ring_seconds": "500"}, "between 5 and 120"),
        ("/settings/hours", {"hours": "whenever"}, ""),
        ("/settings/hours", {"timezone": "Mars/Olympus"}, "unknown time zone"),
        # longer than a file name may be: zoneinfo raises OSError, not "not found"
        ("/settings/hours", {"timezone": "T\u0335o\u0336 " * 40}, "unknown time zone"),
        ("/settings/textback", {"template": "Hi {name}"}, "unknown placeholder"),
        ("/settings/team", {"name": "X", "phone": "12"}, ""),
        ("/settings/engine", {"engine": "magic"}, "engine must be one of"),
    ]
    for path, form, reason in cases:
        r = await pages.post(path, data=form)
        assert r.status_code == 422, (path, form)
        assert reason in r.text and 'class="flash error"' in r.text
    b = await business(db, bid)
    assert b.routing == "ring_then_textback" and b.timezone == "America/New_York"


async def test_staff_may_look_but_not_change(pages: PageClient, db: Database):
    bid = await add_business(db)
    await pages.as_staff(bid)
    assert (await pages.get("/settings")).status_code == 200
    r = await pages.post("/settings/greeting", data={"greeting": "Yo"})
    assert r.status_code == 403


async def test_another_business_settings_are_not_found(pages: PageClient, db: Database):
    await add_business(db)
    other = await add_business(db, name="Other", number="+12025550177")
    await pages.as_owner(1)
    assert (await pages.get(f"/settings?business={other}")).status_code == 404
    r = await pages.post(f"/settings/greeting?business={other}", data={"greeting": "x"})
    assert r.status_code == 404
    assert (await business(db, other)).greeting is None
