"""``scripts/bench_all``: which runs it finds, and how it rewrites docs/benchmarks.md."""

from __future__ import annotations

from scripts.run_benchmarks import CURRENT_END, CURRENT_START, Run, block, discover, update_docs


def test_every_benchmark_script_is_found_with_its_standard_runs() -> None:
    runs = discover([])
    names = {r.name for r in runs}
    assert {"textback", "calendar", "knowledge", "speech", "voice"} <= names
    textback = [r.args for r in runs if r.name == "textback"]
    assert ("--db", "sqlite", "--rate", "50", "--seconds", "20", "--with-naive",
            "--quiet-wait-s", "30") in textback
    assert all(r.name == "textback" for r in discover(["textback"]))


def test_a_run_block_is_replaced_in_place_and_a_new_one_added_to_the_current_figures() -> None:
    run = next(r for r in discover(["textback"]))
    other = Run(run.script, ("--db", "other"))
    doc = (f"# Benchmarks\n\n{CURRENT_START}\n{block(run, 'old figures', 0, 1)}\n"
           f"{CURRENT_END}\n\n## History\nkept\n")
    doc = update_docs(doc, run, block(run, "new figures", 0, 2))
    assert "new figures" in doc and "old figures" not in doc
    doc = update_docs(doc, other, block(other, "other figures", 3, 2))
    current = doc.split(CURRENT_START)[1].split(CURRENT_END)[0]
    assert "new figures" in current and "other figures" in current
    assert "exit status 3" in current
    assert doc.endswith("## History\nkept\n")
