"""``/`` the overview (this week and this month, three charts) and ``/overview.csv``.

Call counts come from the call lifecycle's table; text-back, reply, conversion, response-time and
opt-out figures from ``textback``'s report, so the page and ``receptionist report`` agree.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import and_, func, select

from receptionist.core import Database, SmsProvider
from receptionist.deps import DbDep, SettingsDep, TextbackDep
from receptionist.telephony.models import Call
from receptionist.web.charts import Series, bar_chart
from receptionist.web.templating import PageScopeDep, render
from textback import ContactEvent, Decision, Message, Report, TextbackService
from textback.metrics import ATTRIBUTION_WINDOW

__all__ = ["router"]

router = APIRouter()

CHART_DAYS = 30
# Response-time buckets (upper bound in seconds, label).
RESPONSE_BUCKETS = [(5 * 60, "< 5 min"), (15 * 60, "5–15 min"), (3600, "15–60 min"),
                    (4 * 3600, "1–4 h"), (24 * 3600, "4–24 h"), (None, "> 1 day")]


@dataclass
class CallCounts:
    total: int = 0
    handled_by_ai: int = 0
    answered_by_team: int = 0
    missed: int = 0
    in_progress: int = 0


@dataclass
class Period:
    label: str
    since: datetime
    until: datetime
    calls: CallCounts = field(default_factory=CallCounts)
    report: Report | None = None


def periods_for(now: datetime, tz: ZoneInfo) -> list[Period]:
    """This week (from Monday) and this month, in the business's time zone."""
    today = now.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)

    def start(d: date) -> datetime:
        return datetime.combine(d, time(0), tz).astimezone(UTC)

    return [Period("This week", start(monday), now), Period("This month", start(first), now)]


async def count_calls(db: Database, business_id: int, since: datetime,
                      until: datetime) -> CallCounts:
    async with db.transaction() as session:
        rows = (await session.execute(
            select(Call.outcome, func.count(Call.id))
            .where(Call.business_id == business_id, Call.started_at >= since,
                   Call.started_at < until)
            .group_by(Call.outcome)
        )).all()
    counts = CallCounts()
    for outcome, n in rows:
        counts.total += n
        if outcome in ("handled_by_ai", "answered_by_team", "missed"):
            setattr(counts, outcome, getattr(counts, outcome) + n)
        else:
            counts.in_progress += n
    return counts


@dataclass
class DailySeries:
    labels: list[str]
    missed: list[int]
    recovered: list[int]
    lost: list[int]


async def daily_missed(db: Database, business_id: int, now: datetime,
                       tz: ZoneInfo) -> DailySeries:
    """Missed calls per local day over the last 30 days, and of them how many were recovered:
    the caller replied to the text-back, booked or was handled on a later call within the
    attribution window (``textback.metrics``)."""
    days = [now.astimezone(tz).date() - timedelta(days=i) for i in range(CHART_DAYS - 1, -1, -1)]
    since = datetime.combine(days[0], time(0), tz).astimezone(UTC)
    async with db.transaction() as session:
        decisions = (await session.execute(
            select(Decision.caller, Decision.decided_at)
            .where(Decision.business_id == business_id, Decision.decided_at >= since)
        )).all()
        replies = (await session.execute(
            select(Message.contact_phone, Message.created_at)
            .where(Message.business_id == business_id, Message.direction == "in",
                   Message.kind == "reply", Message.created_at >= since)
        )).all()
        events = (await session.execute(
            select(ContactEvent.phone, ContactEvent.at)
            .where(and_(ContactEvent.business_id == business_id, ContactEvent.at >= since))
        )).all()
    later: dict[str, list[datetime]] = {}
    for phone, at in [*replies, *events]:
        later.setdefault(phone or "", []).append(at)
    index = {d: i for i, d in enumerate(days)}
    missed, recovered = [0] * len(days), [0] * len(days)
    for caller, at in decisions:
        i = index.get(at.astimezone(tz).date())
        if i is None:
            continue
        missed[i] += 1
        if any(timedelta(0) <= t - at <= ATTRIBUTION_WINDOW for t in later.get(caller or "", [])):
            recovered[i] += 1
    return DailySeries(labels=[d.strftime("%d %b") for d in days], missed=missed,
                       recovered=recovered, lost=[m - r for m, r in zip(missed, recovered,
                                                                        strict=True)])


def response_histogram(seconds: list[float]) -> list[int]:
    counts: Counter[int] = Counter()
    for s in seconds:
        for i, (upper, _) in enumerate(RESPONSE_BUCKETS):
            if upper is None or s < upper:
                counts[i] += 1
                break
    return [counts[i] for i in range(len(RESPONSE_BUCKETS))]


async def load_periods(db: Database, textback: TextbackService, business_id: int,
                       now: datetime, tz: ZoneInfo) -> list[Period]:
    periods = periods_for(now, tz)
    for p in periods:
        p.calls = await count_calls(db, business_id, p.since, p.until)
        p.report = await textback.report(business_id, p.since, p.until)
    return periods


@router.get("/", response_class=HTMLResponse)
async def overview(request: Request, scope: PageScopeDep, db: DbDep, textback: TextbackDep,
                   settings: SettingsDep) -> HTMLResponse:
    business = scope.business
    if business is None:
        return render(request, scope, "overview.html", active="overview", title="Overview")
    now = datetime.now(UTC)
    periods = await load_periods(db, textback, business.id, now, scope.tz)
    daily = await daily_missed(db, business.id, now, scope.tz)
    month = periods[1].report
    assert month is not None
    charts = {
        "missed": bar_chart("Missed calls per day (last 30 days)", daily.labels,
                            [Series("missed calls", daily.missed, "s-missed")],
                            chart_id="chart-missed", label_every=5),
        "recovered": bar_chart("Missed calls recovered vs lost (last 30 days)", daily.labels,
                               [Series("recovered", daily.recovered, "s-recovered"),
                                Series("lost", daily.lost, "s-lost")],
                               chart_id="chart-recovered", label_every=5),
        "response": bar_chart("Time to first answer (this month)",
                              [label for _, label in RESPONSE_BUCKETS],
                              [Series("threads", response_histogram(month.first_response_s),
                                      "s-response")], chart_id="chart-response"),
    }
    demo = settings.demo and settings.sms_provider is SmsProvider.CONSOLE
    return render(request, scope, "overview.html", active="overview", title="Overview",
                  periods=periods, charts=charts,
                  demo_number=business.primary_number if demo else None)


@router.get("/overview.csv")
async def overview_csv(scope: PageScopeDep, db: DbDep, textback: TextbackDep) -> Response:
    business = scope.require_business()
    periods = await load_periods(db, textback, business.id, datetime.now(UTC), scope.tz)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["metric", *(p.label.lower().replace(" ", "_") for p in periods)])
    writer.writerow(["period_start", *(p.since.isoformat() for p in periods)])
    for name in ("total", "handled_by_ai", "answered_by_team", "missed"):
        writer.writerow([f"calls_{name}", *(getattr(p.calls, name) for p in periods)])
    for name in ("textbacks_sent", "textbacks_failed", "replies", "reply_rate", "conversions",
                 "conversion_rate", "median_first_response_s", "opt_outs", "opt_out_rate", "held"):
        writer.writerow([name, *("" if getattr(p.report, name) is None
                                 else getattr(p.report, name) for p in periods)])
    filename = f"overview-{business.id}-{datetime.now(UTC):%Y%m%d}.csv"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
