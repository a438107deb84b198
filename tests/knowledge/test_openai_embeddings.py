"""The OpenAI embeddings adapter, driven through the real SDK against a local double; and the
service degrading to BM25 when embeddings fail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from knowledge import EmbeddingError, KnowledgeService
from knowledge.models import KnowledgeChunk
from knowledge.openai_embeddings import OpenAIEmbedder
from receptionist.core import Database
from scripts.doubles.site_server import FixtureSite
from tests.knowledge.openai_embeddings_double import OpenAIEmbeddingsDouble
from tests.support.knowledge import knowledge_settings


@pytest.fixture
def double() -> Iterator[OpenAIEmbeddingsDouble]:
    with OpenAIEmbeddingsDouble() as d:
        yield d


def embedder(double: OpenAIEmbeddingsDouble, key: str | None = None) -> OpenAIEmbedder:
    return OpenAIEmbedder(api_key=key or double.api_key, base_url=double.base_url,
                          timeout_s=5, max_attempts=3)


async def test_embeds_in_order_in_batches(double: OpenAIEmbeddingsDouble) -> None:
    e = embedder(double)
    texts = [f"passage number {i} about drains" for i in range(130)] + [""]
    vectors = await e.embed(texts)
    await e.aclose()
    assert vectors.shape == (131, 64) and e.dim == 64
    assert np.allclose(np.linalg.norm(vectors[:130], axis=1), 1.0, atol=1e-5)
    assert [len(r["input"]) for r in double.requests] == [128, 3]
    assert double.requests[0]["model"] == "text-embedding-3-small"
    assert float(vectors[0] @ vectors[1]) > 0.5


async def test_transient_errors_are_retried_then_reported(
        double: OpenAIEmbeddingsDouble) -> None:
    e = embedder(double)
    double.fail_with = [500, 429]
    assert (await e.embed(["hello"])).shape == (1, 64)
    double.fail_with = [503, 503, 503]
    with pytest.raises(EmbeddingError) as info:
        await e.embed(["hello"])
    assert info.value.transient
    double.fail_with = [400]
    with pytest.raises(EmbeddingError) as info:
        await e.embed(["hello"])
    assert not info.value.transient
    await e.aclose()
    bad = embedder(double, key="sk-wrong")
    with pytest.raises(EmbeddingError) as info:
        await bad.embed(["hello"])
    assert not info.value.transient and "401" in str(info.value)
    await bad.aclose()


async def test_service_uses_openai_when_configured_and_falls_back_to_bm25(
        double: OpenAIEmbeddingsDouble, site: FixtureSite, db: Database, db_url: str,
        tmp_path: Path) -> None:
    settings = knowledge_settings(db_url, tmp_path, openai_api_key=double.api_key,
                                  openai_base_url=double.base_url)
    service = KnowledgeService(db, settings)
    try:
        bid = (await service.onboard(site.base + "/", number="+15035550100")).business_id
        async with db.transaction() as session:
            names = set((await session.execute(select(KnowledgeChunk.embedder))).scalars())
        assert names == {"openai:text-embedding-3-small"}
        result = await service.search(bid, "Do you work in Vancouver, Washington?")
        assert result.mode == "hybrid"
        assert result.passages[0].url == site.base + "/service-area"
        double.fail_with = [500] * 3
        degraded = await service.search(bid, "Do you work in Vancouver, Washington?")
        assert degraded.mode == "bm25"
        assert degraded.passages[0].url == site.base + "/service-area"
    finally:
        await service.aclose()
