"""Turning a finished call into the agent's ``CallRecord``: the transcript with the latency
of each answer, the tools run, how it ended."""

from __future__ import annotations

from datetime import datetime

from receptionist.agent import CallRecord, CallRecorder, Turn

__all__ = ["finish_record"]


def finish_record(recorder: CallRecorder, history: list[Turn], latencies_ms: list[int], *,
                  ended_at: datetime, end_reason: str, engine: str | None,
                  degraded: bool) -> CallRecord:
    """``latencies_ms`` are end of caller speech -> first agent audio, in order: each belongs
    to the first agent turn after a caller turn. Agent turns cut by a barge-in end in "…"."""
    latencies = iter(latencies_ms)
    after_caller = False
    recorder.turns.clear()
    for turn in history:
        if turn.role == "caller":
            recorder.caller(turn.text, turn.at_ms)
            after_caller = True
            continue
        latency = next(latencies, None) if after_caller else None
        after_caller = False
        recorder.agent(turn.text, turn.at_ms, latency_ms=latency,
                       interrupted=turn.text.endswith("…"))
    recorder.degraded = degraded
    return recorder.finish(ended_at, end_reason=end_reason, engine=engine)
