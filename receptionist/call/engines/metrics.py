"""Timing samples of the media bridge, for the voice benchmark and the call log.

Recording is optional: a call made without a ``BridgeMetrics`` pays nothing. Samples are seconds
from ``time.perf_counter``; one object may be shared by many calls on the same event loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from receptionist.agent import TurnStages

__all__ = ["BridgeMetrics", "percentile"]


@dataclass
class BridgeMetrics:
    inbound_s: list[float] = field(default_factory=list)  # Twilio frame in -> model append out
    outbound_s: list[float] = field(default_factory=list)  # model delta in -> Twilio media out
    barge_in_s: list[float] = field(default_factory=list)  # caller speech detected -> clear sent
    response_s: list[float] = field(default_factory=list)  # end of caller speech -> first audio
    stages: list[TurnStages] = field(default_factory=list)  # where each response's wait went

    def inbound(self, seconds: float) -> None:
        self.inbound_s.append(seconds)

    def outbound(self, seconds: float) -> None:
        self.outbound_s.append(seconds)

    def barge_in(self, seconds: float) -> None:
        self.barge_in_s.append(seconds)

    def response(self, seconds: float) -> None:
        self.response_s.append(seconds)


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile; 0.0 for no samples."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]
