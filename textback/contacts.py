"""Contacts: one row per caller per business, created race-free."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from receptionist.core import Business, Executor, dialect_name, insert_ignore
from textback.compliance import first_text
from textback.models import Contact, ContactEvent

__all__ = ["CallerContact", "get_or_create_contact", "lock_contact", "new_short_code",
           "note_conversion", "note_first_text"]

# No look-alikes (0/O, 1/I/L) so a team member can type the code back from a phone.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_TRIES = 20
_CONTACTS = Contact.__table__
_COLUMNS = (_CONTACTS.c.id, _CONTACTS.c.first_name, _CONTACTS.c.opted_out,
            _CONTACTS.c.last_textback_at, _CONTACTS.c.stop_notice_at)
_INSERT_EVENT = insert(cast(Table, ContactEvent.__table__))
_LOCK = select(*_COLUMNS).where(
    _CONTACTS.c.business_id == bindparam("business_id"), _CONTACTS.c.phone == bindparam("phone")
).with_for_update()


@cache
def _create(dialect: str) -> Any:
    return insert_ignore(dialect, _CONTACTS, None).returning(*_COLUMNS)


@dataclass(frozen=True)
class CallerContact:
    """What the text-back decision reads of a contact; ``created``: by this transaction."""

    id: int
    first_name: str | None
    opted_out: bool
    last_textback_at: datetime | None
    stop_notice_at: datetime | None = None
    created: bool = False


def new_short_code(length: int = 3) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


async def lock_contact(session: Executor, business_id: int, phone: str, *,
                       texted_at: datetime | None = None,
                       stop_notice_at: datetime | None = None) -> CallerContact:
    """The caller's contact, created if missing, held for the transaction (the new row, or
    ``FOR UPDATE`` on PostgreSQL; SQLite's single write lock is already held by then).

    ``ON CONFLICT DO NOTHING`` on every unique key makes racing creators safe and a taken short
    code harmless: when nothing was inserted, the contact either exists or the code was taken;
    the select tells which, and a taken code is drawn again (the last try is longer).

    ``texted_at`` and ``stop_notice_at`` are written into a contact this call creates (a
    first-time caller about to be texted), so that it needs no update afterwards; an existing
    contact comes back as it is."""
    create = _create(dialect_name(session))
    new = {"business_id": business_id, "phone": phone, "opted_out": False}
    if texted_at is not None:
        new.update(last_textback_at=texted_at, stop_notice_at=stop_notice_at)
    for attempt in range(_CODE_TRIES):
        code = new_short_code(3 if attempt < _CODE_TRIES - 1 else 4)
        row = (await session.execute(create, {**new, "short_code": code})).first()
        if row is not None:
            return CallerContact(row[0], row[1], row[2], row[3], row[4], created=True)
        row = (await session.execute(
            _LOCK, {"business_id": business_id, "phone": phone})).first()
        if row is not None:
            return CallerContact(*row)
    raise RuntimeError(f"no free short code for business {business_id}")


async def get_or_create_contact(
    session: AsyncSession, business_id: int, phone: str, *, lock: bool = False
) -> Contact:
    """The contact as an ORM object (inbound texts change it), created if missing; ``lock``
    holds it for the transaction."""
    if not lock:
        existing = await _find(session, business_id, phone)
        if existing is not None:
            return existing
    found = await lock_contact(session, business_id, phone)
    query = select(Contact).where(Contact.id == found.id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query.execution_options(populate_existing=True))).scalar_one()


async def _find(session: AsyncSession, business_id: int, phone: str) -> Contact | None:
    query = select(Contact).where(Contact.business_id == business_id, Contact.phone == phone)
    return (await session.execute(query)).scalar_one_or_none()


async def note_conversion(session: Executor, business_id: int, phone: str, kind: str,
                          at: datetime) -> None:
    """Record that a caller booked or was handled on a call (``kind`` = "booking" |
    "handled_call"), in the caller's transaction; the conversion metric reads these."""
    await session.execute(_INSERT_EVENT, {"business_id": business_id, "phone": phone,
                                          "kind": kind, "at": at})


async def note_first_text(session: AsyncSession, business: Business, contact: CallerContact,
                          body: str, now: datetime) -> str:
    """``body`` as it goes to this caller: with the STOP notice on their first text (when the
    business has it on); remembers that they have been told how to stop."""
    body, noticed = first_text(body, notice_on=business.textback_stop_notice,
                               noticed=contact.stop_notice_at is not None)
    if noticed and contact.stop_notice_at is None:
        await session.execute(
            update(Contact).where(Contact.id == contact.id).values(stop_notice_at=now))
    return body
