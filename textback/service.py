"""Text-back use cases for the application: inbound texts, delivery statuses, team and caller
notifications, conversions and reports. Each runs in one short transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from receptionist.core import Business, Clock, Database, business_for_number, get_business
from textback.contacts import lock_contact, note_first_text
from textback.errors import UnknownBusiness
from textback.inbound import InboundResult, apply_status, handle_inbound
from textback.inbox import (
    Thread,
    ThreadSummary,
    answer_thread,
    list_threads,
    mark_handled,
    open_thread,
    unread_count,
)
from textback.metrics import Report, compute_report
from textback.models import Message
from textback.outbox import OutboxWorker
from textback.outgoing import enqueue
from textback.templates import RenderedText, render

__all__ = ["TextbackService"]


class TextbackService:
    def __init__(self, db: Database, worker: OutboxWorker, clock: Clock) -> None:
        self.db = db
        self.worker = worker
        self.clock = clock

    async def receive_sms(self, *, to: str, from_: str, body: str,
                          message_sid: str) -> InboundResult:
        async with self.db.transaction() as session:
            business = await business_for_number(session, to)
            if business is None:
                raise UnknownBusiness(f"no business owns {to}")
            result = await handle_inbound(
                session, business, from_=from_, to=to, body=body, message_sid=message_sid,
                now=self.clock.now(),
            )
        if result.queued:
            self.worker.wake()
        return result

    async def record_status(self, *, message_sid: str, status: str,
                            error_code: str | None, outbox_id: int | None = None) -> bool:
        async with self.db.connection() as conn:  # Core statements: no ORM session needed
            return await apply_status(conn, message_sid=message_sid, status=status,
                                      error_code=error_code, now=self.clock.now(),
                                      outbox_id=outbox_id)

    async def notify_team(self, session: AsyncSession, business: Business, *, kind: str,
                          body: str, contact_phone: str | None = None,
                          dedupe_key: str | None = None) -> list[Message]:
        """Queue a text to every team member who receives ``kind`` (bookings, messages),
        inside the caller's transaction."""
        out = []
        for member in business.team_for(kind):
            out.append(await enqueue(
                session, business_id=business.id, to=member.phone,
                from_=business.primary_number or "", body=body, kind=f"team_{kind}",
                now=self.clock.now(), contact_phone=contact_phone,
                dedupe_key=f"{dedupe_key}:{member.id}" if dedupe_key else None,
            ))
        return out

    async def text_caller(self, session: AsyncSession, business: Business, *, to: str,
                          body: str, kind: str, dedupe_key: str | None = None,
                          call_sid: str | None = None) -> Message:
        """Queue a text to a caller (confirmation, link, follow-up) unless they opted out: an
        opted-out caller's text is recorded canceled, never sent (checked again before sending).
        The first text to a caller carries the STOP notice (see ``textback.compliance``)."""
        now = self.clock.now()
        contact = await lock_contact(session, business.id, to)
        if not contact.opted_out:
            body = await note_first_text(session, business, contact, body, now)
        return await enqueue(
            session, business_id=business.id, to=to, from_=business.primary_number or "",
            body=body, kind=kind, now=now, contact_phone=to,
            dedupe_key=dedupe_key, call_sid=call_sid,
            canceled_reason="recipient opted out" if contact.opted_out else None,
        )

    async def send_test(self, business_ref: str, to: str, *, after_hours: bool = False
                        ) -> tuple[Message, RenderedText]:
        async with self.db.transaction() as session:
            business = await get_business(session, business_ref)
            text = render(
                business.textback_after_hours_template if after_hours
                else business.textback_template,
                business=business.name, booking_link=business.booking_link,
                after_hours=after_hours,
            )
            msg = await enqueue(
                session, business_id=business.id, to=to, from_=business.primary_number or "",
                body=text.body, kind="test", now=self.clock.now(), contact_phone=to,
            )
        self.worker.wake()
        return msg, text

    async def report(self, business_id: int | None, since: datetime,
                     until: datetime) -> Report:
        async with self.db.transaction() as session:
            return await compute_report(session, business_id=business_id, since=since,
                                        until=until, now=self.clock.now())

    async def recent_messages(self, business_id: int | None, limit: int = 50) -> list[Message]:
        async with self.db.transaction() as session:
            stmt = select(Message).order_by(Message.id.desc()).limit(limit)
            if business_id is not None:
                stmt = stmt.where(Message.business_id == business_id)
            return list((await session.execute(stmt)).scalars())

    # The owner's inbox (``textback.inbox``): each use case one short transaction.

    async def threads(self, business_id: int, *, search: str = "", limit: int = 50,
                      offset: int = 0) -> list[ThreadSummary]:
        async with self.db.transaction() as session:
            return await list_threads(session, business_id, search=search, limit=limit,
                                      offset=offset)

    async def unread(self, business_id: int) -> int:
        async with self.db.transaction() as session:
            return await unread_count(session, business_id)

    async def thread(self, business_id: int, code: str, *, after_id: int = 0,
                     mark_read: bool = True) -> Thread:
        async with self.db.transaction() as session:
            return await open_thread(session, business_id, code, now=self.clock.now(),
                                     after_id=after_id, mark_read=mark_read)

    async def answer(self, business_id: int, code: str, body: str, *,
                     dedupe_key: str | None = None) -> Message | None:
        """Store the owner's answer in the outbox (committed), then wake the worker to send it."""
        async with self.db.transaction() as session:
            msg = await answer_thread(session, business_id, code, body, now=self.clock.now(),
                                      dedupe_key=dedupe_key)
        if msg is not None:
            self.worker.wake()
        return msg

    async def mark_handled(self, business_id: int, code: str) -> None:
        async with self.db.transaction() as session:
            await mark_handled(session, business_id, code, now=self.clock.now())
