"""Changing a business's settings: the one place the rules live, for the CLI
(``receptionist business update``, ``team add``) and the settings page."""

from __future__ import annotations

from receptionist.core import (
    NOTIFY_KINDS,
    Business,
    Routing,
    WeeklyHours,
    normalize,
    parse_closed_dates,
    time_zone,
)
from textback import check_template, render

__all__ = ["apply_changes", "team_kinds"]


def team_kinds(receives: str) -> list[str]:
    """What a team member gets texted about, from a comma list; unknown kinds are refused."""
    kinds = [k.strip() for k in receives.split(",") if k.strip()]
    unknown = set(kinds) - set(NOTIFY_KINDS)
    if unknown:
        raise ValueError(f"--receives accepts {', '.join(NOTIFY_KINDS)}; not "
                         f"{', '.join(sorted(unknown))}")
    return kinds


def apply_changes(b: Business, *, name: str | None, timezone: str | None, routing: Routing | None,
           forward_to: str | None, ring_seconds: int | None, booking_link: str | None,
           hours: str | None, closed: str | None, textback: bool | None, cooldown: int | None,
           template: str | None, after_hours_template: str | None,
           after_hours_textback: bool | None, greeting: str | None,
           address: str | None = None, stop_notice: bool | None = None,
           quiet_hours: str | None = None) -> list[str]:
    """Set the given options on ``b`` and remember them as the owner's own (a website re-crawl
    will not overwrite them); returns warnings for the owner."""
    from textback.compliance import QuietHours

    warnings = []
    given = {"name": name, "timezone": timezone, "hours": hours, "closed_dates": closed,
             "booking_link": booking_link, "greeting": greeting, "address": address}
    b.mark_overridden(*(k for k, v in given.items() if v is not None))
    if address is not None:
        b.address = address.strip() or None
    if name is not None:
        b.name = name.strip()
    if timezone is not None:
        if time_zone(timezone) is None:
            raise ValueError(f"unknown time zone {timezone[:60]!r}; use e.g. America/New_York")
        b.timezone = timezone
    if routing is not None:
        b.routing = routing.value
    if forward_to is not None:
        b.forward_to = normalize(forward_to) if forward_to else None
    if ring_seconds is not None:
        b.ring_seconds = ring_seconds
    if booking_link is not None:
        if booking_link and not booking_link.startswith(("http://", "https://")):
            raise ValueError("--booking-link must be an http(s) URL")
        b.booking_link = booking_link or None
    if hours is not None:
        b.hours = WeeklyHours.parse(hours).to_json() if hours.strip() else {}
    if closed is not None:
        b.closed_dates = [d.isoformat() for d in parse_closed_dates(closed)]
    if textback is not None:
        b.textback_enabled = textback
    if cooldown is not None:
        b.textback_cooldown_hours = cooldown
    if after_hours_textback is not None:
        b.after_hours_textback = after_hours_textback
    if stop_notice is not None:
        b.textback_stop_notice = stop_notice
    if quiet_hours is not None:
        off = quiet_hours.strip().lower() in ("", "off", "none")
        b.textback_quiet_hours = None if off else str(QuietHours.parse(quiet_hours))
    if greeting is not None:
        b.greeting = greeting or None
    for attr, value in (("textback_template", template),
                        ("textback_after_hours_template", after_hours_template)):
        if value is not None:
            check_template(value)
            setattr(b, attr, value or None)
    for after in (False, True):
        text = render(b.textback_after_hours_template if after else b.textback_template,
                      business=b.name, booking_link=b.booking_link, after_hours=after)
        if text.warning:
            warnings.append(("after-hours " if after else "") + "text-back: " + text.warning)
    if (mode := b.routing_mode) is not None and mode.rings_first and not b.ring_targets():
        warnings.append("nobody to ring: set --forward-to or add a team member")
    return warnings
