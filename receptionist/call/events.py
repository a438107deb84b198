"""The vocabulary of a live call: events the conversation hears, commands it gives.

Events are facts, named in the past tense; they come from the media edge (Twilio frames), from the
conversation engine (model or pipeline) and from timers. Commands are imperative; the per-call
session carries them out (send to Twilio, to the engine, run a tool, start a timer) and turns the
results back into events. All are small frozen dataclasses: no I/O, no SDK objects.

Times: ``at_ms`` is stream time, milliseconds of call audio since the stream started (Twilio's
``media.timestamp``), never wall clock. Audio is base64 G.711 μ-law at 8 kHz (8 bytes per ms),
passed through untouched; ``size`` is its decoded byte count.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from receptionist.agent import ToolCall, ToolResult, Turn, TurnStages
from receptionist.call.machine_state import Purpose, Timer

__all__ = [
    "AgentAudio",
    "AgentSaid",
    "CallerSaid",
    "CallerStartedSpeaking",
    "CallerStoppedSpeaking",
    "CancelReply",
    "CancelTimer",
    "ClearPlayback",
    "Command",
    "DigitPressed",
    "EngineFailed",
    "EngineRecovered",
    "Event",
    "HangUp",
    "MarkPlayed",
    "NoteConversationStarted",
    "PlayAudio",
    "Reconnect",
    "ReplyFinished",
    "ReplyStarted",
    "RunTool",
    "SendMark",
    "SendToolResult",
    "Speak",
    "StartTimer",
    "StreamStarted",
    "StreamStopped",
    "SwitchToFallback",
    "TakeMessage",
    "TimerFired",
    "ToolCompleted",
    "ToolRequested",
    "Transfer",
    "TransferFailed",
    "TruncateReply",
    "TurnMeasured",
]


# --- events ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StreamStarted:
    """The stream was authenticated and the engine is ready; ``resumed``: the caller comes back
    to the AI after a transfer nobody answered."""

    greeting: str
    resumed: bool = False


@dataclass(frozen=True, slots=True)
class StreamStopped:
    """Twilio sent ``stop`` (the call ended or its TwiML was replaced) or the socket closed."""


@dataclass(frozen=True, slots=True)
class MarkPlayed:
    """Twilio echoed a mark: everything queued before it has played (or was cleared)."""

    name: str
    at_ms: int


@dataclass(frozen=True, slots=True)
class DigitPressed:
    digit: str


@dataclass(frozen=True, slots=True)
class CallerStartedSpeaking:
    at_ms: int


@dataclass(frozen=True, slots=True)
class CallerStoppedSpeaking:
    at_ms: int


@dataclass(frozen=True, slots=True)
class CallerSaid:
    """What the caller said in one turn (a final transcript)."""

    text: str
    at_ms: int


@dataclass(frozen=True, slots=True)
class ReplyStarted:
    """The engine began a reply; ``purpose`` is the one given to ``Speak`` (None: the model's
    own answer)."""

    reply_id: str
    purpose: Purpose | None = None


@dataclass(frozen=True, slots=True)
class AgentAudio:
    """A chunk of the agent's speech for ``item_id`` (the unit a truncation refers to)."""

    reply_id: str
    item_id: str
    payload: str  # base64 μ-law, sent to Twilio as is
    size: int  # bytes of μ-law (= samples)


@dataclass(frozen=True, slots=True)
class AgentSaid:
    """The text of what the agent says in ``item_id`` (transcript of its audio)."""

    reply_id: str
    item_id: str
    text: str
    at_ms: int


@dataclass(frozen=True, slots=True)
class ReplyFinished:
    reply_id: str
    status: str = "completed"  # "completed" | "cancelled" | "failed" | "incomplete"


@dataclass(frozen=True, slots=True)
class ToolRequested:
    """The model asked for a tool (Realtime function call); the session runs it."""

    reply_id: str
    call: ToolCall


@dataclass(frozen=True, slots=True)
class ToolCompleted:
    """A tool finished. ``by_engine``: the engine's brain ran it and already used the result
    (pipeline); otherwise the result must be sent back to the model."""

    call: ToolCall
    result: ToolResult
    by_engine: bool = False
    reply_id: str | None = None  # the reply whose turn ran it, when the engine knows


@dataclass(frozen=True, slots=True)
class TimerFired:
    name: Timer


@dataclass(frozen=True, slots=True)
class EngineFailed:
    """The model or provider failed. ``recoverable``: a reconnect may help (dropped socket,
    5xx); otherwise the call degrades at once."""

    reason: str
    recoverable: bool = False


@dataclass(frozen=True, slots=True)
class EngineRecovered:
    """A reconnect (failure or session cap) succeeded; the engine has the conversation so far."""


@dataclass(frozen=True, slots=True)
class TransferFailed:
    reason: str


@dataclass(frozen=True, slots=True)
class TurnMeasured:
    """The engine's account of where the wait for ``reply_id``'s first audio went; for the
    call record, nothing to decide."""

    reply_id: str
    stages: TurnStages


Event = (
    StreamStarted | StreamStopped | MarkPlayed | DigitPressed | CallerStartedSpeaking
    | CallerStoppedSpeaking | CallerSaid | ReplyStarted | AgentAudio | AgentSaid | ReplyFinished
    | ToolRequested | ToolCompleted | TimerFired | EngineFailed | EngineRecovered | TransferFailed
    | TurnMeasured
)


# --- commands -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlayAudio:
    """Send one Twilio ``media`` message."""

    item_id: str
    payload: str
    size: int


@dataclass(frozen=True, slots=True)
class SendMark:
    name: str


@dataclass(frozen=True, slots=True)
class ClearPlayback:
    """Send Twilio ``clear``: drop the audio it has queued (barge-in)."""


@dataclass(frozen=True, slots=True)
class Speak:
    """Have the engine say ``text`` (greeting, prompts, goodbye) as its next reply."""

    text: str
    purpose: Purpose


@dataclass(frozen=True, slots=True)
class TruncateReply:
    """Tell the engine the caller heard only ``audio_end_ms`` of ``item_id``."""

    item_id: str
    audio_end_ms: int


@dataclass(frozen=True, slots=True)
class CancelReply:
    reply_id: str


@dataclass(frozen=True, slots=True)
class RunTool:
    call: ToolCall


@dataclass(frozen=True, slots=True)
class SendToolResult:
    """Give the model a tool's result; ``respond``: and ask it to answer now."""

    call: ToolCall
    result: ToolResult
    respond: bool = True


@dataclass(frozen=True, slots=True)
class Reconnect:
    """Open a fresh model session seeded with the conversation so far."""

    history: tuple[Turn, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class SwitchToFallback:
    """The engine is gone: speak through the local fallback voice from now on."""

    reason: str


@dataclass(frozen=True, slots=True)
class TakeMessage:
    """Leave the team a message about this call and text the caller that we will follow up."""

    reason: str
    history: tuple[Turn, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class HangUp:
    reason: str


@dataclass(frozen=True, slots=True)
class Transfer:
    reason: str


@dataclass(frozen=True, slots=True)
class NoteConversationStarted:
    """Tell the call lifecycle a conversation happened (greeting heard or caller spoke)."""


@dataclass(frozen=True, slots=True)
class StartTimer:
    name: Timer
    seconds: float


@dataclass(frozen=True, slots=True)
class CancelTimer:
    name: Timer


Command = (
    PlayAudio | SendMark | ClearPlayback | Speak | TruncateReply | CancelReply | RunTool
    | SendToolResult | Reconnect | SwitchToFallback | TakeMessage | HangUp | Transfer
    | NoteConversationStarted | StartTimer | CancelTimer
)
