"""Opening hours as websites write them."""

from __future__ import annotations

import pytest

from knowledge.hours_text import hours_from_schema_spec, hours_from_schema_text, hours_from_text


@pytest.mark.parametrize(("text", "expected"), [
    ("Office: Mon–Fri 7:30am–6pm, Sat 9am–2pm. 24/7 emergency line.",
     "Mon-Fri 07:30-18:00; Sat 09:00-14:00"),
    ("Monday – Friday | 7:30 am – 6:00 pm Saturday | 9:00 am – 2:00 pm Sunday | Closed",
     "Mon-Fri 07:30-18:00; Sat 09:00-14:00"),
    ("Hours: Monday-Thursday 9-5, Friday 9 to noon", "Mon-Thu 09:00-17:00; Fri 09:00-12:00"),
    ("Tue, Thu 10:00 - 19:00; Sat 8.30am-12.30pm",
     "Tue 10:00-19:00; Thu 10:00-19:00; Sat 08:30-12:30"),
    ("We are open Monday through Friday from 8 A.M. to 5 P.M.", "Mon-Fri 08:00-17:00"),
    ("Sunday: closed. Saturday 10am-4pm", "Sat 10:00-16:00"),
    ("Tues 11am-2pm, 5pm-10pm", "Tue 11:00-14:00,17:00-22:00"),
    ("Fri 6pm-midnight", "Fri 18:00-23:59"),
])
def test_hours_from_text(text: str, expected: str) -> None:
    hours = hours_from_text(text)
    assert hours is not None and hours.to_text() == expected


@pytest.mark.parametrize("text", ["Call us 24/7", "Open since 1998", "", "Monday: call ahead"])
def test_text_without_hours(text: str) -> None:
    assert hours_from_text(text) is None


def test_schema_opening_hours_strings() -> None:
    hours = hours_from_schema_text(["Mo-Fr 08:00-17:00", "Sa 09:00-12:00"])
    assert hours is not None and hours.to_text() == "Mon-Fri 08:00-17:00; Sat 09:00-12:00"
    both = hours_from_schema_text("Mo,We 08:00-12:00,13:00-17:00")
    assert both is not None and both.to_json()["wed"] == [["08:00", "12:00"], ["13:00", "17:00"]]


def test_schema_opening_hours_specification() -> None:
    hours = hours_from_schema_spec([
        {"dayOfWeek": ["https://schema.org/Monday", "Tuesday"], "opens": "07:30",
         "closes": "18:00:00"},
        {"dayOfWeek": {"@id": "http://schema.org/Saturday"}, "opens": "10:00", "closes": "00:00"},
        {"dayOfWeek": "Sunday", "opens": "00:00", "closes": "00:00"},
    ])
    assert hours is not None
    assert hours.to_text() == "Mon-Tue 07:30-18:00; Sat 10:00-23:59; Sun 00:00-23:59"
