"""The machine reference printed next to every benchmark figure.

Machines here differ from day to day, so a figure means little without a point of comparison:
the CPU model, the core count, the load just before the run, and the time of a fixed
pure-Python workload (10 M additions; the slower the machine, the larger this number).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

__all__ = ["machine_reference", "python_loop_s"]


def python_loop_s(additions: int = 10_000_000) -> float:
    """Best of three runs of a fixed pure-Python loop, in seconds."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(additions):
            total += i
        best = min(best, time.perf_counter() - started)
    return best


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def machine_reference() -> str:
    """One line: ``machine: 2 CPUs, <model>, load 0.42, 10M-add loop 1.62 s``."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"machine: {os.cpu_count()} CPUs, {_cpu_model()}, load {load:.2f}, "
            f"10M-add loop {python_loop_s():.2f} s")


if __name__ == "__main__":
    print(machine_reference())
