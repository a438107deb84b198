"""Local sentence embeddings with no torch and no download: WordLlama's static token vectors
(``l2_supercat``, 256 dimensions), which ship inside the ``wordllama`` wheel, averaged over the
text's tokens with the ``tokenizers`` library. Embedding 2,000 passages takes well under a second
on a laptop CPU."""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.errors import EmbeddingError

__all__ = ["WordLlamaEmbedder"]

_WEIGHTS = "weights/l2_supercat_256.safetensors"
_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"


def _package_dir() -> Path:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingError("the wordllama package is not installed", transient=False)
    return Path(next(iter(spec.submodule_search_locations)))


class WordLlamaEmbedder:
    name = "wordllama-l2-supercat-256"

    def __init__(self, matrix: np.ndarray, tokenizer: object, *, max_tokens: int = 256) -> None:
        self._matrix = matrix
        self._tokenizer = tokenizer
        self.dim = int(matrix.shape[1])
        self.max_tokens = max_tokens

    @classmethod
    def load(cls) -> WordLlamaEmbedder:
        """Read the weights and tokenizer from the installed package (no network)."""
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        root = _package_dir()
        weights, tok = root / _WEIGHTS, root / _TOKENIZER
        if not weights.exists() or not tok.exists():
            raise EmbeddingError(f"wordllama files missing under {root}", transient=False)
        matrix = load_file(str(weights))["embedding.weight"].astype(np.float32)
        tokenizer = Tokenizer.from_file(str(tok))
        tokenizer.no_padding()
        tokenizer.no_truncation()
        return cls(matrix, tokenizer)

    def embed_sync(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)  # type: ignore[attr-defined]
        vocab = self._matrix.shape[0]
        for i, enc in enumerate(encodings):
            ids = np.asarray(enc.ids[: self.max_tokens], dtype=np.int64)
            ids = ids[(ids >= 0) & (ids < vocab)]
            if ids.size:
                out[i] = self._matrix[ids].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        normalised: np.ndarray = out / np.maximum(norms, 1e-9)
        return normalised

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) <= 8:
            return self.embed_sync(texts)
        return await asyncio.to_thread(self.embed_sync, texts)

    async def aclose(self) -> None:
        return None
