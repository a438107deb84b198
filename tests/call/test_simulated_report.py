"""``call simulate --json``: the server's words as ``text``, the other side's hearing as
``heard``, matched turn by turn even when the ear splits, joins or misses turns."""

from __future__ import annotations

from receptionist.voice_cli import align, server_and_heard


def test_align_matches_in_order_and_leaves_the_unmatched_alone() -> None:
    heard = ["we are open 8am to 1pm on saturday", "anything else"]
    said = ["Thanks for calling.", "We're open 9 am to 1 pm on Saturday.", "Anything else?"]
    assert align(heard, said) == [(None, 0), (0, 1), (1, 2)]
    assert align([], ["Bye."]) == [(None, 0)]
    assert align(["mumble"], []) == [(0, None)]


def test_the_report_gives_the_server_words_and_what_was_heard() -> None:
    turns = [
        {"role": "agent", "text": "thanks for calling greenfield plumbing how can i help"},
        {"role": "caller", "text": "Do you take Delta Dental?"},
        {"role": "agent", "text": "we are open 8am to 1pm"},
    ]
    said = [("agent", "Thanks for calling Greenfield Plumbing. How can I help?"),
            ("caller", "Do you make milk again, Dental?"),
            ("agent", "We're open 9 am to 1 pm."), ("agent", "Goodbye!")]
    assert server_and_heard(turns, said) == [
        {"role": "agent", "text": "Thanks for calling Greenfield Plumbing. How can I help?",
         "heard": "thanks for calling greenfield plumbing how can i help"},
        {"role": "caller", "text": "Do you take Delta Dental?",
         "heard": "Do you make milk again, Dental?"},
        {"role": "agent", "text": "We're open 9 am to 1 pm.", "heard": "we are open 8am to 1pm"},
        {"role": "agent", "text": "Goodbye!", "heard": ""},  # said, cut off before heard
    ]


def test_twilio_says_its_own_lines_as_written() -> None:
    turns = [{"role": "agent", "text": "Sorry, we missed you.", "source": "twiml"}]
    assert server_and_heard(turns, []) == [
        {"role": "agent", "text": "Sorry, we missed you.", "heard": "Sorry, we missed you."}]
