"""Taking a message when a call is cut short: the one object the conversation's ``TakeMessage``
command sets to work. It writes the team a note with the end of the conversation and texts the
caller that the team will get back to them; both go through the agent's ``Messenger``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from receptionist.agent import CallContext, Messenger, TeamNote, Turn

__all__ = ["FOLLOWUP_TEXT", "MessageTaker"]

# The session's logger: this is one of its effects, and operators filter on it.
log = logging.getLogger("receptionist.call.session")

FOLLOWUP_TEXT = ("Sorry we got cut off on your call to {business}. We've let the team know and "
                 "they'll get back to you shortly.")


@dataclass(frozen=True)
class MessageTaker:
    messenger: Messenger | None
    followup_text: str = FOLLOWUP_TEXT  # ``{business}`` is the business's name

    def team_note(self, history: Sequence[Turn], reason: str) -> TeamNote:
        """The note for the team: why the call ended and its last few turns."""
        summary = "; ".join(f"{t.role}: {t.text}" for t in history[-6:])
        return TeamNote(kind="callback_request",
                        reason=f"The call was cut short ({reason}). " + summary[:400])

    async def take(self, ctx: CallContext, history: Sequence[Turn], reason: str) -> None:
        """Note for the team, then the follow-up text (when the caller's number is known).
        Never raises: the call is ending either way."""
        if self.messenger is None:
            return
        try:
            await self.messenger.take_message(ctx, self.team_note(history, reason))
            if ctx.caller_phone:
                await self.messenger.text_caller(ctx, body=self.followup_text.format(
                    business=ctx.business_name), kind="call_followup")
        except Exception as exc:  # the message is the caller's last chance: log it loudly
            log.error("media.take_message_failed call_sid=%s", ctx.call_sid, exc_info=exc)
