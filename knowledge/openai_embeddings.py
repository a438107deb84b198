"""OpenAI (or any OpenAI-compatible server) embeddings, through the official SDK."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import numpy as np
import openai

from knowledge.errors import EmbeddingError

__all__ = ["OpenAIEmbedder"]

_BATCH = 128


class OpenAIEmbedder:
    def __init__(self, *, api_key: str, base_url: str | None = None,
                 model: str = "text-embedding-3-small", timeout_s: float = 10.0,
                 max_attempts: int = 3) -> None:
        self._client = openai.AsyncOpenAI(api_key=api_key, base_url=base_url or None,
                                          timeout=timeout_s, max_retries=0)
        self.model = model
        self.name = f"openai:{model}"
        self.dim = 0  # known after the first answer
        self.max_attempts = max_attempts

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows: list[np.ndarray] = []
        for start in range(0, len(texts), _BATCH):
            rows.append(await self._batch([t or " " for t in texts[start:start + _BATCH]]))
        if not rows:
            return np.zeros((0, self.dim or 1), dtype=np.float32)
        out = np.vstack(rows).astype(np.float32)
        self.dim = int(out.shape[1])
        normalised: np.ndarray = out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True),
                                                  1e-9)
        return normalised

    async def _batch(self, batch: list[str]) -> np.ndarray:
        for attempt in range(1, self.max_attempts + 1):
            try:
                resp = await self._client.embeddings.create(model=self.model, input=batch,
                                                            encoding_format="float")
                data = sorted(resp.data, key=lambda d: d.index)
                if len(data) != len(batch):
                    raise EmbeddingError("embeddings answer has the wrong length",
                                         transient=False)
                return np.asarray([d.embedding for d in data], dtype=np.float32)
            except (openai.APITimeoutError, openai.APIConnectionError,
                    openai.RateLimitError, openai.InternalServerError) as exc:
                if attempt == self.max_attempts:
                    raise EmbeddingError(f"embeddings unavailable: {type(exc).__name__}",
                                         transient=True) from exc
                await asyncio.sleep(0.2 * 2 ** attempt)
            except openai.APIStatusError as exc:
                raise EmbeddingError(f"embeddings refused: HTTP {exc.status_code}",
                                     transient=False) from exc
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        await self._client.close()
