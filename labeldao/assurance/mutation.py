"""Mutation testing of the Vyper contracts (`make mutate`).

Pipeline, one function per step so each can be tested on its own:

1. `generate`: universalmutator (`mutate <file> vyper --noCheck`) writes every
   syntactic mutant of a contract or module; `code_mutants` keeps those that
   change code (a mutant that only edits a comment or a docstring is dropped
   before counting: it is not a mutant of the program).
2. `select`/`Draw`: each file's mutants in a seeded order (stratified by
   file). `MUTANTS=N` takes them in that order until N of them compile: the
   sample is the shortest prefix of the order holding N compiling mutants,
   whatever the scheduling, so the same seed and sources give the same
   sample. `MUTANTS=all` keeps them all. Mutants that Vyper cannot parse or
   compile are met on the way and counted as stillborn.
3. `run`: two long-lived workers (one per core), each in its own sandbox copy
   of `contracts/`, `tests/` and `labeldao/`. Per mutant a worker writes the
   mutant into its sandbox, compiles the contract that uses it (compile error:
   stillborn; same bytecode as the original: equivalent by construction), then
   runs the file's relevant titanoboa tests in-process with `pytest -x`.
   A failing test kills the mutant. Each worker first runs every relevant
   suite on the ORIGINAL sources: they must pass, and their time sets the
   per-mutant timeout (`TIMEOUT_FACTOR` x the original's time, at least
   `MIN_TIMEOUT` s); a mutant that exceeds it is counted as killed (the
   original suite runs well within the limit, so the mutant made it hang).
4. `classify` + `report`: hand-classified equivalent mutants
   (`equivalent_mutants.toml`, one reason each) leave the denominator; the
   rest is written to `docs/MUTATION.md` with the kill ratio and its 95 %
   Wilson interval, and every survivor.

    python -m labeldao.assurance.mutation [--per-file N | --all] [--seed S]
        [--only NAME ...] [--workers 2] [--out docs/MUTATION.md]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import random
import re
import select as _select
import shutil
import subprocess
import sys
import tempfile
import time
import tokenize
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from labeldao.boa_tools import REPO_ROOT

DEFAULT_PER_FILE = 8
DEFAULT_SEED = 8
TIMEOUT_FACTOR = 3.0
MIN_TIMEOUT = 60.0
RESTART_EVERY = 40  # mutants per worker process, to bound titanoboa's memory
EQUIVALENTS_FILE = Path(__file__).with_name("equivalent_mutants.toml")

KILLED, SURVIVED, TIMEOUT = "killed", "survived", "timeout"
STILLBORN, SAME_BYTECODE, EQUIVALENT, ERROR = "stillborn", "same-bytecode", "equivalent", "error"


@dataclass(frozen=True)
class Target:
    """A mutated file, the contract compiled to check a mutant of it, and the
    tests run against it (in this order; `-x` stops at the first failure)."""

    path: str  # relative to the repository root
    compile_as: str  # contract (in contracts/) whose compilation includes `path`
    tests: tuple[str, ...]

    @property
    def name(self) -> str:
        return Path(self.path).stem


TARGETS: tuple[Target, ...] = (
    Target("contracts/RewardToken.vy", "RewardToken", ("tests/unit/token",)),
    Target(
        "contracts/modules/erc20_votes.vy",
        "RewardToken",
        ("tests/unit/token/test_votes.py", "tests/unit/token"),
    ),
    Target(
        "contracts/modules/checkpoints.vy",
        "RewardToken",
        ("tests/unit/token/test_checkpoints.py", "tests/unit/token"),
    ),
    Target("contracts/TaskEscrow.vy", "TaskEscrow", ("tests/unit/escrow",)),
    Target("contracts/QualityCourt.vy", "QualityCourt", ("tests/unit/court",)),
    Target(
        "contracts/modules/sortition.vy",
        "QualityCourt",
        ("tests/unit/court/test_sortition.py", "tests/unit/court"),
    ),
    Target("contracts/ComputeRegistry.vy", "ComputeRegistry", ("tests/unit/registry",)),
    Target("contracts/Timelock.vy", "Timelock", ("tests/unit/governance",)),
    Target(
        "contracts/PrevrandaoRandomness.vy",
        "PrevrandaoRandomness",
        ("tests/unit/court/test_randomness.py",),
    ),
)


@dataclass(frozen=True)
class Mutant:
    """One mutant: `line` (1-based) of `target` replaced by `after`."""

    target: str  # Target.path
    number: int  # universalmutator's number for this file
    line: int
    before: str
    after: str

    @property
    def key(self) -> str:
        return f"{Path(self.target).stem}.{self.number}"

    def source(self, original: str) -> str:
        lines = original.splitlines(keepends=True)
        ending = "\n" if lines[self.line - 1].endswith("\n") else ""
        lines[self.line - 1] = self.after + ending
        return "".join(lines)


@dataclass
class Outcome:
    """What running one mutant gave."""

    key: str
    status: str
    seconds: float = 0.0
    test: str = ""  # first failing test (killed) or the compile error (stillborn)
    reason: str = ""  # why it is equivalent (hand classification)
    first: str = ""  # the status in the sample run, if `--rerun` replaced it


# ---------------------------------------------------------------------------
# 1. generation
# ---------------------------------------------------------------------------


def generate(source_file: Path, workdir: Path) -> list[tuple[int, str]]:
    """Every universalmutator mutant of `source_file`: (number, mutant source)."""
    workdir.mkdir(parents=True, exist_ok=True)
    mutate = shutil.which("mutate") or str(Path(sys.executable).with_name("mutate"))
    subprocess.run(
        [mutate, str(source_file.resolve()), "vyper", "--noCheck", "--mutantDir", str(workdir)],
        cwd=workdir,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    found = []
    for path in workdir.glob(f"{source_file.stem}.mutant.*{source_file.suffix}"):
        number = int(path.name.removesuffix(source_file.suffix).rsplit(".", 1)[1])
        found.append((number, path.read_text()))
    return sorted(found)


def changed_line(original: str, mutant: str) -> tuple[int, str, str] | None:
    """(line, before, after) if `mutant` differs from `original` on exactly one
    line (universalmutator's mutants do), else None."""
    old, new = original.splitlines(), mutant.splitlines()
    if len(old) != len(new):
        return None
    diffs = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    if len(diffs) != 1:
        return None
    i = diffs[0]
    return i + 1, old[i], new[i]


def line_tokens(line: str) -> list[str]:
    """The code tokens of one source line: comments and indentation dropped.
    A line that opens a bracket it does not close ends in `<open>`."""
    skip = {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.ENCODING,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENDMARKER,
    }
    found: list[str] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(line.strip() + "\n").readline):
            if tok.type not in skip:
                found.append(tok.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        found.append("<open>")
    return found


def docstring_lines(source: str) -> set[int]:
    """Lines (1-based) spanned by a docstring of `source`."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING}
    significant = [t for t in tokens if t.type not in skip]
    lines: set[int] = set()
    previous = tokenize.NEWLINE
    for i, tok in enumerate(significant):
        starts_statement = previous in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
        alone = i + 1 < len(significant) and significant[i + 1].type == tokenize.NEWLINE
        if tok.type == tokenize.STRING and starts_statement and alone:
            lines.update(range(tok.start[0], tok.end[0] + 1))
        previous = tok.type if tok.type != tokenize.STRING or not alone else tokenize.NEWLINE
    return lines


def is_code_change(before: str, after: str) -> bool:
    """False if the rewritten line differs from the original only in its
    comment or its spacing."""
    return line_tokens(before) != line_tokens(after)


def code_mutants(target: str, original: str, generated: Iterable[tuple[int, str]]) -> list[Mutant]:
    """The generated mutants that change code, as one-line `Mutant`s."""
    docstrings = docstring_lines(original)
    kept = []
    for number, text in generated:
        change = changed_line(original, text)
        if change is None or change[0] in docstrings:
            continue
        line, before, after = change
        if not is_code_change(before, after):
            continue
        kept.append(Mutant(target, number, line, before, after))
    return kept


def cached_code_mutants(target: str, original: str, cache: Path) -> list[Mutant]:
    """`code_mutants` of the file, generated once per version of its source."""
    digest = hashlib.sha256(original.encode()).hexdigest()[:16]
    saved = cache / f"{Path(target).stem}-{digest}.json"
    if saved.exists():
        return [Mutant(**m) for m in json.loads(saved.read_text())]
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        mutants = code_mutants(target, original, generate(REPO_ROOT / target, Path(tmp)))
    saved.write_text(json.dumps([asdict(m) for m in mutants]))
    return mutants


# ---------------------------------------------------------------------------
# 2. selection
# ---------------------------------------------------------------------------


def parses(source: str) -> bool:
    """True if Vyper's parser accepts `source` (types are checked later)."""
    from vyper.ast import parse_to_ast

    try:
        parse_to_ast(source)
    except Exception:  # any parser error means: not a program
        return False
    return True


def seeded_order(mutants: Sequence[Mutant], seed: int) -> list[Mutant]:
    """One file's mutants in the order the sample takes them: a shuffle that
    depends only on `seed`, the file and the mutants' numbers."""
    ordered = sorted(mutants, key=lambda m: m.number)
    if ordered:
        random.Random(f"{seed}:{ordered[0].target}").shuffle(ordered)
    return ordered


def select(
    mutants: Sequence[Mutant],
    per_file: int | None,
    seed: int,
    original: str,
    parse: callable = parses,  # type: ignore[valid-type]
) -> tuple[list[Mutant], list[Mutant]]:
    """A seeded sample of `per_file` parseable mutants of one file (all of them
    if `per_file` is None), in a deterministic order, and the unparseable ones
    met on the way (stillborn). The shuffle depends only on `seed`, the file
    and the mutants' numbers, so the same sources give the same sample."""
    chosen: list[Mutant] = []
    unparseable: list[Mutant] = []
    for mutant in seeded_order(mutants, seed):
        if per_file is not None and len(chosen) >= per_file:
            break
        if parse(mutant.source(original)):
            chosen.append(mutant)
        else:
            unparseable.append(mutant)
    return chosen, unparseable


@dataclass
class Draw:
    """One file's sample under `MUTANTS=N`: mutants taken in the seeded order
    until `quota` of them compile. Results may come back in any order (two
    workers); `sample()` cuts the order after the `quota`-th compiling
    mutant, so mutants run past that point (in flight when the quota was
    met) are dropped and the sample does not depend on the scheduling."""

    target: Target
    order: list[Mutant]
    quota: int
    original: str
    parse: Callable[[str], bool] = parses
    position: int = 0  # next mutant of `order` to look at
    results: dict[int, dict] = field(default_factory=dict)  # position -> result
    in_flight: int = 0

    def compiled(self) -> int:
        return sum(r["status"] != STILLBORN for r in self.results.values())

    def wants_more(self) -> bool:
        return self.position < len(self.order) and self.compiled() + self.in_flight < self.quota

    def take(self) -> tuple[int, Mutant] | None:
        """The next parseable mutant to run (its position), recording the
        unparseable ones passed on the way; None when the file is exhausted."""
        while self.position < len(self.order):
            position, mutant = self.position, self.order[self.position]
            self.position += 1
            if self.parse(mutant.source(self.original)):
                self.in_flight += 1
                return position, mutant
            self.results[position] = {"status": STILLBORN, "test": "does not parse"}
        return None

    def done(self, position: int, result: dict) -> None:
        self.in_flight -= 1
        self.results[position] = result

    def sample(self) -> list[tuple[Mutant, dict]]:
        """The mutants up to and including the `quota`-th that compiled, in
        the seeded order, with their results."""
        chosen: list[tuple[Mutant, dict]] = []
        compiled = 0
        for position in range(len(self.order)):
            if compiled >= self.quota or position not in self.results:
                break
            result = self.results[position]
            chosen.append((self.order[position], result))
            compiled += result["status"] != STILLBORN
        return chosen


def run_draws(
    draws: Sequence[Draw], workers: list[Worker], timeouts: dict[str, float]
) -> list[tuple[Mutant, dict]]:
    """Runs every file's draw to its quota on the workers; returns the
    samples, file by file."""
    pending: dict[str, tuple[Draw, int]] = {}

    def next_job() -> dict | None:
        for draw in draws:
            if draw.wants_more():
                taken = draw.take()
                if taken is not None:
                    position, mutant = taken
                    job = _job(mutant, draw.target, timeouts[draw.target.path])
                    pending[job["key"]] = (draw, position)
                    return job
        return None

    def finished(job: dict, result: dict) -> None:
        draw, position = pending.pop(job["key"])
        draw.done(position, result)

    run_stream(next_job, finished, workers)
    return [pair for draw in draws for pair in draw.sample()]


# ---------------------------------------------------------------------------
# 3. classification and statistics
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Equivalence:
    """A hand-classified equivalent mutant: `file:line` rewritten to `after`."""

    target: str
    line: int
    after: str
    reason: str

    def matches(self, mutant: Mutant) -> bool:
        return (
            mutant.target == self.target
            and mutant.line == self.line
            and mutant.after.strip() == self.after.strip()
        )


def load_equivalents(path: Path = EQUIVALENTS_FILE, table: str = "mutant") -> list[Equivalence]:
    """The `[[mutant]]` entries of the equivalents file (or, with
    `table="survivor"`, the notes on survivors that do not matter); each
    needs a reason."""
    if not path.exists():
        return []
    entries = tomllib.loads(path.read_text()).get(table, [])
    found = []
    for entry in entries:
        reason = str(entry.get("reason", "")).strip()
        if not reason:
            raise ValueError(f"{path}: equivalent mutant without a reason: {entry}")
        found.append(Equivalence(entry["file"], int(entry["line"]), entry["after"], reason))
    return found


def classify(outcome: Outcome, mutant: Mutant, equivalents: Sequence[Equivalence]) -> Outcome:
    """A survivor that a hand classification matches becomes `equivalent`."""
    if outcome.status != SURVIVED:
        return outcome
    for equivalence in equivalents:
        if equivalence.matches(mutant):
            return Outcome(
                outcome.key,
                EQUIVALENT,
                outcome.seconds,
                reason=equivalence.reason,
                first=outcome.first,
            )
    return outcome


def wilson(successes: int, total: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval (95 % by default) of the proportion successes/total."""
    if total == 0:
        return 0.0, 1.0
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class Tally:
    """Counts for one file (or all files)."""

    generated: int = 0
    sampled: int = 0
    stillborn: int = 0
    equivalent: int = 0
    killed: int = 0  # includes timeouts
    timeouts: int = 0
    survived: int = 0
    errors: int = 0

    def add(self, status: str) -> None:
        if status in (STILLBORN,):
            self.stillborn += 1
        elif status in (EQUIVALENT, SAME_BYTECODE):
            self.equivalent += 1
        elif status == KILLED:
            self.killed += 1
        elif status == TIMEOUT:
            self.killed += 1
            self.timeouts += 1
        elif status == SURVIVED:
            self.survived += 1
        else:
            self.errors += 1

    @property
    def scored(self) -> int:
        return self.killed + self.survived

    @property
    def ratio(self) -> float:
        return self.killed / self.scored if self.scored else 0.0


def tally(statuses: Iterable[str], generated: int = 0, sampled: int = 0) -> Tally:
    t = Tally(generated=generated, sampled=sampled)
    for status in statuses:
        t.add(status)
    return t


# ---------------------------------------------------------------------------
# 4. the report
# ---------------------------------------------------------------------------


@dataclass
class Run:
    """Everything the report needs; also saved as JSON next to the mutants."""

    command: str
    date: str
    seed: int
    per_file: int | None
    versions: dict[str, str]
    seconds: float
    workers: int
    baselines: dict[str, float]  # target path -> seconds of the original suite
    timeouts: dict[str, float]
    generated: dict[str, int]  # target path -> code mutants
    mutants: list[Mutant] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    def to_json(self) -> str:
        data = asdict(self)
        return json.dumps(data, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Run:
        data = json.loads(text)
        data["mutants"] = [Mutant(**m) for m in data["mutants"]]
        data["outcomes"] = [Outcome(**o) for o in data["outcomes"]]
        return cls(**data)


def render(run: Run, notes: Sequence[Equivalence] = ()) -> str:
    """docs/MUTATION.md from a finished run; `notes` say why a survivor does
    not matter (it stays a survivor)."""
    by_key = {m.key: m for m in run.mutants}
    outcomes = {o.key: o for o in run.outcomes}
    lines = [
        "# Mutation testing",
        "",
        "Generated by `make mutate` (`python -m labeldao.assurance.mutation`); do not edit",
        "by hand. How to run it and reproduce one mutant: `docs/AUDITING.md`.",
        "",
        f"- Command: `{run.command}`",
        f"- Date: {run.date} ({run.seconds / 60:.1f} min on {run.workers} workers)",
        "- Tools: " + ", ".join(f"{k} {v}" for k, v in sorted(run.versions.items())),
        "- Selection: "
        + (
            "every mutant"
            if run.per_file is None
            else f"seeded sample (seed {run.seed}): each file's mutants in a seeded order,"
            f" taken until {run.per_file} of them compile"
        ),
        "- Mutants that only change comments or docstrings are not counted; `generated`",
        "  is the number of code mutants universalmutator wrote for the file; `sampled`",
        "  the ones drawn (run, or met on the way and stillborn).",
        "- Stillborn: does not parse or does not compile. Equivalent: same bytecode as the",
        "  original (checked automatically) or classified by hand with a reason in",
        "  `labeldao/assurance/equivalent_mutants.toml`. Both leave the denominator.",
        "- Timeouts count as killed: the limit is "
        f"{TIMEOUT_FACTOR:g} x the original suite's time (at least {MIN_TIMEOUT:g} s).",
        "",
    ]
    total = Tally()
    rows = []
    for target in TARGETS:
        mine = [m for m in run.mutants if m.target == target.path]
        if target.path not in run.generated:
            continue
        t = tally(
            (outcomes[m.key].status for m in mine if m.key in outcomes),
            generated=run.generated[target.path],
            sampled=len(mine),
        )
        for name in ("generated", "sampled", "stillborn", "equivalent", "killed"):
            setattr(total, name, getattr(total, name) + getattr(t, name))
        for name in ("timeouts", "survived", "errors"):
            setattr(total, name, getattr(total, name) + getattr(t, name))
        low, high = wilson(t.killed, t.scored)
        rows.append(_row(target.path, t, low, high))
    low, high = wilson(total.killed, total.scored)
    lines += [
        f"**Kill ratio: {total.killed} / {total.scored} = {100 * total.ratio:.1f} %"
        f" (95 % Wilson interval {100 * low:.1f} - {100 * high:.1f} %)**,"
        f" {total.survived} survivor(s), {total.errors} harness error(s).",
        "",
        *_first_pass(run),
        "| file | generated | sampled | stillborn | equivalent | killed (timeouts)"
        " | survived | ratio | 95 % Wilson |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        *rows,
        _row("**all**", total, low, high),
        "",
        "Baselines (original sources, relevant tests, one worker): "
        + ", ".join(f"`{Path(k).stem}` {v:.0f} s" for k, v in sorted(run.baselines.items())),
        "",
        "## Survivors",
        "",
    ]
    survivors = [o for o in run.outcomes if o.status == SURVIVED]
    if not survivors:
        lines.append("None.")
    for o in sorted(survivors, key=lambda o: (by_key[o.key].target, by_key[o.key].line)):
        m = by_key[o.key]
        lines += [
            f"- `{m.target}:{m.line}` ({m.key})",
            f"  - before: `{m.before.strip()}`",
            f"  - after: `{m.after.strip()}`",
        ]
        note = next((n.reason for n in notes if n.matches(m)), "**no test yet, no note**")
        lines.append(f"  - why it does not matter: {note}")
    fixed = [o for o in run.outcomes if o.test.startswith("rerun: ")]
    if fixed:
        lines += [
            "",
            "## Mutants run again with the current tests and harness (`--rerun`)",
            "",
            "Survivors of the sample run (or mutants the harness misjudged) that the current",
            "tests kill; the test named is the first that fails.",
            "",
        ]
    for o in sorted(fixed, key=lambda o: (by_key[o.key].target, by_key[o.key].line)):
        m = by_key[o.key]
        lines += [
            f"- `{m.target}:{m.line}` ({m.key}) `{m.before.strip()}` -> `{m.after.strip()}`:"
            f" killed by `{o.test.removeprefix('rerun: ')}`"
        ]
    equivalents = [o for o in run.outcomes if o.status in (EQUIVALENT, SAME_BYTECODE)]
    lines += ["", "## Equivalent mutants", ""]
    if not equivalents:
        lines.append("None.")
    for o in sorted(equivalents, key=lambda o: (by_key[o.key].target, by_key[o.key].line)):
        m = by_key[o.key]
        why = o.reason or "same bytecode as the original"
        lines.append(f"- `{m.target}:{m.line}` `{m.after.strip()}`: {why}")
    errors = [o for o in run.outcomes if o.status == ERROR]
    if errors:
        lines += ["", "## Harness errors (not scored)", ""]
        lines += [f"- {o.key}: {o.test}" for o in errors]
    return "\n".join(lines) + "\n"


def _first_pass(run: Run) -> list[str]:
    """The sample run's own figures, if `--rerun` replaced some outcomes."""
    rerun_keys = [o.key for o in run.outcomes if o.first]
    if not rerun_keys:
        return []
    t = tally(o.first or o.status for o in run.outcomes)
    low, high = wilson(t.killed, t.scored)
    return [
        f"The sample run itself scored {t.killed} / {t.scored} = {100 * t.ratio:.1f} %"
        f" ({100 * low:.1f} - {100 * high:.1f} %); {len(rerun_keys)} mutant(s) were run again"
        " after tests were added or the harness fixed (listed below).",
        "",
    ]


def _row(name: str, t: Tally, low: float, high: float) -> str:
    ratio = f"{100 * t.ratio:.1f} %" if t.scored else "-"
    interval = f"{100 * low:.0f} - {100 * high:.0f} %" if t.scored else "-"
    return (
        f"| {name} | {t.generated} | {t.sampled} | {t.stillborn} | {t.equivalent} |"
        f" {t.killed} ({t.timeouts}) | {t.survived} | {ratio} | {interval} |"
    )


# ---------------------------------------------------------------------------
# 5. running (workers)
# ---------------------------------------------------------------------------

SANDBOX_PARTS = (
    "contracts",
    "tests",
    "labeldao",
    "deployments",
    "scenarios",
    "pyproject.toml",
    "package-lock.json",
)
SANDBOX_LINKS = ("node_modules",)  # read only (solc-js for the OpenZeppelin Governor test)


def make_sandbox(root: Path, destination: Path) -> Path:
    """A copy of what the tests need, so a worker can overwrite contracts."""
    destination.mkdir(parents=True, exist_ok=True)
    for entry in destination.iterdir():  # keep only the compile cache (.boa-cache)
        if entry.name == ".boa-cache":
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for part in SANDBOX_PARTS:
        source = root / part
        if source.is_dir():
            shutil.copytree(source, destination / part, ignore=ignore)
        else:
            shutil.copy2(source, destination / part)
    for part in SANDBOX_LINKS:
        if (root / part).exists():
            (destination / part).symlink_to((root / part).resolve())
    return destination


class Worker:
    """A `python -m labeldao.assurance.mutation_worker` process in a sandbox,
    spoken to in JSON lines; restarted after a timeout or `RESTART_EVERY` jobs."""

    def __init__(self, sandbox: Path, log: Path) -> None:
        self.sandbox = sandbox
        self.log = log
        self.process: subprocess.Popen[str] | None = None
        self.jobs = 0

    def start(self) -> None:
        env = {**os.environ, "HYPOTHESIS_PROFILE": "ci", "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("PYTHONPATH", None)
        self.process = subprocess.Popen(
            # absolute: the worker runs in its sandbox (a venv path stays a venv path)
            [os.path.abspath(sys.executable), "-m", "labeldao.assurance.mutation_worker"],
            cwd=self.sandbox,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log.open("a"),
            text=True,
            bufsize=1,
        )
        self.jobs = 0

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def send(self, job: dict) -> None:
        if self.process is None or self.process.poll() is not None or self.jobs >= RESTART_EVERY:
            self.stop()
            self.start()
        assert self.process and self.process.stdin
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        self.jobs += 1

    def fileno(self) -> int:
        assert self.process and self.process.stdout
        return self.process.stdout.fileno()

    def receive(self) -> dict:
        assert self.process and self.process.stdout
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            return {"status": ERROR, "test": f"worker exited ({code})", "seconds": 0.0}
        return json.loads(line)


def run_jobs(jobs: list[dict], workers: list[Worker], progress: bool = True) -> list[dict]:
    """Runs `jobs` on the workers (each job has a `timeout`); returns one
    result per job, in the jobs' order."""
    queue = iter(enumerate(jobs))
    results: list[dict | None] = [None] * len(jobs)
    index_of: dict[int, int] = {}

    def next_job() -> dict | None:
        for index, job in queue:
            index_of[id(job)] = index
            return job
        return None

    def finished(job: dict, result: dict) -> None:
        results[index_of[id(job)]] = result

    run_stream(next_job, finished, workers, total=len(jobs), progress=progress)
    return [r for r in results if r is not None]


def run_stream(
    next_job: Callable[[], dict | None],
    finished: Callable[[dict, dict], None],
    workers: list[Worker],
    total: int | None = None,
    progress: bool = True,
) -> None:
    """Keeps every worker busy with `next_job()` (None: nothing more for
    now) and hands each result to `finished(job, result)`; a job that runs
    past its `timeout` is stopped and counted as a timeout."""
    busy: dict[Worker, tuple[dict, float]] = {}
    done = 0
    while True:
        for worker in workers:
            if worker not in busy:
                job = next_job()
                if job is None:
                    break
                worker.send(job)
                busy[worker] = (job, time.monotonic())
        if not busy:
            return
        now = time.monotonic()
        wait = min(job["timeout"] - (now - t0) for job, t0 in busy.values())
        ready, _, _ = _select.select(list(busy), [], [], max(0.0, wait))
        for worker in list(busy):
            job, t0 = busy[worker]
            if worker in ready:
                result = worker.receive()
            elif time.monotonic() - t0 >= job["timeout"]:
                worker.stop()
                result = {"status": TIMEOUT, "seconds": time.monotonic() - t0}
            else:
                continue
            del busy[worker]
            done += 1
            finished(job, result)
            if progress:
                of = f"/{total}" if total else ""
                print(
                    f"[{done}{of}] {job['key']}: {result['status']}"
                    f" {result.get('seconds', 0):.1f}s {result.get('test', '')[:90]}",
                    flush=True,
                )


def tool_versions() -> dict[str, str]:
    from importlib.metadata import version

    names = ("universalmutator", "vyper", "titanoboa", "pytest", "hypothesis")
    return {name: version(name) for name in names}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-file", type=int, default=DEFAULT_PER_FILE)
    parser.add_argument("--all", action="store_true", help="every mutant (hours)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--only", nargs="*", default=None, help="file stems, e.g. TaskEscrow")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "MUTATION.md")
    parser.add_argument("--workdir", type=Path, default=REPO_ROOT / "results" / "mutation")
    parser.add_argument("--report-only", action="store_true", help="re-render the last run")
    parser.add_argument(
        "--rerun",
        nargs="+",
        default=None,
        metavar="KEY",
        help="run these mutants of the last run again with the current tests",
    )
    args = parser.parse_args(argv)

    saved = args.workdir / "run.json"
    equivalents = load_equivalents()
    if args.rerun:
        run = Run.from_json(saved.read_text())
        rerun(run, args.rerun, args.workdir, args.workers, equivalents)
        saved.write_text(run.to_json())
        args.out.write_text(render(run, load_equivalents(table="survivor")))
        print(f"wrote {args.out} and {saved}")
        return 0
    if args.report_only:
        run = Run.from_json(saved.read_text())
        by_key = {m.key: m for m in run.mutants}
        run.outcomes = [classify(_unclassify(o), by_key[o.key], equivalents) for o in run.outcomes]
        args.out.write_text(render(run, load_equivalents(table="survivor")))
        print(f"wrote {args.out}")
        return 0

    started = time.monotonic()
    per_file = None if args.all else args.per_file
    targets = [t for t in TARGETS if args.only is None or t.name in args.only]
    args.workdir.mkdir(parents=True, exist_ok=True)
    generated: dict[str, int] = {}
    originals: dict[str, str] = {}
    every: dict[str, list[Mutant]] = {}
    for target in targets:
        originals[target.path] = (REPO_ROOT / target.path).read_text()
        every[target.path] = cached_code_mutants(
            target.path, originals[target.path], args.workdir / "generated"
        )
        generated[target.path] = len(every[target.path])
        print(f"{target.path}: {generated[target.path]} code mutants", flush=True)

    workers = [
        Worker(
            make_sandbox(REPO_ROOT, args.workdir / f"sandbox-{i}"), args.workdir / f"worker-{i}.log"
        )
        for i in range(args.workers)
    ]
    try:
        baselines, timeouts = _baselines(targets, workers)
        if per_file is None:
            sample = _run_all(targets, every, originals, args.seed, workers, timeouts)
        else:
            draws = [
                Draw(t, seeded_order(every[t.path], args.seed), per_file, originals[t.path])
                for t in targets
            ]
            sample = run_draws(draws, workers, timeouts)
    finally:
        for worker in workers:
            worker.stop()

    chosen = [mutant for mutant, _ in sample]
    outcomes = []
    for mutant, result in sample:
        outcome = Outcome(
            mutant.key, result["status"], result.get("seconds", 0.0), result.get("test", "")
        )
        outcomes.append(classify(outcome, mutant, equivalents))
    command = "make mutate" + (
        ""
        if per_file == DEFAULT_PER_FILE
        else (" MUTANTS=all" if per_file is None else f" MUTANTS={per_file}")
    )
    run = Run(
        command=command,
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        seed=args.seed,
        per_file=per_file,
        versions=tool_versions(),
        seconds=time.monotonic() - started,
        workers=args.workers,
        baselines=baselines,
        timeouts=timeouts,
        generated=generated,
        mutants=chosen,
        outcomes=outcomes,
    )
    saved.write_text(run.to_json())
    args.out.write_text(render(run, load_equivalents(table="survivor")))
    print(f"wrote {args.out} and {saved}")
    return 0


def _run_all(
    targets: Sequence[Target],
    every: dict[str, list[Mutant]],
    originals: dict[str, str],
    seed: int,
    workers: list[Worker],
    timeouts: dict[str, float],
) -> list[tuple[Mutant, dict]]:
    """`MUTANTS=all`: every mutant of every file (the unparseable ones are
    not run)."""
    sample: list[tuple[Mutant, dict]] = []
    jobs: list[tuple[Mutant, dict]] = []
    for target in targets:
        chosen, broken = select(every[target.path], None, seed, originals[target.path])
        sample += [(m, {"status": STILLBORN, "test": "does not parse"}) for m in broken]
        jobs += [(m, _job(m, target, timeouts[target.path])) for m in chosen]
    results = run_jobs([job for _, job in jobs], workers)
    return sample + [(m, r) for (m, _), r in zip(jobs, results, strict=True)]


def enclosing_function(source: str, line: int) -> str | None:
    """The name of the function whose body holds `line` (1-based), or None
    for a module-level line (a constant, a storage variable, ...)."""
    for text in reversed(source.splitlines()[:line]):
        match = re.match(r"\s*def\s+(\w+)", text)
        if match:
            return match.group(1)
        if text and not text[0].isspace() and not text.startswith(("@", "#", ")")):
            return None
    return None


def ordered_tests(target: Target, function: str | None, root: Path = REPO_ROOT) -> list[str]:
    """The target's test files, those whose names share a word with
    `function` first (`_draw_seats` -> test_draw.py), then the target's own
    order. Only the order changes: `-x` stops at the first failing test, so
    a killed mutant is found sooner; a survivor still runs every test.
    Directories are expanded into their files: pytest 8 given a file and
    then its directory collects the file only."""
    files: list[str] = []
    for entry in target.tests:
        path = root / entry
        found = sorted(path.rglob("test_*.py")) if path.is_dir() else [path]
        files += [str(f.relative_to(root)) for f in found]
    snake = re.sub(r"([a-z])([A-Z])", r"\1_\2", function or "").lower()  # createDispute
    words = {w[:4] for w in snake.split("_") if len(w) >= 4}
    first = [f for f in files if any(w in Path(f).stem.removeprefix("test_") for w in words)]
    return list(dict.fromkeys([*first, *files]))


def _job(mutant: Mutant, target: Target, timeout: float) -> dict:
    original = (REPO_ROOT / mutant.target).read_text()
    return {
        "key": mutant.key,
        "target": mutant.target,
        "source": mutant.source(original),
        "compile": target.compile_as,
        "tests": ordered_tests(target, enclosing_function(original, mutant.line)),
        "timeout": timeout,
    }


def rerun(
    run: Run, keys: Sequence[str], workdir: Path, workers: int, equivalents: list[Equivalence]
) -> None:
    """Runs the mutants `keys` of `run` again (fresh sandboxes: the current
    tests) and replaces their outcomes; the test that now kills a former
    survivor is recorded as `rerun: <test>`."""
    by_key = {m.key: m for m in run.mutants}
    unknown = [k for k in keys if k not in by_key]
    if unknown:
        raise SystemExit(f"not in the last run: {unknown}")
    by_path = {t.path: t for t in TARGETS}
    jobs = [
        _job(by_key[k], by_path[by_key[k].target], run.timeouts[by_key[k].target]) for k in keys
    ]
    pool = [
        Worker(make_sandbox(REPO_ROOT, workdir / f"rerun-{i}"), workdir / f"rerun-{i}.log")
        for i in range(workers)
    ]
    try:
        results = run_jobs(jobs, pool)
    finally:
        for worker in pool:
            worker.stop()
    first = {o.key: o.first or o.status for o in run.outcomes}
    fresh = {}
    for key, result in zip(keys, results, strict=True):
        test = result.get("test", "")
        outcome = Outcome(
            key,
            result["status"],
            result.get("seconds", 0.0),
            f"rerun: {test}" if result["status"] == KILLED else test,
        )
        outcome.first = first.get(key, "")
        fresh[key] = classify(outcome, by_key[key], equivalents)
    run.outcomes = [fresh.get(o.key, o) for o in run.outcomes]


def _unclassify(outcome: Outcome) -> Outcome:
    """Undo a hand classification so that `--report-only` applies the current file."""
    if outcome.status == EQUIVALENT:
        return Outcome(outcome.key, SURVIVED, outcome.seconds, first=outcome.first)
    return outcome


def _baselines(targets: Sequence[Target], workers: list[Worker]) -> tuple[dict, dict]:
    """Runs each distinct test area on the original sources (it must pass);
    its time sets the timeout of the mutants of the files it tests."""
    areas: dict[str, Target] = {}
    for target in targets:
        areas.setdefault(target.tests[-1], target)
    jobs = [
        {
            "key": f"original:{area}",
            "target": t.path,
            "source": None,
            "compile": t.compile_as,
            "tests": [area],
            "timeout": 1800.0,
        }
        for area, t in areas.items()
    ]
    results = dict(zip(areas, run_jobs(jobs, workers), strict=True))
    for area, result in results.items():
        if result["status"] != SURVIVED:
            raise SystemExit(f"the original sources fail {area}: {result}")
    baselines = {t.path: results[t.tests[-1]]["seconds"] for t in targets}
    timeouts = {path: max(MIN_TIMEOUT, TIMEOUT_FACTOR * s) for path, s in baselines.items()}
    return baselines, timeouts


if __name__ == "__main__":
    sys.exit(main())
