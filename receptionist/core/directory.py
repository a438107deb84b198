"""Businesses by phone number, cached in the process and kept current by a revision counter.

Every Twilio webhook starts by finding the business its ``To`` number belongs to; loading a
business with its numbers and team costs more than the rest of a missed call's bookkeeping. So
each process keeps the businesses it has loaded, and one counter row (``tenancy_revision``),
bumped in the same transaction as any change to a business, a number or a team member (by any
process: the CLI, the API, another instance), tells it when to forget them. A lookup then costs
one single-row read, or none: a webhook may take a cached business as it is (``cached``) and
read the revision in the statement that records its call's event (``REVISION_NOW``); if the
revision moved, it raises :class:`StaleDirectory`, its transaction rolls back and it runs again
on the business as it is now.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Integer, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from receptionist.core.db import Base, Database, Executor, insert_ignore, orm_session
from receptionist.core.tenancy import Business, PhoneNumber, TeamMember, business_for_number

__all__ = ["REVISION_NOW", "BusinessDirectory", "StaleDirectory", "TenancyRevision"]

_TENANCY = (Business, PhoneNumber, TeamMember)
_MAX_CACHED = 10_000


class TenancyRevision(Base):
    """One row whose ``revision`` grows with every committed change to tenancy tables."""

    __tablename__ = "tenancy_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)


_REVISION = select(TenancyRevision.__table__.c.revision).where(
    TenancyRevision.__table__.c.id == 1)
REVISION_NOW = _REVISION.scalar_subquery().label("tenancy_revision")
"""The tenancy revision as a column, e.g. in a write's ``RETURNING`` (``None`` before the first
change: read it as 0)."""


class StaleDirectory(Exception):
    """A cached business was changed after it was cached: the unit of work that used it must
    roll back and run again (the directory has forgotten what it held)."""


@event.listens_for(Session, "before_flush")
def _bump_on_tenancy_change(session: Session, _context: Any, _instances: Any) -> None:
    if not _touches_tenancy(session.new, session.dirty, session.deleted):
        return
    bind = session.connection()
    # The row exists after `db upgrade`; a database made by create_all (tests) gets it here.
    bind.execute(insert_ignore(bind.dialect.name, TenancyRevision, ["id"])
                 .values(id=1, revision=0))
    bind.execute(update(TenancyRevision).where(TenancyRevision.id == 1)
                 .values(revision=TenancyRevision.revision + 1))


def _touches_tenancy(*groups: Iterable[object]) -> bool:
    return any(isinstance(obj, _TENANCY) for group in groups for obj in group)


class BusinessDirectory:
    """``for_number`` answers from memory while the revision is unchanged. The businesses it
    returns are detached snapshots with numbers and team loaded: read them, don't change them."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._revision: int | None = None
        self._by_number: dict[str, Business | None] = {}

    async def for_number(self, number: str,
                         session: Executor | None = None) -> Business | None:
        """The business owning ``number``, read in ``session`` (a webhook's one transaction,
        a session or a plain connection) or in a transaction of its own."""
        if session is None:
            async with self.db.transaction() as own:
                return await self.for_number(number, own)
        revision = await session.scalar(_REVISION) or 0
        if revision != self._revision or len(self._by_number) > _MAX_CACHED:
            self._by_number.clear()
            self._revision = revision
        if number not in self._by_number:
            # Read after the revision: a change committed in between bumps it past the one
            # recorded, so the next lookup reloads; nothing stale is kept.
            async with orm_session(session) as orm:
                self._by_number[number] = await business_for_number(orm, number)
        return self._by_number[number]

    def cached(self, number: str) -> tuple[Business, int] | None:
        """The business owning ``number`` as cached, with the revision it was read at, without
        reading anything; ``None`` when it is not cached (or the number is unknown, which
        ``for_number`` must confirm). Whoever uses it checks that revision (``REVISION_NOW``)
        in the same transaction, before anything it did with the business commits, and calls
        :meth:`forget` if it moved."""
        business = self._by_number.get(number)
        if business is None or self._revision is None:
            return None
        return business, self._revision

    def forget(self) -> None:
        """Drop every cached business: the next lookup reads the revision and reloads."""
        self._by_number.clear()
        self._revision = None
