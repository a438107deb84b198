"""Knowledge fixtures: the fixture website on a real local server, settings that allow
crawling 127.0.0.1, the local embedder (loaded once) and a service per database backend."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from knowledge import KnowledgeService
from knowledge.wordllama_embeddings import WordLlamaEmbedder
from receptionist.core import Database, Settings
from scripts.doubles.site_server import FixtureSite
from tests.support.knowledge import knowledge_settings


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    fixture = FixtureSite()
    fixture.start()
    try:
        yield fixture
    finally:
        fixture.stop()


@pytest.fixture
def hostile_site() -> Iterator[FixtureSite]:
    fixture = FixtureSite(hostile=True)
    fixture.start()
    try:
        yield fixture
    finally:
        fixture.stop()


@pytest.fixture(scope="session")
def local_embedder() -> WordLlamaEmbedder:
    return WordLlamaEmbedder.load()


@pytest.fixture
def ksettings(db_url: str, tmp_path: Path) -> Settings:
    return knowledge_settings(db_url, tmp_path)


@pytest.fixture
async def knowledge(db: Database, ksettings: Settings,
                    local_embedder: WordLlamaEmbedder) -> AsyncIterator[KnowledgeService]:
    service = KnowledgeService(db, ksettings, embedder=local_embedder)
    try:
        yield service
    finally:
        await service.aclose()
