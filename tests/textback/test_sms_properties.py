"""Property tests on what callers write: any Unicode (lone surrogates included, as a lenient
form decoder can hand them over) never makes the SMS parsers raise, and their results keep
their invariants."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from textback.hygiene import clean_sms_text
from textback.keywords import HELP_WORDS, OPT_IN_WORDS, OPT_OUT_WORDS, InboundIntent, classify
from textback.segments import count_segments

ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=400)
FAST = settings(max_examples=150, deadline=None)


@FAST
@given(ANY_TEXT)
@example("\ud83d")  # a lone surrogate has no UTF-16 encoding of its own
@example("a" * 161)
@example("€" * 81)
def test_segment_count_is_positive_and_covers_the_text(text: str) -> None:
    info = count_segments(text)
    assert info.encoding in ("GSM-7", "UCS-2")
    if text:
        assert info.segments >= 1
        per_part = 153 if info.encoding == "GSM-7" else 67
        # Each part carries at most per_part units; never fewer parts than that needs.
        if info.units > info.single_limit:
            assert info.segments >= -(-info.units // per_part)
        else:
            assert info.segments == 1
    else:
        assert info.segments == 0
    assert info.fits_one == (info.segments <= 1)


@FAST
@given(ANY_TEXT)
def test_classify_never_raises(text: str) -> None:
    assert classify(text) in set(InboundIntent)


_KEYWORDS = st.sampled_from(
    sorted(OPT_OUT_WORDS) + sorted(OPT_IN_WORDS) + sorted(HELP_WORDS))
_CASE = st.lists(st.booleans(), min_size=20, max_size=20)
_PAD = st.text(" \t\n\u00a0\u3000.!?", max_size=4)


@FAST
@given(_KEYWORDS, _CASE, _PAD, _PAD)
@example("stop", [False] * 20, "\u200b", "")  # a zero-width space a phone keyboard added
@example("stop", [False] * 20, "", "\ufeff")
def test_keywords_are_recognised_in_any_case_and_padding(
        word: str, upper: list[bool], before: str, after: str) -> None:
    cased = "".join(c.upper() if up else c for c, up in zip(word, upper, strict=False))
    expected = (InboundIntent.OPT_OUT if word in OPT_OUT_WORDS else
                InboundIntent.OPT_IN if word in OPT_IN_WORDS else InboundIntent.HELP)
    assert classify(before + cased + after) is expected


@FAST
@given(_KEYWORDS)
@example("stop")
def test_full_width_keywords_count(word: str) -> None:
    # Some phones send full-width letters (ＳＴＯＰ); they mean the same word.
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word.upper())
    expected = (InboundIntent.OPT_OUT if word in OPT_OUT_WORDS else
                InboundIntent.OPT_IN if word in OPT_IN_WORDS else InboundIntent.HELP)
    assert classify(wide) is expected


_CONTROLS = {chr(c) for c in range(0x20) if c != 0x0A} | {chr(0x7F)} | {
    chr(c) for c in range(0x80, 0xA0)}
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@FAST
@given(ANY_TEXT)
@example("a\x00b\u202ec")
def test_clean_text_has_no_control_or_bidi_characters(text: str) -> None:
    cleaned = clean_sms_text(text)
    assert not (set(cleaned) & (_CONTROLS | _BIDI))
    assert clean_sms_text(cleaned) == cleaned  # idempotent
    assert len(cleaned) <= len(text)
