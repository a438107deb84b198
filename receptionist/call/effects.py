"""The effects a call's session carries out besides the conversation: the start handshake,
tools, hang-up and transfer, the lifecycle writes (the team's message: ``message_taking``).
None may end a live call when it fails."""

from __future__ import annotations

import asyncio
import logging
import time

from receptionist.agent import (
    CallContext,
    CallControl,
    ToolBox,
    ToolCall,
    ToolResult,
    run_guarded,
    tools_unavailable,
)
from receptionist.call import twilio_wire as wire
from receptionist.call.deps import SessionLimits
from receptionist.call.errors import CallControlError
from receptionist.call.ports import CallLifecycle, MediaSocket, SocketClosed
from receptionist.core import log_event

__all__ = ["StreamLifecycle", "await_start", "hang_up", "run_tool", "transfer"]

# The session's logger: these are its effects, and operators filter on it.
log = logging.getLogger("receptionist.call.session")


async def await_start(socket: MediaSocket, limits: SessionLimits) -> wire.Start | None:
    """Read up to Twilio's ``start`` frame; None if it does not come in time or junk comes."""
    deadline = time.monotonic() + limits.start_timeout_s
    junk = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            log_event(log, "media.no_start", logging.WARNING)
            return None
        try:
            message = await asyncio.wait_for(socket.receive(), remaining)
        except (SocketClosed, TimeoutError):
            return None
        frame = wire.parse(message) if isinstance(message, str) \
            else wire.Malformed("binary frame")
        if isinstance(frame, wire.Start):
            return frame
        if not isinstance(frame, wire.Connected):
            junk += 1
            if isinstance(frame, wire.Stop) or junk > limits.max_junk_before_start:
                return None


async def run_tool(toolbox: ToolBox | None, ctx: CallContext, call: ToolCall, *,
                   call_sid: str) -> tuple[ToolResult, int]:
    """Run one tool call; a missing or broken tool box becomes the agent's own failed result
    (the tool box times its tools itself). Returns the result and how long it took in ms."""
    started = time.perf_counter()
    if toolbox is None:
        result = tools_unavailable()
    else:
        result = await run_guarded(toolbox.run(ctx, call), tool=call.name, call_sid=call_sid,
                                   timeout_s=None)
    return result, round((time.perf_counter() - started) * 1000)


class StreamLifecycle:
    """The call lifecycle's two writes from the stream, remembering whether the first landed."""

    def __init__(self, lifecycle: CallLifecycle) -> None:
        self.lifecycle = lifecycle
        self.conversation_stored = False

    async def conversation_started(self, call_sid: str) -> None:
        # Off the call's path; a failure must not end a live call: stream_ended retries it.
        try:
            await self.lifecycle.conversation_started(call_sid)
            self.conversation_stored = True
        except Exception as exc:
            log_event(log, "media.lifecycle_write_failed", logging.WARNING,
                      call_sid=call_sid, error=repr(exc))

    async def stream_ended(self, call_sid: str, *, conversation_started: bool) -> None:
        """The stream's end, after the conversation's start (written again if its task failed
        or was cancelled): a call Twilio reported ended meanwhile is decided on these two."""
        try:
            if conversation_started and not self.conversation_stored:
                await self.lifecycle.conversation_started(call_sid)
            await self.lifecycle.stream_ended(call_sid)
        except Exception as exc:  # the sweeper settles the call (CallService.settle_lost_streams)
            log_event(log, "media.stream_end_unrecorded", logging.ERROR,
                      call_sid=call_sid, error=repr(exc))


async def hang_up(control: CallControl, call_sid: str, reason: str) -> None:
    """Ask Twilio to end the call; a failure is logged (closing the socket ends it anyway)."""
    log_event(log, "media.hang_up", call_sid=call_sid, reason=reason)
    try:
        await control.hang_up(call_sid)
    except CallControlError as exc:
        log_event(log, "media.hang_up_failed", logging.WARNING, call_sid=call_sid,
                  error=str(exc))


async def transfer(control: CallControl, call_sid: str, to: list[str], *, ring_seconds: int,
                   reason: str) -> str | None:
    """Move the call to a person; ``None`` when done, else why it failed (for the caller)."""
    try:
        await control.transfer(call_sid, to, timeout_s=ring_seconds)
    except CallControlError as exc:
        log_event(log, "media.transfer_failed", logging.WARNING, call_sid=call_sid,
                  error=str(exc))
        return str(exc)
    log_event(log, "media.transferred", call_sid=call_sid, reason=reason)
    return None
