"""The local brain's dialog state: typed, owned by one conversation, and kept by the text channel
between turns as flat JSON that reads back to the same state."""

from __future__ import annotations

import json

import pytest

from receptionist.agent import CallContext, LocalBrain
from receptionist.agent.local.dialog import (
    Awaiting,
    Dialog,
    ExistingBooking,
    KnownService,
    MessageNote,
    OfferedSlot,
    Task,
)

_SLOT = OfferedSlot("s1", "Tuesday the 9th at 3 pm", "Drain cleaning", "2026-12-08T15:00:00-08:00")


def _midway() -> Dialog:
    return Dialog(task=Task.RESCHEDULE, awaiting=Awaiting.CHOICE, service="Drain cleaning",
                  when="tuesday afternoon", offered=[_SLOT], chosen=_SLOT, name="Dana",
                  note=MessageNote("Call me back", urgent=True),
                  existing=ExistingBooking("uid-1", "Drain cleaning", "Monday at 9 am",
                                           "2026-12-07T09:00:00-08:00"),
                  services=[KnownService("Drain cleaning", "$149", 60, True)],
                  last_service="Drain cleaning", misses=1, last_reply="Which would you like?")


def test_json_round_trip_is_exact_and_flat() -> None:
    dialog = _midway()
    stored = json.loads(json.dumps(dialog.to_json()))  # as the chat store keeps it
    assert Dialog.from_json(stored) == dialog
    assert stored["task"] == "reschedule" and stored["awaiting"] == "choice"
    assert stored["reason"] == "Call me back" and stored["urgent"] is True
    assert stored["offered"] == [{"slot": "s1", "label": "Tuesday the 9th at 3 pm",
                                  "service": "Drain cleaning",
                                  "start": "2026-12-08T15:00:00-08:00"}]


@pytest.mark.parametrize("stored", [
    None, {}, {"task": "juggle", "awaiting": 7, "offered": "none", "misses": "two",
               "chosen": ["s1"], "services": [{"name": "Haircut"}, "x"], "extra": 1},
])
def test_reading_back_never_trusts_what_it_does_not_know(stored: dict | None) -> None:
    dialog = Dialog.from_json(stored)
    assert dialog.task is None and dialog.awaiting is None and dialog.offered == []
    assert dialog.chosen is None and dialog.misses == 0
    if stored:
        assert dialog.services == [KnownService("Haircut")]


def test_reset_task_keeps_who_the_caller_is() -> None:
    dialog = _midway()
    dialog.reset_task()
    assert (dialog.task, dialog.awaiting, dialog.offered, dialog.chosen, dialog.existing) == (
        None, None, [], None, None)
    assert dialog.note == MessageNote() and dialog.name == "Dana"
    assert dialog.services and dialog.last_reply


def test_an_offered_slot_is_matched_in_the_business_time_zone() -> None:
    assert _SLOT.local_start("America/Los_Angeles") == (1, 15, 0)
    assert _SLOT.local_start("America/New_York") == (1, 18, 0)
    assert OfferedSlot("s2", "soon").local_start("UTC") is None


class NoTools:
    def schemas(self) -> list[dict]:
        return []

    async def run(self, ctx, call):
        raise AssertionError("not called")


async def test_each_conversation_has_its_own_brain_and_state() -> None:
    ctx = CallContext("CA1", 1, "Acme", None, "UTC")
    first, second = LocalBrain(NoTools()), LocalBrain(NoTools())
    await first.reply(ctx, [], "I'd like to leave a message")
    assert first.dialog.awaiting is Awaiting.MESSAGE_NAME and first.dialog.task is Task.MESSAGE
    assert second.remembered() is None  # nothing said to it, nothing kept
    resumed = LocalBrain.resume(NoTools(), first.remembered())
    assert resumed.dialog == first.dialog
    said = await resumed.reply(ctx, [], "Dana")
    assert said.text.startswith("Thanks, Dana") and resumed.dialog.awaiting is Awaiting.REASON
