"""``/`` the overview and ``/overview.csv``: figures, charts, who may see them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from receptionist.core import Database
from receptionist.telephony.models import Call
from receptionist.web.charts import Series, bar_chart
from scripts.doubles.factories import CALLER, CALLER_2, add_business
from tests.support.pages import PageClient
from textback import Decision, Message


async def seed_calls(db: Database, business_id: int) -> None:
    now = datetime.now(UTC)
    async with db.transaction() as s:
        for i, outcome in enumerate(["handled_by_ai", "answered_by_team", "missed", "missed"]):
            s.add(Call(call_sid=f"CA{business_id}{i}", business_id=business_id,
                       from_number=CALLER if i < 3 else CALLER_2, outcome=outcome,
                       started_at=now - timedelta(minutes=10 + i)))
        s.add(Decision(call_sid=f"CA{business_id}2", business_id=business_id, caller=CALLER,
                       missed_reason="no_answer", action="send",
                       decided_at=now - timedelta(minutes=9)))
        s.add(Decision(call_sid=f"CA{business_id}3", business_id=business_id, caller=CALLER_2,
                       missed_reason="no_answer", action="send",
                       decided_at=now - timedelta(minutes=9)))
        for phone in (CALLER, CALLER_2):
            s.add(Message(business_id=business_id, direction="out", kind="textback",
                          to_number=phone, from_number="+12025550100", body="Sorry",
                          contact_phone=phone, status="delivered",
                          created_at=now - timedelta(minutes=9)))
        s.add(Message(business_id=business_id, direction="in", kind="reply",
                      to_number="+12025550100", from_number=CALLER, body="Call me",
                      contact_phone=CALLER, status="received",
                      created_at=now - timedelta(minutes=8)))
        s.add(Message(business_id=business_id, direction="out", kind="answer",
                      to_number=CALLER, from_number="+12025550100", body="On it",
                      contact_phone=CALLER, status="delivered",
                      created_at=now - timedelta(minutes=6)))


async def test_anonymous_visitor_is_sent_to_sign_in(pages: PageClient, db: Database):
    await add_business(db)
    r = await pages.get("/")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


async def test_overview_shows_this_week_and_month_with_charts(pages: PageClient, db: Database):
    bid = await add_business(db)
    await seed_calls(db, bid)
    await pages.as_owner(bid)
    r = await pages.get("/")
    assert r.status_code == 200
    html = r.text
    assert "This week" in html and "This month" in html
    assert 'id="chart-missed"' in html and 'id="chart-recovered"' in html
    assert 'id="chart-response"' in html and "<svg" in html
    # 4 calls: one by AI, one by team, two missed; 2 text-backs; 1 of 2 replied (50%); the
    # reply was answered after 2 minutes.
    assert "<dt>Calls</dt><dd>4</dd>" in html
    assert "<dt>Missed</dt><dd>2</dd>" in html
    assert "<dt>Reply rate</dt><dd>50%</dd>" in html
    assert "<dt>Median response</dt><dd>2 min</dd>" in html
    # The recovered-vs-lost chart: today has one recovered (replied) and one lost.
    assert "1 recovered" in html and "1 lost" in html


async def test_csv_export(pages: PageClient, db: Database):
    bid = await add_business(db)
    await seed_calls(db, bid)
    await pages.as_owner(bid)
    r = await pages.get("/overview.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(r.text))}
    assert rows["calls_total"] == ["4", "4"]
    assert rows["calls_missed"] == ["2", "2"]
    assert rows["textbacks_sent"] == ["2", "2"]
    assert rows["median_first_response_s"] == ["120.0", "120.0"]


async def test_owner_never_sees_another_business(pages: PageClient, db: Database):
    mine = await add_business(db)
    other = await add_business(db, name="Other Co", number="+12025550177")
    await seed_calls(db, other)
    await pages.as_owner(mine)
    assert (await pages.get(f"/?business={other}")).status_code == 404
    r = await pages.get("/")
    assert "Other Co" not in r.text and "<dt>Calls</dt><dd>0</dd>" in r.text
    assert "No calls yet" in r.text  # the empty state says what to do next
    await pages.as_operator()
    r = await pages.get(f"/?business={other}")
    assert r.status_code == 200 and "Other Co" in r.text and "<dt>Calls</dt><dd>4</dd>" in r.text


def test_chart_scales_and_labels_its_bars():
    svg = bar_chart("Missed", ["Mon", "Tue"], [Series("missed", [3, 0], "s-missed")],
                    chart_id="c")
    assert svg.count("<rect") == 1 and "Mon: 3 missed" in svg
    assert 'aria-label="Missed: 3 in all"' in svg
    assert "<th scope=row>Tue</th><td>0</td>" in svg  # the same numbers as a table
