"""Twilio's side of a call, as webhook parameter sets."""

from __future__ import annotations

import secrets

from scripts.doubles.factories import BUSINESS_NUMBER, CALLER

ACCOUNT_SID = "AC" + "d0" * 16


def new_call_sid() -> str:
    return "CA" + secrets.token_hex(16)


def call_params(call_sid: str, *, caller: str = CALLER, to: str = BUSINESS_NUMBER,
                **extra: str) -> dict[str, str]:
    params = {"AccountSid": ACCOUNT_SID, "CallSid": call_sid, "From": caller, "To": to,
              "Direction": "inbound", "ApiVersion": "2010-04-01", "CallStatus": "ringing"}
    params.update(extra)
    return params


def sms_params(*, sid: str | None = None, from_: str = CALLER, to: str = BUSINESS_NUMBER,
               body: str = "hello") -> dict[str, str]:
    sid = sid or "SM" + secrets.token_hex(16)
    return {"AccountSid": ACCOUNT_SID, "MessageSid": sid, "SmsSid": sid, "From": from_,
            "To": to, "Body": body, "NumMedia": "0", "NumSegments": "1",
            "SmsStatus": "received", "ApiVersion": "2010-04-01"}
