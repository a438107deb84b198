"""Contacts: one row per caller per business, created race-free."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from receptionist.core import insert_ignore
from textback.models import Contact, ContactEvent

__all__ = ["get_or_create_contact", "new_short_code", "note_conversion"]

# No look-alikes (0/O, 1/I/L) so a team member can type the code back from a phone.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_short_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(3))


async def _free_short_code(session: AsyncSession, business_id: int) -> str:
    for _ in range(20):
        code = new_short_code()
        taken = await session.scalar(
            select(Contact.id).where(Contact.business_id == business_id, Contact.short_code == code)
        )
        if taken is None:
            return code
    return new_short_code() + new_short_code()[:1]


async def get_or_create_contact(
    session: AsyncSession, business_id: int, phone: str, *, lock: bool = False
) -> Contact:
    """The contact row, created if missing (``ON CONFLICT DO NOTHING`` makes racing creators
    safe). ``lock`` holds the row for the transaction on PostgreSQL; on SQLite the insert has
    already taken the database's single write lock."""
    dialect = session.get_bind().dialect.name
    existing = None if lock else await _find(session, business_id, phone)
    if existing is not None:
        return existing
    code = await _free_short_code(session, business_id)
    await session.execute(
        insert_ignore(dialect, Contact, ["business_id", "phone"]).values(
            business_id=business_id, phone=phone, short_code=code, opted_out=False
        )
    )
    query = select(Contact).where(Contact.business_id == business_id, Contact.phone == phone)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query.execution_options(populate_existing=True))).scalar_one()


async def _find(session: AsyncSession, business_id: int, phone: str) -> Contact | None:
    query = select(Contact).where(Contact.business_id == business_id, Contact.phone == phone)
    return (await session.execute(query)).scalar_one_or_none()


async def note_conversion(session: AsyncSession, business_id: int, phone: str, kind: str,
                          at: datetime) -> None:
    """Record that a caller booked or was handled on a call (``kind`` = "booking" |
    "handled_call"), in the caller's transaction; the conversion metric reads these."""
    session.add(ContactEvent(business_id=business_id, phone=phone, kind=kind, at=at))
