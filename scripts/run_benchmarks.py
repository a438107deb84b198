"""The runner behind ``scripts/bench_all`` (the convention it relies on is described there)."""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.machine_ref import machine_reference  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
CURRENT_START, CURRENT_END = "<!-- current -->", "<!-- /current -->"
_RUN_LINE = re.compile(r"^# bench_all:(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Run:
    script: Path
    args: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.script.stem.removeprefix("bench_")

    @property
    def key(self) -> str:
        return " ".join((self.script.stem, *self.args))

    @property
    def command(self) -> str:
        return shlex.join([".venv/bin/python", f"scripts/{self.script.name}", *self.args])


def discover(only: list[str]) -> list[Run]:
    runs = []
    for script in sorted((ROOT / "scripts").glob("bench_*.py")):
        lines = [m.group(1).strip() for m in _RUN_LINE.finditer(script.read_text())] or [""]
        name = script.stem.removeprefix("bench_")
        if only and name not in only:
            continue
        for line in lines:
            if line == "skip":
                if only:  # named explicitly: run it without arguments
                    runs.append(Run(script, ()))
                continue
            runs.append(Run(script, tuple(shlex.split(line))))
    return runs


def run_one(run: Run) -> tuple[str, int, float]:
    """Run ``run``, echoing its stdout as it comes; returns (stdout, exit code, seconds)."""
    print(f"\n$ {run.command}", flush=True)
    started = time.monotonic()
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "python"), str(run.script), *run.args],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    out = []
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        out.append(line)
    return "".join(out), proc.wait(), time.monotonic() - started


def block(run: Run, output: str, code: int, seconds: float) -> str:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    status = "" if code == 0 else f", exit status {code}"
    return (f"<!-- run: {run.key} -->\n`{run.command}` — {when}, {seconds:.0f} s{status}\n\n"
            f"```text\n{output.rstrip()}\n```\n<!-- /run -->")


def update_docs(text: str, run: Run, new_block: str) -> str:
    """``text`` with ``run``'s block replaced, or added at the end of the current figures."""
    pattern = re.compile(rf"<!-- run: {re.escape(run.key)} -->.*?<!-- /run -->", re.DOTALL)
    if pattern.search(text):
        return pattern.sub(lambda _: new_block, text, count=1)
    if CURRENT_END not in text:
        text = text.rstrip() + f"\n\n{CURRENT_START}\n{CURRENT_END}\n"
    return text.replace(CURRENT_END, f"{new_block}\n\n{CURRENT_END}", 1)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the benchmarks (see scripts/bench_all).")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="bench_NAME.py only (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the runs and stop")
    parser.add_argument("--no-docs", action="store_true", help=f"do not update {DOCS.name}")
    args = parser.parse_args()
    runs = discover(args.only)
    if args.list:
        for run in runs:
            print(run.command)
        return
    print(machine_reference(), flush=True)
    failed = []
    for run in runs:
        output, code, seconds = run_one(run)
        if code != 0:
            failed.append(run.command)
        if not args.no_docs:
            DOCS.write_text(update_docs(DOCS.read_text(), run, block(run, output, code, seconds)))
    print(f"\n{machine_reference()}", flush=True)
    if failed:
        print("did not finish: " + "; ".join(failed), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
