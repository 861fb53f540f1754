"""The deep fuzz runner: the whole-system property machine on every core.

    python -m labeldao.assurance.fuzz run [--steps 250000] [--workers 2]
        [--seed S] [--batch 100] [--stop-at 22:50] [--report docs/FUZZING.md]
    python -m labeldao.assurance.fuzz replay

`run` splits the steps over `--workers` processes. Each worker runs the
system machine (`tests/property/test_system_machine.py`) under the `deep`
Hypothesis profile (shrinking on) in batches of `--batch` examples, each
batch a pytest process with its own seed (`--seed` + 1000 x worker +
batch), until the worker's share of the steps is done or `--stop-at` (UTC,
HH:MM) comes: no new batch starts after it and a running one is stopped
(its progress so far still counts). Every 30 s it prints the steps done,
steps/s, elapsed time and each worker's seed. A failing batch stops its
worker; its log, seed and `@reproduce_failure` blob go to
`results/fuzz/failures.json`, and the failing example stays in Hypothesis's
database (`.hypothesis/`), so that `replay` (`make fuzz-replay`) runs it
again. The summary goes to `results/fuzz/summary.json` and, with
`--report`, to a Markdown file; it sums the rule and reach counters each
finished batch prints (`reach`), so the report says which paths the run
exercised, not only how many steps it took.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from labeldao.assurance import BOA_PYTEST_PLUGINS

MACHINE = "tests/property/test_system_machine.py::test_system_machine"
OUT = Path("results/fuzz")
FAILURES = OUT / "failures.json"
BLOB = re.compile(r"@reproduce_failure\('([^']+)', (b'[^']*')\)")
PRINT_EVERY = 30  # seconds
# The counters the system machine prints when a batch ends.
COUNTERS = re.compile(r"^(rules|reached): (\{.*\})$", re.MULTILINE)


@dataclass
class Batch:
    """One pytest process of a worker."""

    worker: int
    index: int
    seed: int
    steps: int = 0
    examples: int = 0
    seconds: float = 0.0
    outcome: str = "running"  # "passed", "failed", "stopped"
    log: str = ""


@dataclass
class Worker:
    """A core's share of the run."""

    index: int
    target: int
    batches: list[Batch] = field(default_factory=list)

    @property
    def steps(self) -> int:
        return sum(b.steps for b in self.batches)

    @property
    def done(self) -> bool:
        return self.steps >= self.target or any(b.outcome == "failed" for b in self.batches)


def _read_progress(path: Path) -> dict[str, float]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _pytest_command() -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        *BOA_PYTEST_PLUGINS,
        MACHINE,
        "-q",
        "-x",
        "-s",
    ]


def _run_batch(batch: Batch, examples: int, stop_at: float | None, stop: threading.Event) -> None:
    """Runs one batch to its end, or until `stop_at`/`stop`."""
    progress = OUT / f"progress-w{batch.worker}-b{batch.index}.json"
    log_path = OUT / f"w{batch.worker}-b{batch.index}.log"
    progress.unlink(missing_ok=True)
    env = dict(os.environ, HYPOTHESIS_PROFILE="deep", HYPOTHESIS_MAX_EXAMPLES=str(examples),
               FUZZ_PROGRESS=str(progress))  # fmt: skip
    command = [*_pytest_command(), f"--hypothesis-seed={batch.seed}"]
    with log_path.open("w") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        while proc.poll() is None:
            if stop.is_set() or (stop_at is not None and time.time() >= stop_at):
                proc.terminate()
                proc.wait()
                batch.outcome = "stopped"
                break
            record = _read_progress(progress)
            batch.steps, batch.examples = (
                int(record.get("steps", 0)),
                int(record.get("examples", 0)),
            )
            batch.seconds = float(record.get("seconds", 0.0))
            time.sleep(2)
    record = _read_progress(progress)
    batch.steps, batch.examples = int(record.get("steps", 0)), int(record.get("examples", 0))
    batch.seconds = float(record.get("seconds", 0.0))
    batch.log = str(log_path)
    if batch.outcome != "stopped":
        batch.outcome = "passed" if proc.returncode == 0 else "failed"
    if batch.outcome == "failed":
        _record_failure(batch, log_path.read_text(errors="replace"))


def _record_failure(batch: Batch, output: str) -> None:
    """Appends the failing batch to `failures.json`."""
    failures = json.loads(FAILURES.read_text()) if FAILURES.exists() else []
    blobs = BLOB.findall(output)
    failures.append(
        {
            "seed": batch.seed,
            "worker": batch.worker,
            "batch": batch.index,
            "log": batch.log,
            "reproduce_failure": [{"version": v, "blob": b} for v, b in blobs],
            "recorded": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
    )
    FAILURES.write_text(json.dumps(failures, indent=2) + "\n")


def _work(
    worker: Worker, seed: int, examples: int, stop_at: float | None, stop: threading.Event
) -> None:
    index = 0
    while not worker.done and not stop.is_set() and (stop_at is None or time.time() < stop_at):
        batch = Batch(worker.index, index, seed + 1000 * worker.index + index)
        worker.batches.append(batch)
        _run_batch(batch, examples, stop_at, stop)
        index += 1


def reach(logs: Iterable[str | Path]) -> dict[str, dict[str, int]]:
    """The `rules:` (steps per rule) and `reached:` (paths exercised)
    counters printed at the end of each batch log, summed. A batch stopped
    by `--stop-at` or SIGTERM prints none, so its steps are not in them."""
    totals: dict[str, Counter[str]] = {"rules": Counter(), "reached": Counter()}
    for log in logs:
        path = Path(log)
        text = path.read_text(errors="replace") if path.is_file() else ""
        for name, counts in COUNTERS.findall(text):
            totals[name].update(ast.literal_eval(counts))
    return {name: dict(counter.most_common()) for name, counter in totals.items()}


def _hhmm(text: str) -> str:
    """argparse type of `--stop-at`: a UTC time of day, HH:MM."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise argparse.ArgumentTypeError(f"expected a UTC time of day as HH:MM, got {text!r}")
    return text


def _stop_time(text: str | None) -> float | None:
    """`HH:MM` (UTC, today; tomorrow if already past) as a timestamp."""
    if not text:
        return None
    hour, minute = (int(x) for x in text.split(":"))
    now = dt.datetime.now(dt.UTC)
    when = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if when <= now:
        when += dt.timedelta(days=1)
    return when.timestamp()


def _status(workers: list[Worker], started: float) -> str:
    steps = sum(w.steps for w in workers)
    elapsed = time.time() - started
    parts = [
        f"w{w.index}: {w.steps} steps (seed {w.batches[-1].seed if w.batches else '-'})"
        for w in workers
    ]
    return (
        f"[{elapsed:7.0f} s] {steps} steps, {steps / max(elapsed, 1):.1f} steps/s | "
        + " | ".join(parts)
    )


def run(args: argparse.Namespace) -> int:
    """Runs the deep fuzz campaign (see the module docstring)."""
    OUT.mkdir(parents=True, exist_ok=True)
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    stop_at = _stop_time(args.stop_at)
    share = -(-args.steps // args.workers)
    workers = [Worker(i, share) for i in range(args.workers)]
    stop = threading.Event()
    stopping = f", stop at {args.stop_at} UTC" if args.stop_at else ""
    print(f"fuzz: {args.steps} steps on {args.workers} workers, seed {seed}, "
          f"batches of {args.batch} examples{stopping}", flush=True)  # fmt: skip
    # SIGTERM (and SIGINT, which a background job ignores otherwise) stop
    # the run cleanly: running batches are stopped and their steps count.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    started = time.time()
    threads = [
        threading.Thread(target=_work, args=(w, seed, args.batch, stop_at, stop), daemon=True)
        for w in workers
    ]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        for thread in threads:
            thread.join(timeout=PRINT_EVERY / len(threads))
        print(_status(workers, started), flush=True)
    elapsed = time.time() - started
    summary = _summary(workers, seed, args, started, elapsed)
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(_status(workers, started), flush=True)
    print(f"fuzz: {summary['outcome']}; summary in {OUT / 'summary.json'}", flush=True)
    if args.report:
        Path(args.report).write_text(_markdown(summary))
    return 0 if summary["outcome"] != "failed" else 1


def _summary(
    workers: list[Worker], seed: int, args: argparse.Namespace, started: float, elapsed: float
) -> dict:
    steps = sum(w.steps for w in workers)
    failed = any(b.outcome == "failed" for w in workers for b in w.batches)
    if failed:
        outcome = "failed"
    elif steps >= args.steps:
        outcome = "passed"
    else:
        outcome = f"passed, incomplete: {steps} of {args.steps} steps, stopped"
    return {
        "outcome": outcome,
        "target_steps": args.steps,
        "steps": steps,
        "examples": sum(b.examples for w in workers for b in w.batches),
        "seconds": round(elapsed, 1),
        "steps_per_second": round(steps / max(elapsed, 1e-9), 2),
        "workers": args.workers,
        "seed": seed,
        "batch_examples": args.batch,
        "started": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(timespec="seconds"),
        "stop_at": args.stop_at,
        "batches": [asdict(b) for w in workers for b in w.batches],
        **reach(b.log for w in workers for b in w.batches),
    }


def _markdown(summary: dict) -> str:
    rows = "\n".join(
        f"| {b['worker']} | {b['index']} | {b['seed']} | {b['examples']} | {b['steps']} | "
        f"{b['seconds']:.0f} | {b['outcome']} |"
        for b in summary["batches"]
    )
    return f"""# Deep fuzzing results

Generated by `python -m labeldao.assurance.fuzz run` (`make fuzz-deep`).

| | |
|---|---|
| outcome | **{summary["outcome"]}** |
| steps (target) | {summary["steps"]} ({summary["target_steps"]}) |
| examples | {summary["examples"]} |
| wall time | {summary["seconds"]:.0f} s |
| steps/s (all workers) | {summary["steps_per_second"]} |
| workers | {summary["workers"]} |
| base seed | {summary["seed"]} |
| started (UTC) | {summary["started"]} |

Per batch (seed = base + 1000 x worker + batch):

| worker | batch | seed | examples | steps | seconds | outcome |
|---|---|---|---|---|---|---|
{rows}
{_reach_markdown(summary)}"""


def _reach_markdown(summary: dict) -> str:
    """What the finished batches reached, and their steps per rule."""
    reached = summary.get("reached") or {}
    rules = summary.get("rules") or {}
    if not reached and not rules:
        return ""
    table = "\n".join(f"| {name} | {count:,} |" for name, count in sorted(reached.items()))
    steps = ", ".join(f"`{name}` {count:,}" for name, count in rules.items())
    return f"""
What the finished batches reached (stopped batches print no counters):

| event (over all examples) | count |
|---|---:|
{table}

Rule steps: {steps}.
"""


def replay(args: argparse.Namespace) -> int:
    """Re-runs every recorded failure: the failing examples saved in
    `.hypothesis/` first (Hypothesis's reuse phase), then each failing
    batch's seed."""
    failures = json.loads(FAILURES.read_text()) if FAILURES.exists() else []
    env = dict(os.environ, HYPOTHESIS_PROFILE="deep")
    if not failures:
        print(
            "fuzz replay: no recorded failure (results/fuzz/failures.json); replaying the database"
        )
        return subprocess.call(_pytest_command(), env=env)
    status = 0
    for failure in failures:
        print(
            f"fuzz replay: seed {failure['seed']}, blobs {failure['reproduce_failure']}", flush=True
        )
        status |= subprocess.call(
            [*_pytest_command(), f"--hypothesis-seed={failure['seed']}"], env=env
        )
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m labeldao.assurance.fuzz", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    go = sub.add_parser("run", help="run the deep campaign")
    go.add_argument("--steps", type=int, default=250_000)
    go.add_argument("--workers", type=int, default=2)
    go.add_argument("--seed", type=int, default=None)
    go.add_argument("--batch", type=int, default=100, help="examples per pytest process")
    go.add_argument(
        "--stop-at", type=_hhmm, default=None, help="HH:MM UTC: start no batch after it"
    )
    go.add_argument("--report", default=None, help="write a Markdown summary here")
    sub.add_parser("replay", help="reproduce the recorded failures")
    args = parser.parse_args(argv)
    return run(args) if args.command == "run" else replay(args)


if __name__ == "__main__":
    sys.exit(main())
