"""Which adapters a deployment uses. Embeddings: OpenAI's when an API key is configured,
otherwise the local static model, otherwise none (BM25 alone). Profile writer (the optional LLM
pass): the OpenAI-compatible chat endpoint when a key is configured, otherwise none (rules
only)."""

from __future__ import annotations

import logging

from knowledge.errors import EmbeddingError
from knowledge.ports import Embedder, ProfileWriter
from receptionist.core import Settings, log_event

__all__ = ["build_embedder", "build_profile_writer"]

log = logging.getLogger("knowledge.embedders")


def build_embedder(settings: Settings) -> Embedder | None:
    if settings.openai_api_key is not None:
        from knowledge.openai_embeddings import OpenAIEmbedder

        return OpenAIEmbedder(api_key=settings.openai_api_key.get_secret_value(),
                              base_url=settings.openai_base_url or None)
    try:
        from knowledge.wordllama_embeddings import WordLlamaEmbedder

        return WordLlamaEmbedder.load()
    except (ImportError, OSError, EmbeddingError) as exc:
        log_event(log, "knowledge.embedder_unavailable", logging.WARNING, error=str(exc))
        return None


def build_profile_writer(settings: Settings) -> ProfileWriter | None:
    if settings.openai_api_key is None:
        return None
    from knowledge.openai_profile import OpenAIProfileWriter

    return OpenAIProfileWriter(api_key=settings.openai_api_key.get_secret_value(),
                               base_url=settings.openai_base_url or None)
