"""TwiML answers, built with the twilio SDK's builders."""

from __future__ import annotations

from functools import lru_cache

from twilio.twiml.voice_response import Connect, Dial, VoiceResponse

from receptionist.core import Business

__all__ = ["apologize", "connect_ai", "hang_up", "not_in_service", "ring_team"]

VOICE = "Polly.Joanna"


def ring_team(business: Business, targets: list[str], *, action_url: str,
              status_url: str) -> str:
    return _ring_team(business.ring_seconds, tuple(targets[:10]), action_url, status_url)


# Every incoming call of a ringing business answers the same <Dial>: the SDK's XML builder
# costs more than the rest of the webhook's own code, so each distinct answer is built once.
@lru_cache(maxsize=1024)
def _ring_team(ring_seconds: int, targets: tuple[str, ...], action_url: str,
               status_url: str) -> str:
    vr = VoiceResponse()
    # answerOnBridge keeps the caller hearing ringing (unanswered) until a team phone picks up,
    # so an abandoned call is a missed call, not a short answered one.
    dial = Dial(timeout=ring_seconds, action=action_url, method="POST",
                answer_on_bridge=True)
    for number in targets:
        dial.number(number, status_callback=status_url, status_callback_method="POST",
                    status_callback_event="answered completed")
    vr.append(dial)
    return str(vr)


def apologize(business: Business, *, after_hours: bool, will_text: bool) -> str:
    vr = VoiceResponse()
    if after_hours:
        text = f"Thanks for calling {business.name}. We're closed right now."
    else:
        text = f"Thanks for calling {business.name}. Sorry, nobody can take your call right now."
    text += (" We'll text you in a moment so you can reach us." if will_text
             else " Please call again later.")
    vr.say(text, voice=VOICE)
    vr.hangup()
    return str(vr)


def connect_ai(stream_url: str, parameters: dict[str, str], *, action_url: str | None,
               status_url: str | None) -> str:
    vr = VoiceResponse()
    connect = Connect(action=action_url) if action_url else Connect()
    stream = connect.stream(url=stream_url, status_callback=status_url) if status_url \
        else connect.stream(url=stream_url)
    for name, value in parameters.items():
        stream.parameter(name=name, value=value)
    vr.append(connect)
    return str(vr)


def hang_up() -> str:
    vr = VoiceResponse()
    vr.hangup()
    return str(vr)


def not_in_service() -> str:
    vr = VoiceResponse()
    vr.say("Sorry, this number is not set up to take calls yet. Goodbye.", voice=VOICE)
    vr.hangup()
    return str(vr)
