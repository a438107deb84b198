"""Caller transcripts with times and numbers in one written form, for every brain. No I/O.

Whisper writes the same spoken time several ways ("10 a.m.", "10 a m", "ten AM", "10.30pm");
a brain's slot filling and the word error rate both see fewer forms after this:
"am"/"pm" as one lower-case word after the hour, hour-and-minutes as "10:30", a spoken hour
before am/pm or "o'clock" as digits, and a clock time's "o'clock" dropped.
"""

from __future__ import annotations

import re

from receptionist.core import UNIT_WORDS

__all__ = ["normalize_transcript"]

_HOURS = {word: str(n) for word, n in UNIT_WORDS.items() if n <= 12}
_HOUR_WORD = "|".join(sorted(_HOURS, key=len, reverse=True))
# am/pm only right after an hour ("10 a.m.", "10pm", "ten P M"), never "Pm me"
_MERIDIEM = re.compile(
    rf"\b(\d{{1,2}}(?:[:.]\d{{2}})?|{_HOUR_WORD})\s?([ap])(\.)?\s?m\b(?(3)\.?)(?=\W|$)",
    re.IGNORECASE)
_WORD_HOUR = re.compile(rf"\b({_HOUR_WORD})(?=\s+(?:[ap]m|o'?clock)\b)", re.IGNORECASE)
_DOTTED = re.compile(r"\b(\d{1,2})[.](\d{2})(?=\s*(?:[ap]m)\b)")  # "10.30 pm" -> "10:30 pm"
_OCLOCK = re.compile(r"\b(\d{1,2})\s+o'?clock\b", re.IGNORECASE)


def normalize_transcript(text: str) -> str:
    """``text`` with its times in one form; everything else untouched."""
    out = _MERIDIEM.sub(_meridiem, text)
    out = _WORD_HOUR.sub(lambda m: _HOURS[m.group(1).lower()], out)
    out = _DOTTED.sub(r"\1:\2", out)
    out = _OCLOCK.sub(r"\1", out)
    return out


def _meridiem(match: re.Match[str]) -> str:
    written = f"{match.group(1)} {match.group(2).lower()}m"
    rest = match.string[match.end():]
    # "a.m." closing a sentence: its last dot was the full stop too
    following = rest.strip()
    ends_sentence = match.group(0).endswith(".") and (
        not following or (rest[:1].isspace() and following[:1].isupper()))
    return written + "." if ends_sentence else written
