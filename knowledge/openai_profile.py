"""The optional LLM pass over a new profile, through any OpenAI-compatible chat endpoint."""

from __future__ import annotations

import json
from typing import Any

import openai

from knowledge.errors import KnowledgeError
from knowledge.profile import BusinessProfile
from knowledge.suggestions import ProfileSuggestion, parse_suggestion, suggestion_prompt

__all__ = ["OpenAIProfileWriter", "ProfileWriterError"]


class ProfileWriterError(KnowledgeError):
    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class OpenAIProfileWriter:
    def __init__(self, *, api_key: str, base_url: str | None = None,
                 model: str = "gpt-4o-mini", timeout_s: float = 30.0) -> None:
        self._client = openai.AsyncOpenAI(api_key=api_key, base_url=base_url or None,
                                          timeout=timeout_s, max_retries=1)
        self.model = model

    async def suggest(self, profile: BusinessProfile, excerpts: str) -> ProfileSuggestion:
        try:
            messages: Any = suggestion_prompt(profile, excerpts)
            resp = await self._client.chat.completions.create(
                model=self.model, messages=messages, response_format={"type": "json_object"},
                temperature=0)
        except (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError,
                openai.InternalServerError) as exc:
            raise ProfileWriterError(f"LLM unavailable: {type(exc).__name__}",
                                     transient=True) from exc
        except openai.APIStatusError as exc:
            raise ProfileWriterError(f"LLM refused: HTTP {exc.status_code}",
                                     transient=False) from exc
        content = resp.choices[0].message.content if resp.choices else None
        try:
            data = json.loads(content or "")
        except json.JSONDecodeError:
            return ProfileSuggestion()
        return parse_suggestion(data)

    async def aclose(self) -> None:
        await self._client.close()
