"""The agent's words for the ear. They live in the kernel (:mod:`receptionist.core.spoken`) so
the calendar, the knowledge base and the speech engines say things the same way; the brains
and tools import them from here."""

from receptionist.core.spoken import (
    first_sentences,
    split_sentences,
    spoken_date,
    spoken_datetime,
    spoken_hours,
    spoken_list,
    spoken_price,
    spoken_time,
)

__all__ = [
    "first_sentences",
    "split_sentences",
    "spoken_date",
    "spoken_datetime",
    "spoken_hours",
    "spoken_list",
    "spoken_price",
    "spoken_time",
]
