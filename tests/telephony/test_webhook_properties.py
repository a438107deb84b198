"""Fuzzing the Twilio webhooks over HTTP against the running app: any correctly signed form, with
Twilio's field names holding any text, is answered without a server error; any unsigned or
malformed body gets a 4xx before anything reads state."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scripts.doubles.factories import add_business
from tests.support.calls import call_params, new_call_sid, sms_params

pytestmark = pytest.mark.slow  # a property search over HTTP

PATHS = ["/twilio/sms", "/twilio/sms/status", "/twilio/voice", "/twilio/voice/dial",
         "/twilio/voice/transfer", "/twilio/voice/status", "/twilio/voice/fallback"]
FIELDS = ["From", "To", "Body", "NumMedia", "MessageSid", "SmsSid", "MessageStatus",
          "SmsStatus", "ErrorCode", "CallSid", "CallStatus", "DialCallStatus",
          "DialCallDuration", "CallDuration", "AnsweredBy", "Direction", "ParentCallSid"]
VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "0", "²", "-1", "99999999999999999999", "completed", "no-answer",
                     "busy", "canceled", "failed", "delivered", "undelivered", "+15551234567",
                     "anonymous", "client:alice", "STOP", "HELP", "１"]),
)
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _base(path: str) -> dict[str, str]:
    return sms_params() if path.startswith("/twilio/sms") else call_params(new_call_sid())


@FUZZ
@given(path=st.sampled_from(PATHS), changes=st.dictionaries(st.sampled_from(FIELDS), VALUES,
                                                              max_size=5))
@example(path="/twilio/sms", changes={"NumMedia": "²"})  # isdigit() but not int()-able
@example(path="/twilio/voice/status", changes={"CallDuration": "²", "CallStatus": "completed"})
@example(path="/twilio/voice/dial", changes={"DialCallDuration": "²",
                                             "DialCallStatus": "completed"})
# PostgreSQL refuses NUL in text columns: a signed form holding one must not reach a write.
@example(path="/twilio/voice/transfer", changes={"From": "\x00"})
@example(path="/twilio/sms", changes={"Body": "hi\x00there", "From": "+1555\x00"})
async def test_signed_forms_never_cause_a_server_error(server, webhooks, db, path, changes):
    if not getattr(server, "_fuzz_business", False):
        await add_business(db, textback_cooldown_hours=0)
        server._fuzz_business = True
    params = _base(path)
    params.update(changes)
    r = await webhooks.post(path, params)
    assert r.status_code < 500, (path, params, r.status_code, r.text[:200])


@FUZZ
@given(path=st.sampled_from(PATHS), body=st.binary(max_size=300),
       ctype=st.sampled_from(["application/x-www-form-urlencoded", "text/plain",
                              "application/json", "multipart/form-data", ""]),
       signature=st.one_of(st.none(), st.text("ABCXYZabcxyz0189+/=", min_size=1,
                                                          max_size=40)))
@example(path="/twilio/sms", body=b"a=%ff", ctype="application/x-www-form-urlencoded",
         signature="x")
@example(path="/twilio/sms", body=b"&&==", ctype="application/x-www-form-urlencoded",
         signature="x")
async def test_unsigned_or_malformed_bodies_get_a_4xx(server, webhooks, path, body, ctype,
                                                       signature):
    headers = {"Content-Type": ctype} if ctype else {}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    r = await webhooks.client.post(path, content=body, headers=headers)
    assert r.status_code in (400, 403, 413, 415, 422), (r.status_code, r.text[:200])


@FUZZ
@given(params=st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=6),
       flip=st.integers(0, 1000))
async def test_a_signature_is_only_valid_for_its_own_form(webhooks, params, flip):
    signer = webhooks.signer
    url = signer.url_for("/twilio/sms")
    signature = signer.sign(url, params)
    assert signer.is_valid("/twilio/sms", "", params, signature)
    tampered = dict(params)
    tampered["Body"] = tampered.get("Body", "") + chr(0x41 + flip % 26)
    assert not signer.is_valid("/twilio/sms", "", tampered, signature)
    assert not signer.is_valid("/twilio/sms/status", "", params, signature)
    assert not signer.is_valid("/twilio/sms", "", params, signature[:-2] + "AA"
                               if not signature.endswith("AA") else signature[:-2] + "BB")
