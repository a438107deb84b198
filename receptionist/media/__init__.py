"""The media-stream server: Twilio Media Streams in, the conversation's audio out.

``VoiceService`` answers ``/twilio/voice`` for the AI (minting a one-time stream token) and runs a
``CallSession`` per ``WS /twilio/media``; ``twilio_wire`` is the wire format, ``tokens`` the gate,
``twilio_calls`` hangs up and transfers, ``engines`` picks and builds each call's engine and
``simulator`` plays Twilio against a running server.
"""

from receptionist.media.engines import EngineFactory, local_engines_installed
from receptionist.media.errors import CallControlError, MediaError
from receptionist.media.ports import Briefing, CallLifecycle, MediaSocket, SocketClosed
from receptionist.media.routes import StarletteMediaSocket, router
from receptionist.media.service import MEDIA_PATH, VoiceService, connect_stream_twiml
from receptionist.media.session import CallDeps, CallSession, SessionLimits
from receptionist.media.setup import CallSetup, CallSetupBuilder
from receptionist.media.tokens import StreamGrant, StreamTokens
from receptionist.media.twilio_calls import StreamCallControl, TwilioCallControl

__all__ = [
    "MEDIA_PATH",
    "Briefing",
    "CallControlError",
    "CallDeps",
    "CallLifecycle",
    "CallSession",
    "CallSetup",
    "CallSetupBuilder",
    "EngineFactory",
    "MediaError",
    "MediaSocket",
    "SessionLimits",
    "SocketClosed",
    "StarletteMediaSocket",
    "StreamCallControl",
    "StreamGrant",
    "StreamTokens",
    "TwilioCallControl",
    "VoiceService",
    "connect_stream_twiml",
    "local_engines_installed",
    "router",
]
