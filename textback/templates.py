"""Text-back templates: defaults that follow best practice, rendering, and segment warnings.

Best practice for a missed-call text: the business name first (the caller does not know this
number), acknowledge the call, offer one next step (reply here, or book at a link).
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from textback.segments import SegmentInfo, count_segments

__all__ = [
    "DEFAULT_AFTER_HOURS",
    "DEFAULT_BUSINESS_HOURS",
    "PLACEHOLDERS",
    "RenderedText",
    "TemplateError",
    "check_template",
    "render",
]

PLACEHOLDERS = frozenset({"business", "booking_link", "first_name"})

DEFAULT_BUSINESS_HOURS = (
    "Hi{first_name_sp}, this is {business}. Sorry we missed your call! "
    "Reply here and we'll get right back to you{booking_clause}."
)
DEFAULT_AFTER_HOURS = (
    "Hi{first_name_sp}, this is {business}. Sorry we missed you, we're closed. "
    "Reply and we'll call back first thing{booking_clause}."
)


class TemplateError(ValueError):
    """A template uses an unknown placeholder or is malformed."""


@dataclass(frozen=True)
class RenderedText:
    body: str
    segments: SegmentInfo

    @property
    def warning(self) -> str | None:
        if self.segments.fits_one:
            return None
        return (
            f"this text is {self.segments.segments} SMS segments ({self.segments.encoding}, "
            f"{self.segments.units} of {self.segments.single_limit} characters for one); "
            "shorten it to keep costs down and delivery reliable"
        )


def check_template(template: str) -> None:
    """Raise :class:`TemplateError` if the template names anything we cannot fill."""
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as exc:
        raise TemplateError(f"malformed template: {exc}") from exc
    unknown = fields - PLACEHOLDERS - {"first_name_sp", "booking_clause"}
    if unknown:
        raise TemplateError(
            f"unknown placeholder(s) {sorted(unknown)}; use {{business}}, {{booking_link}}, "
            "{first_name}"
        )


def render(
    template: str | None,
    *,
    business: str,
    booking_link: str | None,
    first_name: str | None = None,
    after_hours: bool = False,
) -> RenderedText:
    if not template:
        template = DEFAULT_AFTER_HOURS if after_hours else DEFAULT_BUSINESS_HOURS
    check_template(template)
    values = {
        "business": business,
        "booking_link": booking_link or "",
        "first_name": first_name or "there",
        "first_name_sp": f" {first_name}" if first_name else "",
        "booking_clause": f", or book at {booking_link}" if booking_link else "",
    }
    body = " ".join(template.format(**values).split(" ")).strip()
    if booking_link and body.endswith(booking_link + "."):
        body = body[:-1]  # some phones take a trailing full stop into the link
    return RenderedText(body, count_segments(body))
