"""Turning a finished call into the agent's ``CallRecord``: the transcript with the latency
of each answer, the tools run, how it ended."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from receptionist.agent import CallRecord, CallRecorder, EndReason, Turn, TurnStages

__all__ = ["finish_record"]


def finish_record(recorder: CallRecorder, history: list[Turn], latencies_ms: list[int], *,
                  ended_at: datetime, end_reason: EndReason, engine: str | None,
                  degraded: bool, stages: Sequence[TurnStages | None] = ()) -> CallRecord:
    """``latencies_ms`` are end of caller speech -> first agent audio, in order: each belongs
    to the first agent turn after a caller turn; ``stages[i]`` (when given) is where the wait of
    ``latencies_ms[i]`` went. Agent turns cut by a barge-in end in "…"."""
    latencies = iter(zip(latencies_ms, [*stages, *[None] * (len(latencies_ms) - len(stages))],
                         strict=False))
    after_caller = False
    recorder.turns.clear()
    for turn in history:
        if turn.role == "caller":
            recorder.caller(turn.text, turn.at_ms)
            after_caller = True
            continue
        latency, measured = next(latencies, (None, None)) if after_caller else (None, None)
        after_caller = False
        recorder.agent(turn.text, turn.at_ms, latency_ms=latency,
                       interrupted=turn.text.endswith("…"), stages=measured)
    recorder.degraded = degraded
    return recorder.finish(ended_at, end_reason=end_reason, engine=engine)
