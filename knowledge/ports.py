"""What the knowledge base needs from outside the process."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from knowledge.profile import BusinessProfile
from knowledge.suggestions import ProfileSuggestion

__all__ = ["Embedder", "ProfileWriter"]


class Embedder(Protocol):
    """Turns passages and questions into L2-normalised float32 vectors (one row per text).

    ``name`` identifies the model: stored vectors made by another name are re-embedded.
    Raises :class:`knowledge.errors.EmbeddingError` (transient or permanent).
    """

    name: str
    dim: int

    async def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    async def aclose(self) -> None: ...


class ProfileWriter(Protocol):
    """An optional language model that fills profile gaps and writes the greeting and the
    text-back template (see :mod:`knowledge.suggestions`). Raises a
    :class:`knowledge.errors.KnowledgeError` subclass with ``transient`` set."""

    async def suggest(self, profile: BusinessProfile, excerpts: str) -> ProfileSuggestion: ...

    async def aclose(self) -> None: ...
