"""Answers, not just passages: the receptionist over the text channel on real small-business
sites (figures for docs/benchmarks.md).

    .venv/bin/python scripts/bench_answers.py [--sites DIR] [--only NAME]
        [--brain local|openai|both]
        [--misses]

For every site of the development set (a static document root plus ``<name>.json`` ground truth,
see its README): serve it on 127.0.0.1, onboard it into a fresh SQLite database through the
composition root (the same crawl, profile, index and bookable services as ``receptionist
onboard``), then ask each ground-truth question in a new text conversation (``ChatService``):

- answered: a question the site answers gets a reply holding every ``answer_contains`` string
  (case-insensitive, after normalising times and numbers: ``1 pm`` = ``1:00pm``, ``3,500`` =
  ``3500``);
- honest: a question the site cannot answer gets a decline ("I don't know that — I can take a
  message") and no fact of its own; a reply that states something instead counts as invented;
- booking: right after onboarding, "I'd like to book a <first bookable service> next Tuesday
  at 10", a name, "yes" — booked in the business's calendar (the embedded Radicale).

Brains: ``local`` (no model) and ``openai``: the OpenAI brain through the real SDK against the
HTTP double in scripts/doubles, scripted as a grounded model — it calls ``search_knowledge`` with
the caller's question and answers only from the passages the tool returned (declining when the
tool says nothing was found). The double does not reason, so that figure measures tool use and
grounding (did the fact reach the model, did the model decline without it), not a model's wit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402

from receptionist.cli import upgrade_database  # noqa: E402
from receptionist.core import FixedClock, Settings  # noqa: E402
from receptionist.services import Overrides, build_services  # noqa: E402
from scripts.doubles.openai_http import CallTool, ChatTurn, OpenAIHttpDouble, Say  # noqa: E402
from scripts.doubles.real_sites import DECLINE, holds  # noqa: E402
from scripts.doubles.static_site import StaticSite  # noqa: E402
from scripts.machine_ref import machine_reference  # noqa: E402
from textback import ConsoleSmsSender  # noqa: E402

SITES = Path("/work/shared/fixtures/real-sites")
CALLER = "+12025550143"
NUMBER = "+12025550100"
@dataclass
class SiteResult:
    name: str
    answerable: int = 0
    answered: int = 0
    unanswerable: int = 0
    honest: int = 0
    invented: int = 0
    booked: bool = False
    booking_note: str = ""
    misses: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


_TOPICS = {"hours": re.compile(r"\b(open|close|hours|what time)\b", re.I),
           "address": re.compile(r"\b(where|address|located|location)\b", re.I),
           "contact": re.compile(r"\b(phone|number|call you)\b", re.I)}
_FIELD = {"hours": "hours", "address": "address", "contact": "phone"}
_BOOK = re.compile(r"book an? (?P<service>.+?) (?P<when>next \w+ at \d+)", re.I)


def grounded_model(turn: ChatTurn) -> Any:
    """A model that uses the tools and says only what they returned."""
    outputs = [json.loads(o) for o in turn.tool_outputs]
    asked = turn.last_user_text or ""
    booking = _BOOK.search(asked)
    if booking is not None:  # find a slot, book the first one offered, say what the tool said
        if not outputs:
            return CallTool("find_slots", {"service": booking["service"],
                                           "when": booking["when"]})
        last = outputs[-1]
        if last.get("slots"):
            return CallTool("book", {"service": last["service"], "name": "Jane Doe",
                                     "slot": last["slots"][0]["slot"]})
        if last.get("booked"):
            return Say(f"You're all set for {last.get('label')}.")
        return Say(str(last.get("say") or "I couldn't book that. I can take a message."))
    topic = next((t for t, words in _TOPICS.items() if words.search(asked)), None)
    if not outputs:  # the prompt's advice: business_info for hours, address, phone
        if topic is not None:
            return [CallTool("business_info", {"topic": topic}),
                    CallTool("search_knowledge", {"question": asked})]
        return CallTool("search_knowledge", {"question": asked})
    info = next((o for o in outputs if "topic" in o), None)
    if info is not None and info.get(_FIELD[info["topic"]]):
        return Say(f"Our {info['topic']}: {info[_FIELD[info['topic']]]}.")
    result = next((o for o in outputs if "passages" in o), outputs[0])
    if not result.get("answer_found") or not result.get("passages"):
        return Say("I don't know that, I'm afraid. I can take a message for the team.")
    quote = str(result["passages"][0].get("quote", ""))
    sentences = re.split(r"(?<=[.!?])\s+", quote.replace("\n", " "))
    return Say(" ".join(sentences[:3])[:400])


async def bench_site(site_dir: Path, truth: dict[str, Any], brain: str, api: Any) -> SiteResult:
    result = SiteResult(site_dir.name)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, StaticSite(site_dir) as site:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await asyncio.to_thread(upgrade_database, url)
        values: dict[str, Any] = {"database_url": url, "data_dir": Path(tmp) / "data",
                                  "secret_key": "bench", "crawl_allow_private": True,
                                  "demo": False, "calendar_embedded_port": 0}
        if api is not None:
            values.update(openai_api_key=SecretStr(api.api_key), openai_base_url=api.base_url,
                          voice_providers="openai")
        settings = Settings(**values)
        services = build_services(settings, Overrides(
            voice=False, run_workers=False, sms_sender=ConsoleSmsSender(),
            clock=FixedClock(_monday_9am())))
        try:
            await services.start()
            report = await services.knowledge.onboard(site.base + "/", number=NUMBER)
            business_id = report.business_id
            for q in truth["questions"]:
                opened = await services.chat.start(business_id, caller_phone=CALLER)
                reply = (await services.chat.say(opened.conversation_id, q["q"])).reply
                if q.get("not_on_site"):
                    result.unanswerable += 1
                    if DECLINE.search(reply):
                        result.honest += 1
                    else:
                        result.invented += 1
                        result.misses.append((q["q"], reply))
                else:
                    result.answerable += 1
                    if holds(reply, q["answer_contains"]):
                        result.answered += 1
                    else:
                        result.misses.append((q["q"], reply))
            result.booked, result.booking_note = await _book(services, business_id, brain)
        finally:
            await services.aclose()
    result.seconds = time.perf_counter() - started
    return result


def _monday_9am() -> Any:
    from datetime import UTC, datetime

    return datetime(2026, 12, 7, 14, 0, tzinfo=UTC)


async def _book(services: Any, business_id: int, brain: str) -> tuple[bool, str]:
    offered = await services.calendar.list_services(business_id)
    if not offered:
        return False, "no bookable service"
    service = offered[0].name
    opened = await services.chat.start(business_id, caller_phone=CALLER)
    line = f"I'd like to book a {service} next Tuesday at 10"
    if brain != "local":  # the scripted model books in one turn
        line += ". I'm Jane Doe."
    for _ in range(6):  # answer what the receptionist asks, as a caller would
        said = await services.chat.say(opened.conversation_id, line)
        reply = said.reply
        if reply.startswith("You're all set") or said.ended:
            break
        if "name" in reply:
            line = "Jane Doe"
        elif "Which" in reply:  # 10 was not free: the first time offered
            line = "the first one"
        elif "Shall I book" in reply:
            line = "yes"
        else:
            break
    bookings = await services.calendar.bookings(business_id, CALLER)
    return bool(bookings), f"{service}: {said.reply[:90]}"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=Path, default=SITES)
    parser.add_argument("--only", default=None)
    parser.add_argument("--brain", choices=("local", "openai", "both"), default="both")
    parser.add_argument("--misses", action="store_true", help="print each missed question")
    args = parser.parse_args()
    print(machine_reference())
    names = sorted(p.stem for p in args.sites.glob("*.json") if (args.sites / p.stem).is_dir())
    if args.only:
        names = [n for n in names if n == args.only]
    brains = ("local", "openai") if args.brain == "both" else (args.brain,)
    for brain in brains:
        api = OpenAIHttpDouble(brain=grounded_model) if brain == "openai" else None
        if api is not None:
            api.__enter__()
        try:
            totals = SiteResult("all")
            print(f"\nbrain: {brain}")
            print(f"{'site':<20} {'answered':>10} {'honest':>8} {'invented':>9} "
                  f"{'booking':>8} {'s':>6}")
            for name in names:
                truth = json.loads((args.sites / f"{name}.json").read_text())
                r = await bench_site(args.sites / name, truth, brain, api)
                for key in ("answerable", "answered", "unanswerable", "honest", "invented"):
                    setattr(totals, key, getattr(totals, key) + getattr(r, key))
                totals.booked = totals.booked or r.booked
                print(f"{name:<20} {r.answered:>4}/{r.answerable:<5} {r.honest:>3}/"
                      f"{r.unanswerable:<4} {r.invented:>9} "
                      f"{'yes' if r.booked else 'no':>8} {r.seconds:>6.1f}")
                if args.misses:
                    for q, reply in r.misses:
                        print(f"    miss: {q!r} -> {reply[:160]!r}")
                    print(f"    booking: {r.booking_note}")
            answered = 100 * totals.answered / max(1, totals.answerable)
            honest = 100 * totals.honest / max(1, totals.unanswerable)
            print(f"{'all':<20} {totals.answered:>4}/{totals.answerable:<5} "
                  f"{totals.honest:>3}/{totals.unanswerable:<4} {totals.invented:>9}   "
                  f"answered {answered:.0f} %, honest {honest:.0f} %")
        finally:
            if api is not None:
                api.__exit__(None, None, None)


if __name__ == "__main__":
    asyncio.run(main())
