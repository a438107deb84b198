"""Twilio's side of the REST double: resources, their rules, and Twilio's JSON and error shapes.

Only the slice of ``https://api.twilio.com/2010-04-01`` the product uses is modelled — Messages
(create, list, fetch) and Calls (fetch, update) — but that slice answers the way Twilio does, so
the real ``twilio`` SDK parses every response and raises its own exceptions. No sockets here;
``twilio_rest`` serves this state over HTTP.
"""

from __future__ import annotations

import base64
import hmac
import math
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from operator import eq, ge, le
from typing import Any
from urllib.parse import urlencode

API_VERSION = "2010-04-01"
ENDED_CALL_STATUSES = frozenset({"completed", "canceled", "busy", "no-answer", "failed"})
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_ACCOUNT = r"^/2010-04-01/Accounts/(?P<account>[^/]+)"
MESSAGES_PATH = re.compile(_ACCOUNT + r"/Messages\.json$")
MESSAGE_PATH = re.compile(_ACCOUNT + r"/Messages/(?P<sid>[^/]+)\.json$")
CALL_PATH = re.compile(_ACCOUNT + r"/Calls/(?P<sid>[^/]+)\.json$")

# Messages Twilio returns for the codes the product reacts to; injected failures default to these.
ERROR_MESSAGES = {
    20500: "An internal server error has occurred",
    21211: "The 'To' number {to} is not a valid phone number.",
    21220: "Call is not in-progress. Cannot redirect.",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21617: "The concatenated message body exceeds the 1600 character limit.",
}

_CALL_FIELDS_NOT_MODELLED = (
    *("annotation", "answered_by", "caller_name", "forwarded_from", "group_sid"),
    *("parent_call_sid", "phone_number_sid", "trunk_sid"),
)

# GSM 03.38: characters outside both sets force the whole message to UCS-2.
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = frozenset("^{}\\[]~|€\f")


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def rfc2822(moment: datetime | None) -> str | None:
    return None if moment is None else format_datetime(moment)


def count_segments(body: str) -> int:
    """Segments Twilio bills for ``body`` (160/153 GSM-7 septets, 70/67 UCS-2 code units)."""
    if all(c in _GSM7_BASIC or c in _GSM7_EXTENSION for c in body):
        units, single, part = sum(2 if c in _GSM7_EXTENSION else 1 for c in body), 160, 153
    else:
        units, single, part = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / part)


class ApiError(Exception):
    """An error in Twilio's legacy JSON shape, which the SDK turns into ``TwilioRestException``."""

    def __init__(self, status: int, code: int, message: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code = status, code
        self.message = message or ERROR_MESSAGES.get(code, "Error")

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }


@dataclass
class StoredMessage:
    sid: str
    account_sid: str
    to: str
    from_: str | None
    body: str
    status: str
    messaging_service_sid: str | None
    status_callback: str | None
    media_urls: list[str]
    num_segments: int
    date_created: datetime
    date_updated: datetime
    date_sent: datetime | None = None
    error_code: int | None = None

    def to_json(self) -> dict[str, Any]:
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": rfc2822(self.date_created),
            "date_sent": rfc2822(self.date_sent),
            "date_updated": rfc2822(self.date_updated),
            "direction": "outbound-api",
            "error_code": self.error_code,
            "error_message": None,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": str(len(self.media_urls)),
            "num_segments": str(self.num_segments),
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": f"{uri}/Media.json", "feedback": f"{uri}/Feedback.json"},
            "to": self.to,
            "uri": f"{uri}.json",
        }


@dataclass
class StoredCall:
    sid: str
    account_sid: str
    from_: str
    to: str
    status: str
    direction: str
    date_created: datetime
    date_updated: datetime
    end_time: datetime | None = None
    twiml: str | None = None
    url: str | None = None
    updates: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Calls/{self.sid}"
        duration = None
        if self.end_time is not None:
            duration = str(int((self.end_time - self.date_created).total_seconds()))
        return dict.fromkeys(_CALL_FIELDS_NOT_MODELLED) | {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "date_created": rfc2822(self.date_created),
            "date_updated": rfc2822(self.date_updated),
            "direction": self.direction,
            "duration": duration,
            "end_time": rfc2822(self.end_time),
            "from": self.from_,
            "from_formatted": self.from_,
            "price": None,
            "price_unit": "USD",
            "queue_time": "0",
            "sid": self.sid,
            "start_time": rfc2822(self.date_created),
            "status": self.status,
            "subresource_uris": {"recordings": f"{uri}/Recordings.json"},
            "to": self.to,
            "to_formatted": self.to,
            "uri": f"{uri}.json",
        }


@dataclass
class FailureRule:
    """Answer the next ``remaining`` message creates (to ``to``, or any) with an error, or accept
    them and drop the connection when ``drop_after_accept``."""

    remaining: int = 1
    status: int = 500
    code: int = 20500
    message: str | None = None
    to: str | None = None
    drop_after_accept: bool = False
    after_create: bool = False  # the error comes after the message was created (a 5xx late)


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]
    received_perf_counter: float
    received_time: float
    response_status: int | None = None  # None: the connection was dropped without an answer


class TwilioState:
    """Everything the double remembers; every method takes the lock (handlers run on threads)."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.messages: dict[str, StoredMessage] = {}
            self.calls: dict[str, StoredCall] = {}
            self.failures: list[FailureRule] = []
            self.requests: list[RecordedRequest] = []
            self.latency_s = 0.0
            self.body_prefix = ""
            self.body_replacements: dict[str, str] = {}

    def authenticate(self, authorization: str, account_in_path: str) -> None:
        """HTTP Basic with AccountSid:AuthToken, for the account named in the path."""
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() != "basic" or not encoded:
            raise ApiError(401, 20003, "Authentication Error - No credentials provided")
        try:
            username, _, password = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            raise ApiError(401, 20003, "Authentication Error - invalid username") from None
        good = hmac.compare_digest(username, self.account_sid) and hmac.compare_digest(
            password, self.auth_token
        )
        if not good or account_in_path != self.account_sid:
            raise ApiError(401, 20003, "Authentication Error - invalid username")

    def take_failure(self, to: str) -> FailureRule | None:
        with self.lock:
            for rule in self.failures:
                if rule.remaining > 0 and rule.to in (None, to):
                    rule.remaining -= 1
                    return rule
        return None

    def create_message(
        self, account_sid: str, form: dict[str, str], media: list[str]
    ) -> StoredMessage:
        to, from_, service = form.get("To"), form.get("From"), form.get("MessagingServiceSid")
        body = form.get("Body", "")
        if not to:
            raise ApiError(400, 21604)
        if not _E164.match(to):
            raise ApiError(400, 21211, ERROR_MESSAGES[21211].format(to=to))
        if not from_ and not service:
            raise ApiError(400, 21603)
        if not body and not media and not form.get("ContentSid"):
            raise ApiError(400, 21602)
        if len(body) > 1600:
            raise ApiError(400, 21617)
        with self.lock:  # what Twilio stores may differ from what was sent (see rewrite_bodies)
            for old, new in self.body_replacements.items():
                body = body.replace(old, new)
            body = self.body_prefix + body
        now = datetime.now(UTC)
        message = StoredMessage(
            sid=new_sid("MM" if media else "SM"),
            account_sid=account_sid,
            to=to,
            from_=from_,
            body=body,
            # A Messaging Service picks the sender later: "accepted", and no segments yet.
            status="queued" if from_ else "accepted",
            messaging_service_sid=service,
            status_callback=form.get("StatusCallback"),
            media_urls=media,
            num_segments=count_segments(body) if from_ else 0,
            date_created=now,
            date_updated=now,
        )
        with self.lock:
            self.messages[message.sid] = message
        return message

    def set_message_status(self, sid: str, status: str, error_code: int | None) -> StoredMessage:
        with self.lock:
            message = self.messages[sid]
            message.status, message.error_code = status, error_code
            message.date_updated = datetime.now(UTC)
            if status in ("sent", "delivered", "undelivered", "read") and not message.date_sent:
                message.date_sent = message.date_updated
            return message

    def list_messages(self, query: dict[str, str]) -> list[StoredMessage]:
        """Newest first, filtered like Twilio: To, From, and DateSent (=, <=, >=) by UTC day —
        Twilio's docs accept ``YYYY-MM-DD``; the SDK sends a datetime for a datetime."""
        with self.lock:
            found = list(reversed(self.messages.values()))
        for key, attr in (("To", "to"), ("From", "from_")):
            if key in query:
                found = [m for m in found if getattr(m, attr) == query[key]]
        for key, keep in (("DateSent", eq), ("DateSent<", le), ("DateSent>", ge)):
            if key in query:
                day = date.fromisoformat(query[key][:10])
                found = [m for m in found if m.date_sent and keep(m.date_sent.date(), day)]
        return found

    def add_call(self, sid: str, from_: str, to: str, status: str, direction: str) -> StoredCall:
        now = datetime.now(UTC)
        call = StoredCall(sid, self.account_sid, from_, to, status, direction, now, now)
        with self.lock:
            self.calls[sid] = call
        return call

    def update_call(self, sid: str, form: dict[str, str], path: str) -> StoredCall:
        with self.lock:
            call = self.calls.get(sid)
            if call is None:
                raise not_found(path)
            status = form.get("Status")
            redirect = "Twiml" in form or "Url" in form
            if redirect and call.status != "in-progress":
                raise ApiError(400, 21220)
            if call.status in ENDED_CALL_STATUSES:
                raise not_found(path)  # Twilio answers an ended call's hang-up with 20404
            call.updates.append(dict(form))
            call.date_updated = datetime.now(UTC)
            if status == "completed" or (status == "canceled" and call.status != "in-progress"):
                call.status, call.end_time = status, call.date_updated
            elif redirect:
                call.twiml, call.url = form.get("Twiml"), form.get("Url")
            return call


def not_found(path: str) -> ApiError:
    return ApiError(404, 20404, f"The requested resource {path} was not found")


def messages_page(
    messages: list[StoredMessage], path: str, query: dict[str, str]
) -> dict[str, Any]:
    """A Twilio list page: records under ``messages`` plus the paging keys ``twilio.base.Page``
    knows. Paging is by cursor (``PageToken=PA<last sid>``) as Twilio does; ``Page`` is a label."""
    size = min(max(int(query.get("PageSize", 50)), 1), 1000)
    page = int(query.get("Page", 0))
    token = query.get("PageToken", "")
    sids = [m.sid for m in messages]
    start = page * size
    if token[2:] in sids:
        at = sids.index(token[2:])
        start = at + 1 if token.startswith("PA") else max(at - size, 0)
    records = messages[start : start + size]
    filters = {k: v for k, v in query.items() if k not in ("PageSize", "Page", "PageToken")}

    def uri(number: int, page_token: str | None = None) -> str:
        params = {**filters, "PageSize": size, "Page": number}
        if page_token:
            params["PageToken"] = page_token
        return f"{path}?{urlencode(params)}"

    has_next = start + size < len(messages)
    return {
        "end": start + max(len(records) - 1, 0),
        "first_page_uri": uri(0),
        "messages": [m.to_json() for m in records],
        "next_page_uri": uri(page + 1, "PA" + records[-1].sid) if has_next else None,
        "page": page,
        "page_size": size,
        "previous_page_uri": uri(page - 1, "PB" + records[0].sid) if page and records else None,
        "start": start,
        "uri": uri(page, token or None),
    }


def answer(
    state: TwilioState, request: RecordedRequest, media: list[str]
) -> tuple[int, dict[str, Any] | None]:
    """Twilio's answer to one API request: (HTTP status, JSON body), or a ``None`` body when the
    request was accepted but the connection is to be dropped unanswered."""
    path, method = request.path, request.method
    try:
        match = MESSAGES_PATH.match(path) or MESSAGE_PATH.match(path) or CALL_PATH.match(path)
        if match is None:
            raise not_found(path)
        headers = {k.lower(): v for k, v in request.headers.items()}
        state.authenticate(headers.get("authorization", ""), match["account"])
        sid = match.groupdict().get("sid") or ""
        if match.re is MESSAGES_PATH and method == "POST":
            to = request.form.get("To", "")
            rule = state.take_failure(to)
            if rule is not None and not rule.drop_after_accept:
                if rule.after_create:
                    state.create_message(match["account"], request.form, media)
                text = rule.message or ERROR_MESSAGES.get(rule.code, "Error").format(to=to)
                raise ApiError(rule.status, rule.code, text)
            message = state.create_message(match["account"], request.form, media)
            return 201, None if rule is not None else message.to_json()
        if match.re is MESSAGES_PATH and method == "GET":
            return 200, messages_page(state.list_messages(request.query), path, request.query)
        if match.re is CALL_PATH and method == "POST":
            return 200, state.update_call(sid, request.form, path).to_json()
        if method == "GET":
            with state.lock:
                found = (state.messages if match.re is MESSAGE_PATH else state.calls).get(sid)
            if found is None:
                raise not_found(path)
            return 200, found.to_json()
        raise ApiError(405, 20004, "Method not allowed")
    except ApiError as error:
        return error.status, error.body()
