"""Test data built through the same models the product uses (for the tests and the benchmarks)."""

from __future__ import annotations

from typing import Any

from receptionist.core import Business, Database, PhoneNumber, TeamMember, WeeklyHours

BUSINESS_NUMBER = "+12025550100"
OWNER_PHONE = "+12025550111"
TEAM_PHONE = "+12025550112"
TEAM_PHONE_2 = "+12025550113"
CALLER = "+12025550143"
CALLER_2 = "+12025550144"


async def add_business(db: Database, *, name: str = "Greenfield Plumbing",
                       number: str = BUSINESS_NUMBER, routing: str = "ring_then_textback",
                       forward_to: str | None = OWNER_PHONE, hours: str | None = None,
                       team: list[tuple[str, str, str]] | None = None,
                       **fields: Any) -> int:
    if team is None:
        team = [("Dana", TEAM_PHONE, "replies,bookings,messages")]
    async with db.transaction() as session:
        business = Business(
            name=name, routing=routing, forward_to=forward_to, timezone="America/New_York",
            booking_link="https://greenfield.example/book",
            hours=WeeklyHours.parse(hours).to_json() if hours else {},
            numbers=[PhoneNumber(number=number)],
            team=[TeamMember(name=n, phone=p, receives=r) for n, p, r in team],
            **fields,
        )
        session.add(business)
        await session.flush()
        return business.id


def import_all_models() -> None:
    """Every table must be on the metadata before ``create_all``."""
    import importlib

    for name in ("receptionist.core.tenancy", "textback.models", "receptionist.telephony.models",
                 "knowledge.models", "calendar_sync.models", "receptionist.agent.models",
                 "receptionist.chat.models", "receptionist.call.models",
                 "receptionist.accounts.models", "receptionist.web.models"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise
