"""Simulation sweep throughput: sweep points per minute with 1 and 2 local
workers, measured in the same run (1 worker is the anchor).

The sweep is `tiny` over four bribe sizes, two seeds per point, four epochs
per run: every run deploys its own suite and runs its agents with the
model check, as `ape run simulate --sweep` does. The contracts are compiled
before the clock starts (the forked workers inherit them). The outputs of
both runs are compared too: the worker count must not change a byte.
"""

from __future__ import annotations

import functools
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.report import Report
from labeldao.sim import engine, parallel, stats, sweep
from labeldao.sim.scenario import load

GRID = [("behaviour.bribe", [0, 20, 60, 200])]
SEEDS = 2
EPOCHS = 4
FILES = ("sweep.csv", "runs.csv", "sweep.json")


def measure(workers: int, directory: Path) -> tuple[float, dict[str, bytes]]:
    """Seconds for the sweep with `workers` local processes, and its files."""
    base = load("tiny").with_overrides({"epochs": EPOCHS})
    runner = functools.partial(parallel.run_all, workers=workers, cluster=None)
    started = time.perf_counter()
    sweep.run(base, stats.seeds(1, SEEDS), GRID, directory, runner)
    seconds = time.perf_counter() - started
    return seconds, {name: (directory / name).read_bytes() for name in FILES}


def run(report: Report, log: Callable[[str], None] = print) -> None:
    """Fills the sweep-throughput table."""
    engine.compile_all()
    points = len(GRID[0][1])
    table = report.table(
        f"Simulation sweep throughput: tiny, {points} points x {SEEDS} seeds, {EPOCHS} epochs",
        ["local workers", "seconds", "points/min", "runs/min", "x 1 worker", "same files"],
    )
    with tempfile.TemporaryDirectory() as tmp:
        measured = {}
        for workers in (1, 2):
            log(f"sim: sweep with {workers} worker(s) ...")
            measured[workers] = measure(workers, Path(tmp) / f"w{workers}")
    anchor = measured[1][0]
    for workers, (seconds, files) in measured.items():
        table.add(
            workers,
            f"{seconds:.1f}",
            f"{points / seconds * 60:.2f}",
            f"{points * SEEDS / seconds * 60:.2f}",
            f"{anchor / seconds:.2f}x",
            "yes" if files == measured[1][1] else "NO",
        )
    table.notes.append(
        "Each run deploys the suite on its own titanoboa chain in the worker process; "
        "the machine's other load shares the same cores, so the 2-worker speed-up is "
        "bounded by the free cores at the time of the run."
    )
