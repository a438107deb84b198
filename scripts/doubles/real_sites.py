"""The real small-business sites of the development set (``shared/fixtures/real-sites``), each
served from its document root by a real HTTP server on 127.0.0.1, and the scoring of what
onboarding made of them against the hand-read ground truth.

Scoring rules (also in docs/benchmarks.md):

- name: equal after case-folding and dropping everything but letters and digits.
- phone: the profile's E.164 digits end with the printed number's digits less its trunk 0.
- address: at least 80 % of the printed address's words are in the profile's address, and at
  least 60 % of the profile's words are in the printed one (no copyright line or page junk).
- hours: all seven days equal (``null`` = closed or not stated = no interval that day).
- services: at least 60 % of the hand-listed services match a profile service (one name holds
  the other, or they share half their words), and the profile lists at most three times as
  many services as the truth (plus five), so a flood of junk does not pass.
- booking link: both empty, or the same path.
- a question is found in the top k when every ``answer_contains`` string is in the text (with
  the title the agent is given as its source) of the first k passages after normalising times
  (``7AM`` = ``7:00 am``) and numbers (``3,500`` = ``3500``); a bare ``yes`` instead asks
  that a passage comes from the answer's source page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from scripts.doubles.static_site import StaticSite

__all__ = ["DECLINE", "FIELDS", "REAL_SITES_DIR", "RealSite", "field_right", "found_in", "holds",
           "real_sites", "serve_real_site"]

FIELDS = ("name", "phone", "address", "hours", "services", "booking_link")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _find_dir() -> Path | None:
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "fixtures" / "real-sites"
        if candidate.is_dir():
            return candidate
    return None


REAL_SITES_DIR = _find_dir()


@dataclass(frozen=True)
class RealSite:
    name: str
    root: Path
    truth: dict[str, Any]


def real_sites(directory: Path | None = None) -> list[RealSite]:
    directory = directory or REAL_SITES_DIR
    if directory is None:
        return []
    return [RealSite(p.stem, directory / p.stem, json.loads(p.read_text()))
            for p in sorted(directory.glob("*.json")) if (directory / p.stem).is_dir()]


@contextmanager
def serve_real_site(site: RealSite) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 (``__BASE__`` replaced); yields the base URL."""
    with StaticSite(site.root) as server:
        yield server.base


def _words(text: str | None) -> list[str]:
    return re.findall(r"[a-z0-9]+", (text or "").lower().replace("&", " and "))


def _service_match(a: str, b: str) -> bool:
    x, y = " ".join(_words(a)), " ".join(_words(b))
    if not x or not y:
        return False
    if x in y or y in x:
        return True
    wa, wb = set(x.split()) - {"and"}, set(y.split()) - {"and"}
    return len(wa & wb) >= max(1, min(len(wa), len(wb)) / 2) and len(wa & wb) / len(wa) >= 0.5


def _hours_day(hours: dict[str, Any], day: str) -> list[str]:
    spans = hours.get(day) or []
    return sorted("-".join(s) if isinstance(s, list) else str(s) for s in spans)


def field_right(field: str, truth: Any, got: Any, root: str = "") -> bool:
    """Is the profile's ``got`` right for ``field``, given the hand-read ``truth``?"""
    if field == "name":
        return bool(got) and "".join(_words(truth)).replace("and", "") == \
            "".join(_words(got)).replace("and", "")
    if field == "phone":
        want = re.sub(r"\D", "", str(truth or "")).lstrip("0")
        digits = re.sub(r"\D", "", str(got or ""))
        return bool(want) and digits.endswith(want) if truth else not got
    if field == "address":
        if not truth:
            return not got
        want, have = _words(truth), _words(got)
        if not have:
            return False
        return (sum(w in have for w in want) / len(want) >= 0.8
                and sum(w in want for w in have) / len(have) >= 0.6)
    if field == "hours":
        got = got or {}
        return all(_hours_day(got, d) == ([truth[d]] if truth.get(d) else []) for d in _DAYS)
    if field == "services":
        names = [s["name"] if isinstance(s, dict) else str(s) for s in got or []]
        if not truth:
            return True
        matched = sum(any(_service_match(t, n) for n in names) for t in truth)
        return matched / len(truth) >= 0.6 and len(names) <= 3 * len(truth) + 5
    if field == "booking_link":
        if not truth:
            return not got
        return bool(got) and urlsplit(str(got)).path.rstrip("/") == \
            urlsplit(str(truth)).path.rstrip("/")
    raise ValueError(field)


_TIME = re.compile(r"\b0?(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s?m\b\.?", re.IGNORECASE)


def normalise_answer_text(text: str) -> str:
    """Lower case, ``7AM``/``7 a.m.``/``07:00 am`` → ``7:00``, ``3,500`` → ``3500``."""
    text = text.lower()
    text = _TIME.sub(lambda m: f"{int(m.group(1))}:{m.group(2) or '00'}", text)
    text = re.sub(r"\b0(\d):(\d{2})\b", r"\1:\2", text)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return re.sub(r"\s+", " ", text)


def found_in(question: dict[str, Any], passages: list[tuple[str, str]], base: str) -> bool:
    """Does the answer appear in ``passages`` (``(url, text)``, already cut to top k; the text
    with its title, which the agent receives as the passage's source)?"""
    wanted = [w for w in question["answer_contains"] if w.strip().lower() != "yes"]
    text = normalise_answer_text(" \n ".join(t for _, t in passages))
    if any(normalise_answer_text(w) not in text for w in wanted):
        return False
    if len(wanted) < len(question["answer_contains"]):
        page = "/" + str(question.get("source_page") or "").lstrip("/")
        paths = [unquote(urlsplit(u).path) for u, _ in passages]
        return any(p in (page, page.removesuffix("index.html")) for p in paths)
    return True


# a reply to a question the site cannot answer: a decline with an offer to take a message
DECLINE = re.compile(r"\b(not sure|don't know|do not know|don't have|can't find|can take a "
                     r"message|take a message|check with the team|get back to you)\b", re.I)


def normalised(text: str) -> str:
    """A reply as the answer check reads it: ``1:00pm`` = ``1 pm``, ``₹3,500`` = ``rs 3500``."""
    t = text.lower().replace("\u2019", "'").replace("\u20b9", "rs ").replace("₹", "rs ")
    t = re.sub(r"(?<=\d),(?=\d{3})", "", t)  # 3,500 -> 3500
    t = re.sub(r"\b(\d{1,2}):00\s*", r"\1 ", t)  # 1:00pm -> 1 pm
    t = re.sub(r"\b(\d{1,2})\s*(am|pm|a\.m\.|p\.m\.)", lambda m: m.group(1) + " "
               + m.group(2).replace(".", ""), t)
    return re.sub(r"\s+", " ", t)


def holds(reply: str, needed: list[str]) -> bool:
    """Does a reply hold every ``answer_contains`` string (case and formats aside)?"""
    text = normalised(reply)
    return all(normalised(n).strip() in text for n in needed)
