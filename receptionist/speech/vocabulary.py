"""Turning a business's own words into a recognition prompt, shared by the STT adapters."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["vocabulary_prompt"]

# Whisper reads at most 224 prompt tokens and keeps the *last* ones; staying well under that
# means a long list is never cut in the middle of a name. OpenAI's models accept the same text.
_PROMPT_MAX_CHARS = 600


def vocabulary_prompt(vocabulary: Sequence[str], extra: str | None = None) -> str | None:
    """A prompt from a business's words (its name, services, staff) plus any per-turn ``extra``.

    Whisper-style models continue the spelling and style of their prompt, so a plain comma list
    of proper nouns makes them far more likely to come out spelled the business's way."""
    parts: list[str] = []
    words = ", ".join(word.strip() for word in vocabulary if word.strip())
    if words:
        parts.append(f"{words}.")
    if extra and extra.strip():
        parts.append(extra.strip())
    return " ".join(parts)[:_PROMPT_MAX_CHARS] or None
