"""Passages follow headings and sentences; BM25 ranks with stemming."""

from __future__ import annotations

from knowledge.chunking import chunk_text
from knowledge.lexical import Bm25Index, analyze


def test_chunks_follow_headings_tables_and_sentences() -> None:
    text = ("# Water heaters\n\nWe repair tanks.\n\n## Prices\n\n| Flush | $129 |\n|---|---|\n"
            "| Install | $1,450 |\n\n## Long\n\n" + " ".join(f"Sentence number {i} is here."
                                                      for i in range(60)))
    chunks = chunk_text(text, max_chars=300)
    assert chunks[0].heading == "Water heaters" and chunks[0].text == "We repair tanks."
    assert chunks[1].heading == "Water heaters > Prices"
    assert chunks[1].text == "Flush – $129\nInstall – $1,450"
    long = [c for c in chunks if c.heading == "Water heaters > Long"]
    assert len(long) > 3 and all(len(c.text) <= 300 for c in long)
    assert all(c.text.rstrip().endswith(".") for c in long)


def test_analyze_stems_and_drops_stop_words() -> None:
    assert analyze("Do you fix leaking pipes?") == ["fix", "leak", "pipe"]


def test_bm25_ranks_the_matching_passage_first() -> None:
    docs = ["we fix leaking pipes and taps", "haircuts and colour for all ages",
            "pipes pipes pipes everywhere", "emergency plumbers on sundays"]
    index = Bm25Index([analyze(d) for d in docs])
    scores = index.scores(analyze("leaky pipe fixed?"))
    assert int(scores.argmax()) == 0
    assert index.scores(analyze("piano lessons")).max() == 0
    assert index.coverage(analyze("emergency on sunday"), 3) == 1.0
