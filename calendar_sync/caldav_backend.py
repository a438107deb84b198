"""CalDAV through python-caldav's async client (``caldav.aio``): the only module importing caldav.

Discovery uses the library (principal -> calendar-home-set -> calendars). The hot path speaks the
RFC directly through the client's request methods, which keeps auth negotiation and error
mapping but lets us send what the library does not: a calendar-query asking for ETags, ``PUT``
with ``If-None-Match: *`` (atomic create; ``add_event(no_overwrite=True)`` is look-then-write) and
``If-Match`` updates and deletes. Every call has a timeout; provider exceptions become
``calendar_sync.errors`` (transient ones are retried once for reads).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.sax.saxutils import escape

from caldav.aio import AsyncDAVClient
from caldav.lib import error as caldav_error

from calendar_sync.caldav_transport import GuardedDAVClient
from calendar_sync.errors import (
    AddressRefused,
    CalendarAuthError,
    CalendarError,
    CalendarMissing,
    CalendarProtocolError,
    CalendarUnavailable,
    WriteConflict,
    WriteOutcomeUnknown,
)
from calendar_sync.ports import RemoteCalendar, StoredEvent
from receptionist.core import BlockedDestination, OutboundPolicy, log_event

__all__ = ["CaldavBackend"]

log = logging.getLogger("calendar_sync.caldav")

_QUERY = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="{start}" end="{end}"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""
_PROBE = """<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:displayname/></D:prop></D:propfind>"""
_MKCALENDAR = """<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
  <D:displayname>{name}</D:displayname>
  <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
</D:prop></D:set></C:mkcalendar>"""
_ICS = {"Content-Type": "text/calendar; charset=utf-8"}
_XML = {"Content-Type": "application/xml; charset=utf-8"}


class CaldavBackend:
    """One CalDAV account (URL + username + password)."""

    def __init__(self, url: str, username: str, password: str, *, timeout_s: float = 10.0,
                 read_retries: int = 1, policy: OutboundPolicy | None = None) -> None:
        self.url = url
        self.username = username
        self._password = password
        self.timeout_s = timeout_s
        self.read_retries = read_retries
        self._client: AsyncDAVClient | None = None
        # None only for our own embedded server; an account the owner connected is guarded.
        self._policy = policy
        self._host = urlsplit(url).netloc or url

    def _dav(self) -> AsyncDAVClient:
        if self._client is None:
            options: dict[str, Any] = dict(
                url=self.url, username=self.username, password=self._password,
                timeout=self.timeout_s,  # niquests takes floats
                enable_rfc6764=False, rate_limit_handle=False,
            )
            self._client = AsyncDAVClient(**options) if self._policy is None \
                else GuardedDAVClient(policy=self._policy, **options)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            try:
                await client.close()
            except (OSError, RuntimeError) as exc:  # closing on a loop that is gone
                log_event(log, "calendar.client_close_failed", logging.DEBUG, error=repr(exc))

    # -- discovery ----------------------------------------------------------------------------

    async def discover(self) -> list[RemoteCalendar]:
        try:
            own = await self._propfind(self.url, depth=0)
        except (CalendarMissing, CalendarProtocolError):
            own = {}  # some servers answer nothing useful at the root: ask for the principal
        if own.get("is_calendar"):
            return [RemoteCalendar(self.url, own.get("name") or _last_segment(self.url))]

        async def go() -> list[RemoteCalendar]:
            client = self._dav()
            principal = await client.get_principal()
            found = []
            for cal in await client.get_calendars(principal):
                name = await cal.get_display_name()  # type: ignore[misc]  # dual-mode API
                url = str(cal.url)
                found.append(RemoteCalendar(url, str(name) if name else _last_segment(url)))
            return found

        calendars: list[RemoteCalendar] = await self._guard(go(), "discover calendars")
        return calendars

    async def check(self, calendar_url: str) -> None:
        props = await self._propfind(calendar_url, depth=0)
        if not props.get("is_calendar"):
            raise CalendarMissing(f"{calendar_url} is not a calendar")

    async def ensure_calendar(self, calendar_url: str, name: str) -> None:
        try:
            resp = await self._request(calendar_url, "MKCALENDAR",
                                       _MKCALENDAR.format(name=escape(name)), _XML, retry=True)
        except CalendarAuthError:
            # Some servers (Xandikos) answer 403 when it already exists: fine if we can read it.
            await self.check(calendar_url)
            return
        # 201 created; 405/409 when it already exists.
        if resp.status in (201, 405, 409):
            return
        raise CalendarProtocolError(f"cannot create calendar {calendar_url}: HTTP {resp.status}")

    async def _propfind(self, url: str, depth: int) -> dict[str, Any]:
        resp = await self._request(url, "PROPFIND", _PROBE, {**_XML, "Depth": str(depth)},
                                   retry=True)
        if resp.status in (404, 410):
            raise CalendarMissing(f"{url} does not exist (HTTP {resp.status})")
        if resp.status not in (200, 207):
            raise CalendarProtocolError(f"{url}: PROPFIND answered HTTP {resp.status}")
        try:
            results = resp.parse_propfind()
        except (caldav_error.DAVError, ValueError, AttributeError) as exc:
            raise CalendarProtocolError(f"{url}: unreadable PROPFIND answer") from exc
        for result in results:
            rtype = result.properties.get("{DAV:}resourcetype") or []
            kinds = rtype if isinstance(rtype, list | tuple | set) else [rtype]
            return {
                "is_calendar": any("calendar" in str(k).lower().rsplit("}", 1)[-1]
                                   for k in kinds if k),
                "name": result.properties.get("{DAV:}displayname"),
            }
        return {}

    # -- reading ------------------------------------------------------------------------------

    async def events(self, calendar_url: str, start: datetime, end: datetime
                     ) -> list[StoredEvent]:
        body = _QUERY.format(start=_utc(start), end=_utc(end))
        resp = await self._request(calendar_url, "REPORT", body, {**_XML, "Depth": "1"},
                                   retry=True)
        if resp.status in (404, 410):
            raise CalendarMissing(f"the calendar {calendar_url} is gone (HTTP {resp.status})")
        if resp.status not in (200, 207):
            raise CalendarProtocolError(f"calendar-query answered HTTP {resp.status}")
        try:
            results = resp.parse_calendar_query()
        except (caldav_error.DAVError, ValueError, AttributeError) as exc:
            raise CalendarProtocolError("unreadable calendar-query answer") from exc
        return [StoredEvent(urljoin(calendar_url, r.href), r.etag, r.calendar_data)
                for r in results if r.calendar_data and r.status in (200, 0)]

    async def fetch(self, href: str) -> StoredEvent | None:
        resp = await self._request(href, "GET", "", {"Accept": "text/calendar"}, retry=True)
        if resp.status in (404, 410):
            return None
        if resp.status != 200:
            raise CalendarProtocolError(f"GET {href} answered HTTP {resp.status}")
        return StoredEvent(href, _etag(resp.headers), resp.raw)

    # -- writing ------------------------------------------------------------------------------

    async def create(self, calendar_url: str, resource_name: str, ical: str) -> StoredEvent:
        href = urljoin(calendar_url if calendar_url.endswith("/") else calendar_url + "/",
                       f"{resource_name}.ics")
        try:
            resp = await self._request(href, "PUT", ical, {**_ICS, "If-None-Match": "*"},
                                       retry=False)
        except CalendarUnavailable as exc:
            if isinstance(exc.__cause__, TimeoutError):
                # A server that hung on the PUT would hang on a look as long again, past what a
                # caller waits on the line (the tool's timeout would then cancel the booking
                # half-way, leaving no record): report that it may have been written.
                raise WriteOutcomeUnknown(str(exc), href=href) from exc
            # The PUT may have landed before the answer was lost: look before reporting failure.
            try:
                found = await self.fetch(href)
            except CalendarUnavailable as lookup:
                raise WriteOutcomeUnknown(str(lookup), href=href) from exc
            if found is not None and found.ical.replace("\r\n", "\n").strip() \
                    == ical.replace("\r\n", "\n").strip():
                return found
            raise
        if resp.status in (200, 201, 204):
            etag = _etag(resp.headers)
            if etag is None:  # the server changed our data or sends no ETag: ask for it
                got = await self.fetch(href)
                etag = got.etag if got else None
            return StoredEvent(href, etag, ical)
        if resp.status in (409, 412):  # name taken, or RFC 4791 no-uid-conflict
            raise WriteConflict(f"{href} or its UID already exists (HTTP {resp.status})")
        if resp.status in (404, 410):
            raise CalendarMissing(f"the calendar {calendar_url} is gone (HTTP {resp.status})")
        raise CalendarProtocolError(f"PUT {href} answered HTTP {resp.status}")

    async def replace(self, href: str, ical: str, etag: str | None) -> StoredEvent:
        headers = {**_ICS, **({"If-Match": etag} if etag else {})}
        resp = await self._request(href, "PUT", ical, headers, retry=False)
        if resp.status in (200, 201, 204):
            new_etag = _etag(resp.headers)
            if new_etag is None:
                got = await self.fetch(href)
                new_etag = got.etag if got else None
            return StoredEvent(href, new_etag, ical)
        if resp.status == 412:
            raise WriteConflict(f"{href} changed since it was read (HTTP 412)")
        if resp.status in (404, 410):
            raise CalendarMissing(f"{href} is gone (HTTP {resp.status})")
        raise CalendarProtocolError(f"PUT {href} answered HTTP {resp.status}")

    async def delete(self, href: str, etag: str | None) -> None:
        resp = await self._request(href, "DELETE", "", {"If-Match": etag} if etag else {},
                                   retry=False)
        if resp.status in (200, 202, 204, 404, 410):
            return
        if resp.status == 412:
            raise WriteConflict(f"{href} changed since it was read (HTTP 412)")
        raise CalendarProtocolError(f"DELETE {href} answered HTTP {resp.status}")

    # -- plumbing -----------------------------------------------------------------------------

    async def _request(self, url: str, method: str, body: str, headers: Mapping[str, str], *,
                       retry: bool) -> Any:
        attempts = 1 + (self.read_retries if retry else 0)
        for attempt in range(attempts):
            try:
                resp = await self._guard(self._dav().request(url, method, body, dict(headers)),
                                         f"{method} {url}")
            except CalendarUnavailable as exc:
                # A timeout is not retried: a caller is waiting, and it would double the wait.
                if attempt + 1 >= attempts or isinstance(exc.__cause__, TimeoutError):
                    raise
                await asyncio.sleep(0.1 * (attempt + 1))
                continue
            if resp.status >= 500 or resp.status == 429:
                if attempt + 1 >= attempts:
                    raise CalendarUnavailable(
                        f"{self._host} answered HTTP {resp.status} to {method}")
                await asyncio.sleep(0.1 * (attempt + 1))
                continue
            return resp
        raise AssertionError("unreachable")

    async def _guard(self, coro: Any, what: str) -> Any:
        """Await ``coro`` with the timeout, translating every provider error."""
        try:
            async with asyncio.timeout(self.timeout_s):
                return await coro
        except CalendarError:
            raise
        except BlockedDestination as exc:
            raise AddressRefused(str(exc)) from exc
        except TimeoutError as exc:
            raise CalendarUnavailable(
                f"{self._host} did not answer within {self.timeout_s:g} s ({what})") from exc
        except caldav_error.AuthorizationError as exc:
            raise CalendarAuthError(
                f"{self._host} refused the username or password (or access to the calendar)"
            ) from exc
        except caldav_error.RateLimitError as exc:
            raise CalendarUnavailable(f"{self._host} is rate limiting us") from exc
        except caldav_error.NotFoundError as exc:
            raise CalendarMissing(f"{what}: not found on {self._host}") from exc
        except caldav_error.DAVError as exc:
            raise CalendarProtocolError(f"{what}: {exc}") from exc
        except OSError as exc:  # niquests' ConnectionError/Timeout are OSErrors
            raise CalendarUnavailable(f"cannot reach {self._host}: {type(exc).__name__}") \
                from exc
        except (ValueError, AttributeError, TypeError) as exc:  # not CalDAV (HTML, bad XML)
            raise CalendarProtocolError(f"{what}: unexpected answer from {self._host}") from exc


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _etag(headers: Mapping[str, str]) -> str | None:
    value = headers.get("ETag") or headers.get("etag")
    if not value or value.startswith("W/"):  # a weak ETag cannot be used with If-Match
        return None
    return str(value)


def _last_segment(url: str) -> str:
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or url
