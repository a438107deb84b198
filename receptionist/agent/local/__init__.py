"""The local brain: rule-based intents and slots driving the dialog flows, no network needed.

``LocalBrain`` is the public brain; ``normalize`` and ``match_service`` are shared with the tool
box, which matches a caller's service words the same way the brain hears them.
"""

from receptionist.agent.local.brain import LocalBrain
from receptionist.agent.local.intents import Intent, Understanding, normalize, understand
from receptionist.agent.local.slots import extract_name, extract_when, match_service

__all__ = [
    "Intent",
    "LocalBrain",
    "Understanding",
    "extract_name",
    "extract_when",
    "match_service",
    "normalize",
    "understand",
]
