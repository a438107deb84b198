"""The owner's inbox: one thread per caller (text-backs, the caller's replies, the team's answers),
unread counts, answers sent from the business number through the outbox, and "mark handled".

A thread is a contact with messages; it is named by the contact's short code (the same code a
team member types to answer from their phone), so no phone number appears in a page address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from receptionist.core import get_business
from textback.errors import TextbackError
from textback.hygiene import clean_sms_text
from textback.models import Contact, Message
from textback.outgoing import enqueue

__all__ = ["ANSWER_MAX_CHARS", "InboxError", "Thread", "ThreadSummary", "answer_thread",
           "list_threads", "mark_handled", "open_thread", "unread_count"]

ANSWER_MAX_CHARS = 1600  # Twilio's limit for one message body


class InboxError(TextbackError):
    """An answer that cannot be sent (empty, too long, the caller opted out, no thread)."""


@dataclass(frozen=True)
class ThreadSummary:
    code: str
    phone: str
    first_name: str | None
    last_at: datetime
    last_body: str
    last_direction: str
    unread: int
    opted_out: bool
    handled: bool  # marked handled after the caller's last text


@dataclass(frozen=True)
class Thread:
    summary: ThreadSummary
    messages: list[Message]


def _caller_reply() -> ColumnElement[bool]:
    return and_(Message.direction == "in", Message.kind == "reply")


def _with_caller() -> ColumnElement[bool]:
    """Texts to or from the caller (not the forwards to the team about them)."""
    return or_(Message.to_number == Contact.phone, Message.from_number == Contact.phone)


def _unread() -> ColumnElement[bool]:
    return and_(_caller_reply(),
                or_(Contact.read_at.is_(None), Message.created_at > Contact.read_at))


async def list_threads(session: AsyncSession, business_id: int, *, search: str = "",
                       limit: int = 50, offset: int = 0) -> list[ThreadSummary]:
    """Threads, latest activity first; ``search`` matches the phone number or the code."""
    last_in = func.max(case((_caller_reply(), Message.created_at)))
    stmt = (
        select(Contact, func.max(Message.id), func.max(Message.created_at),
               func.sum(case((_unread(), 1), else_=0)), last_in)
        .join(Message, and_(Message.business_id == Contact.business_id,
                            Message.contact_phone == Contact.phone, _with_caller()))
        .where(Contact.business_id == business_id)
        .group_by(Contact.id)
        .order_by(func.max(Message.created_at).desc(), Contact.id.desc())
        .limit(limit).offset(offset)
    )
    digits = "".join(c for c in search if c.isdigit())
    if search.strip():
        by_code = Contact.short_code == search.strip().upper()
        stmt = stmt.where(or_(by_code, Contact.phone.contains(digits)) if digits else by_code)
    rows = (await session.execute(stmt)).all()
    last_ids = [row[1] for row in rows]
    last = {m.id: m for m in (await session.execute(
        select(Message).where(Message.id.in_(last_ids)))).scalars()} if last_ids else {}
    return [_summary(contact, last[last_id], last_at, int(unread or 0), last_in_at)
            for contact, last_id, last_at, unread, last_in_at in rows]


def _summary(contact: Contact, last: Message, last_at: datetime, unread: int,
             last_in_at: datetime | None) -> ThreadSummary:
    handled = contact.handled_at is not None and (last_in_at is None
                                                  or contact.handled_at >= last_in_at)
    return ThreadSummary(
        code=contact.short_code, phone=contact.phone, first_name=contact.first_name,
        last_at=last_at, last_body=last.body, last_direction=last.direction, unread=unread,
        opted_out=contact.opted_out, handled=handled,
    )


async def unread_count(session: AsyncSession, business_id: int) -> int:
    """Caller texts the owner has not seen, over all threads (the nav badge)."""
    return int(await session.scalar(
        select(func.count(Message.id))
        .join(Contact, and_(Contact.business_id == Message.business_id,
                            Contact.phone == Message.contact_phone))
        .where(Message.business_id == business_id, _unread())
    ) or 0)


async def _contact(session: AsyncSession, business_id: int, code: str, *,
                   lock: bool = False) -> Contact:
    stmt = select(Contact).where(Contact.business_id == business_id,
                                 Contact.short_code == code.upper())
    if lock:
        stmt = stmt.with_for_update()
    contact = (await session.execute(stmt)).scalar_one_or_none()
    if contact is None:
        raise InboxError(f"no conversation {code!r}")
    return contact


async def open_thread(session: AsyncSession, business_id: int, code: str, *, now: datetime,
                      after_id: int = 0, mark_read: bool = True) -> Thread:
    """The caller's texts and everything sent to them, oldest first (``after_id``: only newer
    ones, for live updates); opening it marks it read."""
    contact = await _contact(session, business_id, code, lock=mark_read)
    messages = list((await session.execute(
        select(Message)
        .where(Message.business_id == business_id, Message.contact_phone == contact.phone,
               or_(Message.to_number == contact.phone, Message.from_number == contact.phone),
               Message.id > after_id)
        .order_by(Message.created_at, Message.id)
    )).scalars())
    unread = sum(1 for m in messages if m.direction == "in" and m.kind == "reply"
                 and (contact.read_at is None or m.created_at > contact.read_at))
    last_in = max((m.created_at for m in messages if m.direction == "in" and m.kind == "reply"),
                  default=None)
    if mark_read:
        contact.read_at = now
    last_at = messages[-1].created_at if messages else contact.created_at
    summary = ThreadSummary(
        code=contact.short_code, phone=contact.phone, first_name=contact.first_name,
        last_at=last_at, last_body=messages[-1].body if messages else "",
        last_direction=messages[-1].direction if messages else "out", unread=unread,
        opted_out=contact.opted_out,
        handled=contact.handled_at is not None and (last_in is None
                                                    or contact.handled_at >= last_in),
    )
    return Thread(summary, messages)


async def answer_thread(session: AsyncSession, business_id: int, code: str, body: str, *,
                        now: datetime, dedupe_key: str | None = None) -> Message | None:
    """Queue the owner's answer to the caller, from the business number, in this transaction.
    ``dedupe_key`` (one per rendered reply form) makes a resubmitted form send nothing more:
    ``None`` is returned for it."""
    text = clean_sms_text(body).strip()
    if not text:
        raise InboxError("the answer is empty")
    if len(text) > ANSWER_MAX_CHARS:
        raise InboxError(f"the answer is longer than {ANSWER_MAX_CHARS} characters")
    contact = await _contact(session, business_id, code, lock=True)
    if contact.opted_out:
        raise InboxError("this caller opted out of texts (they can text START to opt back "
                         "in); call them instead")
    if dedupe_key is not None and await session.scalar(
            select(Message.id).where(Message.dedupe_key == dedupe_key)) is not None:
        return None
    business = await get_business(session, business_id)
    if not business.primary_number:
        raise InboxError("the business has no phone number to text from")
    try:
        async with session.begin_nested():
            msg = await enqueue(
                session, business_id=business_id, to=contact.phone,
                from_=business.primary_number, body=text, kind="answer", now=now,
                contact_phone=contact.phone, dedupe_key=dedupe_key,
            )
    except IntegrityError:  # the same form, submitted twice at once
        return None
    contact.read_at = now
    return msg


async def mark_handled(session: AsyncSession, business_id: int, code: str, *,
                       now: datetime) -> None:
    contact = await _contact(session, business_id, code, lock=True)
    contact.handled_at = now
    contact.read_at = now
