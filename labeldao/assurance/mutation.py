"""Mutation testing of the Vyper contracts (`make mutate`).

Pipeline, one function per step so each can be tested on its own:

1. `generate`: universalmutator (`mutate <file> vyper --noCheck --lines F`)
   writes the syntactic mutants of the lines of a contract or module that
   hold code (`code_lines`: no docstring, comment or blank line);
   `code_mutants` keeps those that change code and pass a syntax mask
   (`well_formed`: no name cut in two, no Solidity `revert();`, brackets
   kept, a declaration stays a declaration, ...), so that far fewer of the
   mutants drawn are stillborn.
2. `select`/`Draw`: each file's mutants in a seeded order (stratified by
   file). `MUTANTS=N` takes them in that order until N of them are scored
   (compile, and are not equivalent: same bytecode or classified by hand):
   the sample is the shortest prefix of the order holding N scored mutants,
   whatever the scheduling, so the same seed and sources give the same
   sample. `MUTANTS=all` keeps them all. Mutants that Vyper cannot parse or
   compile are met on the way and counted as stillborn.
3. `run`: a `pebble.ProcessPool` of spawned processes (one per core), each
   in its own sandbox copy of `contracts/`, `tests/` and `labeldao/`
   (`mutation_worker`). Per mutant a process writes the mutant into its
   sandbox, compiles the contract that uses it (compile error: stillborn;
   same bytecode as the original: equivalent by construction), then runs
   the file's relevant titanoboa tests in-process with `pytest -x`. A
   failing test kills the mutant. First every relevant set of tests runs on
   the ORIGINAL sources: they must pass, and their time sets the per-mutant
   timeout (`TIMEOUT_FACTOR` x the original's time, at least `MIN_TIMEOUT`
   s); pebble stops a mutant that exceeds it (counted as killed: the
   original runs well within the limit, so the mutant made it hang) and
   replaces the process.
4. `classify` + `report`: hand-classified equivalent mutants
   (`equivalent_mutants.toml`, keyed by function and code, one reason each)
   leave the denominator; the rest is written to `docs/MUTATION.md` with the
   kill ratio and its 95 % Wilson interval, and every survivor.

    python -m labeldao.assurance.mutation [--per-file N | --all] [--seed S]
        [--only NAME ...] [--workers 2] [--report docs/MUTATION.md]
        [--workdir results/mutation] [--no-mask] [--report-only | --rerun KEY ...]
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import hashlib
import io
import json
import math
import multiprocessing
import os
import random
import re
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

import pebble

from labeldao.assurance.anchors import enclosing_function, line_tokens, normalized
from labeldao.boa_tools import REPO_ROOT

DEFAULT_PER_FILE = 40  # scored mutants per file (issue 13: >= 40 per file, >= 400 in all)
DEFAULT_BASELINE = 25.0  # s, a relevant suite's time when no run has measured it
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


# Every contract and module with code (the interfaces, `.vyi`, have none).
# A module is compiled into the contract named beside it; its tests are the
# ones that exercise it through that contract (files named first run first).
_ADMIN = "tests/unit/test_admin_surface.py"
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
        "SortitionTree",
        ("tests/unit/court/test_sortition.py", "tests/unit/court"),
    ),
    Target(
        "contracts/SortitionTree.vy",
        "SortitionTree",
        ("tests/unit/court/test_sortition_tree.py", "tests/unit/court"),
    ),
    Target("contracts/ComputeRegistry.vy", "ComputeRegistry", ("tests/unit/registry",)),
    Target("contracts/Timelock.vy", "Timelock", ("tests/unit/governance",)),
    Target(
        "contracts/PrevrandaoRandomness.vy",
        "PrevrandaoRandomness",
        ("tests/unit/court/test_randomness.py",),
    ),
    Target(
        "contracts/ChainlinkVRFRandomness.vy",
        "ChainlinkVRFRandomness",
        ("tests/unit/randomness/test_chainlink_vrf.py",),
    ),
    Target(
        "contracts/RandomnessWithFallback.vy",
        "RandomnessWithFallback",
        ("tests/unit/randomness/test_fallback.py",),
    ),
    Target(
        "contracts/ComputeRegistryLens.vy",
        "ComputeRegistryLens",
        ("tests/unit/registry/test_receipts.py", "tests/unit/registry"),
    ),
    Target(
        "contracts/QualityCourtLens.vy",
        "QualityCourtLens",
        (
            "tests/unit/court/test_draw.py",
            "tests/unit/court/test_suite_refusal.py",
            "tests/unit/court",
        ),
    ),
    Target("contracts/modules/roles.vy", "TaskEscrow", (_ADMIN, "tests/unit/escrow")),
    Target("contracts/modules/treasurer.vy", "TaskEscrow", (_ADMIN, "tests/unit/escrow")),
    Target(
        "contracts/modules/pause_guard.vy",
        "ComputeRegistry",
        ("tests/unit/registry/test_pauses.py", _ADMIN, "tests/unit/registry"),
    ),
    Target(
        "contracts/modules/pull_payments.vy",
        "TaskEscrow",
        ("tests/unit/escrow/test_reclaim_withdraw.py", "tests/unit/escrow"),
    ),
    Target(
        "contracts/modules/arbitrable.vy",
        "TaskEscrow",
        ("tests/unit/escrow/test_rule.py", "tests/unit/escrow"),
    ),
    Target("contracts/modules/epoch_clock.vy", "TaskEscrow", ("tests/unit/escrow",)),
    Target("contracts/modules/utils.vy", "TaskEscrow", ("tests/unit/escrow",)),
)


@dataclass(frozen=True)
class Mutant:
    """One mutant: `line` (1-based) of `target` replaced by `after`;
    `function` encloses it ("" at module level)."""

    target: str  # Target.path
    number: int  # universalmutator's number for this file (with the code-line mask)
    line: int
    before: str
    after: str
    function: str = ""

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


def generate(
    source_file: Path, workdir: Path, lines: Iterable[int] | None = None
) -> list[tuple[int, str]]:
    """Every universalmutator mutant of `source_file` (of its `lines` only, if
    given: universalmutator's `--lines` file): (number, mutant source)."""
    workdir.mkdir(parents=True, exist_ok=True)
    mutate = shutil.which("mutate") or str(Path(sys.executable).with_name("mutate"))
    command = [
        mutate,
        str(source_file.resolve()),
        "vyper",
        "--noCheck",
        "--mutantDir",
        str(workdir),
    ]
    if lines is not None:
        line_file = workdir / "code-lines.txt"
        line_file.write_text(" ".join(str(n) for n in sorted(lines)) + "\n")
        command += ["--lines", str(line_file)]
    subprocess.run(
        command,
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


def code_lines(source: str) -> set[int]:
    """Lines (1-based) that hold code: at least one token that is not a
    comment, outside docstrings. The `--lines` given to universalmutator, so
    that it does not mutate NatSpec, comments, blank lines or the pragma."""
    lines: set[int] = set()
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    skip |= {tokenize.ENCODING, tokenize.ENDMARKER}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in skip:
            lines.update(range(tok.start[0], tok.end[0] + 1))
    return lines - docstring_lines(source)


def fragment_parses(line: str) -> bool:
    """True if one source line parses as a Python statement on its own (a
    block header with a `pass` body, a decorator above a `def`). Vyper's
    syntax is Python's plus a few keywords (`event`, `log`, `struct`, ...):
    a line that parses here before mutation must still parse after it."""
    text = line.strip()
    if not text:
        return False
    if text.startswith("@"):
        text += "\ndef f():\n    pass"
    elif text.endswith(":"):
        text += "\n    pass"
        if text.startswith(("elif", "else")):
            text = "if x:\n    pass\n" + text
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def well_formed(before: str, after: str, signed: bool = False) -> bool:
    """A cheap syntax mask run before sampling: False for a rewrite that can
    not be a Vyper program whatever the rest of the file says. A line that
    was a whole statement must stay one; a line that was inside brackets
    must keep their balance; a module-level line (a declaration) must stay
    a statement of the same kind; a deleted line must not have opened a
    block; Solidity's statements that
    universalmutator's Vyper rules borrow (`revert();`, `selfdestruct(...)`)
    and a trailing `;` are not Vyper."""
    text = after.strip()
    if before.strip().endswith(":") and not text.endswith(":"):
        return False  # a block header removed: its body is left without one
    if not text:  # a deleted line
        return not _declares_a_local(before)
    if text == "pass" and _declares_a_local(before):
        return False  # `x: uint256 = ...` removed: `x` is used further down
    if text.endswith(";") or re.search(r"\b(revert|selfdestruct)\s*\(|\bNone\b", text):
        return False
    if _cuts_a_name(before, after) or ('""' in text and '""' not in before):
        return False  # `uint256` -> `uint0`, `self.vFalse`; an empty revert reason
    if before.strip().startswith("@"):  # a decorator: removed or another one
        return text.startswith("@")
    if re.fullmatch(r"return\s+\S.*", before.strip()) and text == "return":
        return False  # Vyper: a function with a return type returns a value
    if fragment_parses(before):
        if not fragment_parses(after):
            return False
        if _bare_expression(after) or (not signed and _negative_literal(after)):
            return False
        if _broken_type(after):
            return False
        if not before[:1].isspace() and not before.startswith("@"):
            return _statement_kind(before) == _statement_kind(after)
        return True
    return _bracket_depth(before) == _bracket_depth(after)


def _name_spans(line: str) -> list[tuple[int, int]]:
    """(start, end) columns of the identifiers and keywords of a line."""
    indent = len(line) - len(line.lstrip())
    spans = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(line.lstrip() + "\n").readline):
            if tok.type == tokenize.NAME:
                spans.append((tok.start[1] + indent, tok.end[1] + indent))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass  # an open bracket or string at the end: the names before it
    return spans


def _cuts_a_name(before: str, after: str) -> bool:
    """True if the rewritten part of the line begins or ends inside an
    identifier (of the original or of the mutant): universalmutator's
    number and operator rules also match inside names (`uint256` ->
    `uint(256+1)`, `keccak256` -> `keccak1`, `return x` -> `reFalse`),
    which gives a name Vyper does not know."""
    prefix = len(os.path.commonprefix([before, after]))
    suffix = len(os.path.commonprefix([before[prefix:][::-1], after[prefix:][::-1]]))
    for line, end in ((before, len(before) - suffix), (after, len(after) - suffix)):
        for start_col, end_col in _name_spans(line):
            if start_col < prefix < end_col or start_col < end < end_col:
                return True
    return False


def _parsed(line: str) -> ast.stmt | None:
    text = line.strip()
    if text.endswith(":"):
        text += "\n    pass"
        if text.startswith(("elif", "else")):
            text = "if x:\n    pass\n" + text
            try:
                return ast.parse(text).body[0]
            except (SyntaxError, ValueError):
                return None
    if text.startswith("@"):
        return None
    try:
        return ast.parse(text).body[0]
    except (SyntaxError, ValueError, IndexError):
        return None


def _declares_a_local(line: str) -> bool:
    """An indented `name: type = value`: a local variable declaration."""
    return line[:1].isspace() and isinstance(_parsed(line), ast.AnnAssign)


def _bare_expression(line: str) -> bool:
    """A statement that is an expression but not a call: Python accepts it,
    Vyper does not (`return x or y` -> `x or y`)."""
    node = _parsed(line)
    return isinstance(node, ast.Expr) and not isinstance(node.value, ast.Call)


def _negative_literal(line: str) -> bool:
    """A negative integer constant (`-1`, `(0-1)`): it types only as a signed
    integer (used when the file declares none)."""
    node = _parsed(line)
    if node is None:
        return False
    for sub in ast.walk(node):
        if isinstance(sub, ast.UnaryOp) and isinstance(sub.op, ast.USub):
            if _int(sub.operand) is not None:
                return True
        elif isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Sub):
            left, right = _int(sub.left), _int(sub.right)
            if left is not None and right is not None and left < right:
                return True
    return False


_TWO_PARAMETERS = {"HashMap", "DynArray"}  # HashMap[key, value], DynArray[type, bound]
_ONE_ARGUMENT = {"public", "immutable", "constant", "transient", "reentrant"}


def _broken_type(line: str) -> bool:
    """A Vyper type of the wrong shape: `HashMap[uint256]`,
    `public(uint256, HashMap[...])` (argument rules dropping or swapping
    one of a type's parameters)."""
    node = _parsed(line)
    if node is None:
        return False
    for sub in ast.walk(node):
        if isinstance(sub, ast.Subscript) and getattr(sub.value, "id", "") in _TWO_PARAMETERS:
            wrong = not (isinstance(sub.slice, ast.Tuple) and len(sub.slice.elts) == 2)
        elif isinstance(sub, ast.Call) and getattr(sub.func, "id", "") in _ONE_ARGUMENT:
            wrong = len(sub.args) != 1 or bool(sub.keywords)
        else:
            wrong = False
        if wrong:
            return True
    return False


def _int(node: ast.expr) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


def _statement_kind(line: str) -> str:
    text = line.strip()
    if text.endswith(":"):
        text += "\n    pass"
    try:
        return type(ast.parse(text).body[0]).__name__
    except (SyntaxError, ValueError, IndexError):
        return ""


def _bracket_depth(line: str) -> int | None:
    """Opened minus closed brackets of a line (None if it does not tokenize:
    an unterminated string)."""
    depth = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(line.strip() + "\n").readline):
            if tok.type == tokenize.OP and tok.string in "([{":
                depth += 1
            elif tok.type == tokenize.OP and tok.string in ")]}":
                depth -= 1
    except tokenize.TokenError:
        pass  # an open bracket at the end of the line: the depth so far
    except (IndentationError, SyntaxError):
        return None
    return depth


def is_code_change(before: str, after: str) -> bool:
    """False if the rewritten line differs from the original only in its
    comment or its spacing."""
    return line_tokens(before) != line_tokens(after)


def code_mutants(
    target: str, original: str, generated: Iterable[tuple[int, str]], mask: bool = True
) -> list[Mutant]:
    """The generated mutants that change code, as one-line `Mutant`s; with
    `mask`, only those on code lines that pass the syntax mask
    (`well_formed`)."""
    docstrings = docstring_lines(original)
    code = code_lines(original) if mask else None
    signed = re.search(r"\bint\d+\b", original) is not None  # else no negative constant types
    kept = []
    for number, text in generated:
        change = changed_line(original, text)
        if change is None or change[0] in docstrings:
            continue
        line, before, after = change
        if not is_code_change(before, after):
            continue
        if code is not None and (line not in code or not well_formed(before, after, signed)):
            continue
        function = enclosing_function(original, line) or ""
        kept.append(Mutant(target, number, line, before, after, function))
    return kept


MASK_VERSION = "mask4"  # part of the cache key: a new mask regenerates


def cached_code_mutants(target: str, original: str, cache: Path, mask: bool = True) -> list[Mutant]:
    """`code_mutants` of the file, generated once per version of its source
    (universalmutator is told the code lines with `--lines`)."""
    digest = hashlib.sha256(original.encode()).hexdigest()[:16]
    variant = MASK_VERSION if mask else "nomask"
    saved = cache / f"{Path(target).stem}-{digest}-{variant}.json"
    if saved.exists():
        return [Mutant(**m) for m in json.loads(saved.read_text())]
    cache.mkdir(parents=True, exist_ok=True)
    lines = code_lines(original) if mask else None
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        generated = generate(REPO_ROOT / target, Path(tmp), lines)
        mutants = code_mutants(target, original, generated, mask)
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
    until `quota` of them count (`counts`: by default, they compile; the
    runner counts the scored ones: compiling and not equivalent). Results
    may come back in any order (two workers); `sample()` cuts the order
    after the `quota`-th counted mutant, so mutants run past that point (in
    flight when the quota was met) are dropped and the sample does not
    depend on the scheduling."""

    target: Target
    order: list[Mutant]
    quota: int
    original: str
    parse: Callable[[str], bool] = parses
    counts: Callable[[Mutant, dict], bool] = lambda mutant, result: compiles(result)
    position: int = 0  # next mutant of `order` to look at
    results: dict[int, dict] = field(default_factory=dict)  # position -> result
    in_flight: int = 0

    def counted(self) -> int:
        return sum(self.counts(self.order[p], r) for p, r in self.results.items())

    def wants_more(self) -> bool:
        return self.position < len(self.order) and self.counted() + self.in_flight < self.quota

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
        """The mutants up to and including the `quota`-th counted one, in
        the seeded order, with their results."""
        chosen: list[tuple[Mutant, dict]] = []
        counted = 0
        for position in range(len(self.order)):
            if counted >= self.quota or position not in self.results:
                break
            result = self.results[position]
            chosen.append((self.order[position], result))
            counted += self.counts(self.order[position], result)
        return chosen


def resume(draw: Draw, earlier: dict[str, Outcome]) -> Draw:
    """`draw` picked up where an earlier sample of its file stopped
    (`--top-up`): the mutants that sample ran keep their results (hand
    classifications undone, so that the current table decides what counts),
    and the draw goes on after the last of them until its quota is met. A
    sample is a prefix of the seeded order, so the earlier mutants are its
    first positions."""
    for position, mutant in enumerate(draw.order):
        outcome = earlier.get(mutant.key)
        if outcome is None:
            break
        raw = _unclassify(outcome)
        draw.results[position] = {
            "status": raw.status,
            "seconds": raw.seconds,
            "test": raw.test,
            "first": raw.first,
        }
        draw.position = position + 1
    return draw


def compiles(result: dict) -> bool:
    return result["status"] != STILLBORN


def scored_by(equivalents: Sequence[Equivalence]) -> Callable[[Mutant, dict], bool]:
    """`Draw.counts` for a quota of scored mutants: killed (or timed out) or
    survived, and not classified equivalent by hand."""

    def scored(mutant: Mutant, result: dict) -> bool:
        if result["status"] in (KILLED, TIMEOUT):
            return True
        return result["status"] == SURVIVED and not any(e.matches(mutant) for e in equivalents)

    return scored


def run_draws(
    draws: Sequence[Draw], workers: Workers, timeouts: dict[str, float]
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
    """A hand-classified mutant: in `function` of `target` ("" at module
    level), the line `before` rewritten to `after`. Lines are compared as
    code (`anchors.normalized`: comments and spacing dropped), and neither
    the line number nor universalmutator's mutant number is part of the
    key, so the entry still holds after lines are added elsewhere."""

    target: str
    function: str
    before: str
    after: str
    reason: str

    def matches(self, mutant: Mutant) -> bool:
        return (
            mutant.target == self.target
            and mutant.function == self.function
            and normalized(mutant.before) == normalized(self.before)
            and normalized(mutant.after) == normalized(self.after)
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
        found.append(
            Equivalence(
                entry["file"], entry.get("function", ""), entry["before"], entry["after"], reason
            )
        )
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
    sources: dict[str, str] = field(default_factory=dict)  # target path -> digest when run
    parts: list[str] = field(default_factory=list)  # one line per run merged in (`--merge`)

    def to_json(self) -> str:
        data = asdict(self)
        return json.dumps(data, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Run:
        data = json.loads(text)
        data["mutants"] = [Mutant(**m) for m in data["mutants"]]
        data["outcomes"] = [Outcome(**o) for o in data["outcomes"]]
        return cls(**data)


def source_digest(text: str) -> str:
    """Short digest of a target's source, to tell which report rows are stale."""
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def merge(old: Run, new: Run) -> Run:
    """`old` with the files of `new` replaced by `new`'s results (`--merge`):
    the files that changed run again, the others keep their mutants. Both
    runs must use the same seed and sample size, so every row is drawn the
    same way."""
    if (old.seed, old.per_file) != (new.seed, new.per_file):
        raise SystemExit(
            f"--merge: the last run used seed {old.seed} and {old.per_file} per file,"
            f" this one seed {new.seed} and {new.per_file}"
        )
    replaced = set(new.generated)
    mutants = [m for m in old.mutants if m.target not in replaced] + new.mutants
    keys = {m.key for m in new.mutants}
    kept = {m.key for m in mutants} - keys
    outcomes = [o for o in old.outcomes if o.key in kept] + new.outcomes

    def kept_items(table: dict, fresh: dict) -> dict:
        return {k: v for k, v in table.items() if k not in replaced} | fresh

    return Run(
        command=new.command,
        date=new.date,
        seed=new.seed,
        per_file=new.per_file,
        versions=new.versions,
        seconds=old.seconds + new.seconds,
        workers=new.workers,
        baselines=kept_items(old.baselines, new.baselines),
        timeouts=kept_items(old.timeouts, new.timeouts),
        generated=kept_items(old.generated, new.generated),
        mutants=mutants,
        outcomes=outcomes,
        sources=kept_items(old.sources, new.sources),
        parts=(old.parts or [old.command]) + new.parts,
    )


def stale_targets(run: Run, root: Path = REPO_ROOT) -> list[str]:
    """The run's files whose source has changed since their mutants ran."""
    return sorted(
        path
        for path, digest in run.sources.items()
        if (root / path).exists() and source_digest((root / path).read_text()) != digest
    )


def render(run: Run, notes: Sequence[Equivalence] = (), stale: Sequence[str] = ()) -> str:
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
        *(
            [f"- Command: `{run.command}`"]
            if len(run.parts) < 2
            else ["- Runs, each replacing the files it names (`--merge`):"]
            + [f"  - {part}" for part in run.parts]
        ),
        f"- Date: {run.date} ({run.seconds / 60:.1f} min on {run.workers} workers)",
        "- Tools: " + ", ".join(f"{k} {v}" for k, v in sorted(run.versions.items())),
        "- Selection: "
        + (
            "every mutant"
            if run.per_file is None
            else f"seeded sample (seed {run.seed}): each file's mutants in a seeded order,"
            f" taken until {run.per_file} of them are scored (compile, not equivalent)"
        ),
        "- universalmutator mutates only the lines that hold code (`--lines`: no",
        "  docstrings, comments or blank lines); rewrites that cannot be Vyper (a name",
        "  cut in two, Solidity's `revert();`, a broken bracket, ...) are masked before",
        "  sampling. `generated` is the number of code mutants left for the file;",
        "  `sampled` the ones drawn (run, or met on the way and stillborn).",
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
    if stale:
        lines += [
            "**Stale:** these files changed after their mutants ran: "
            + ", ".join(f"`{path}`" for path in stale),
            "",
        ]
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
    "abi",  # the clients' ABI files (the governance client's calldata test)
    "metaevidence",
    "docs/events.toml",
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
            (destination / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / part)
    for part in SANDBOX_LINKS:
        if (root / part).exists():
            (destination / part).symlink_to((root / part).resolve())
    return destination


@dataclass
class Workers:
    """The process pool that runs the jobs: `slots` jobs at a time, each
    `task(job)` in a pool process (`mutation_worker.run_task` in a sandbox)."""

    pool: pebble.ProcessPool
    slots: int
    task: Callable[[dict], dict]

    def close(self) -> None:
        self.pool.stop()
        self.pool.join()


def open_workers(workdir: Path, count: int, prefix: str = "sandbox") -> Workers:
    """`count` spawned pool processes, each claiming one of `count` fresh
    sandboxes under `workdir` (log: `<prefix>-<i>.log`); a process is replaced
    after `RESTART_EVERY` jobs (titanoboa's memory), a timeout or a crash."""
    from labeldao.assurance import mutation_worker

    sandboxes = [str(make_sandbox(REPO_ROOT, workdir / f"{prefix}-{i}")) for i in range(count)]
    pool = pebble.ProcessPool(
        max_workers=count,
        max_tasks=RESTART_EVERY,
        initializer=mutation_worker.enter_sandbox,
        initargs=(sandboxes, str(REPO_ROOT)),
        context=multiprocessing.get_context("spawn"),
    )
    return Workers(pool, count, mutation_worker.run_task)


def job_result(future: concurrent.futures.Future, job: dict) -> dict:
    """The worker's answer, or what became of the job: past its `timeout`
    (pebble stopped the process: killed by the timeout), the process died
    (a harness error), or the task raised (a harness error)."""
    try:
        return future.result()
    except TimeoutError:
        return {"status": TIMEOUT, "seconds": float(job["timeout"])}
    except pebble.ProcessExpired as error:
        return {"status": ERROR, "test": f"worker exited ({error.exitcode})", "seconds": 0.0}
    except Exception as error:  # the task itself failed: reported, not scored
        return {"status": ERROR, "test": f"{type(error).__name__}: {error}"[:200], "seconds": 0.0}


def run_jobs(jobs: list[dict], workers: Workers, progress: bool = True) -> list[dict]:
    """Runs `jobs` on the workers (each job has a `timeout`); returns one
    result per job, in the jobs' order."""
    queue = iter(enumerate(jobs))
    results: dict[int, dict] = {}

    def next_job() -> dict | None:
        for index, job in queue:
            return {**job, "_index": index}
        return None

    def finished(job: dict, result: dict) -> None:
        results[job["_index"]] = result

    run_stream(next_job, finished, workers, total=len(jobs), progress=progress)
    return [results[i] for i in range(len(jobs))]


def run_stream(
    next_job: Callable[[], dict | None],
    finished: Callable[[dict, dict], None],
    workers: Workers,
    total: int | None = None,
    progress: bool = True,
) -> None:
    """Keeps `workers.slots` jobs in the pool with `next_job()` (None: nothing
    more for now) and hands each result to `finished(job, result)`; pebble
    stops a job that runs past its `timeout` (counted as a timeout)."""
    in_flight: dict[concurrent.futures.Future, dict] = {}
    done = 0
    while True:
        while len(in_flight) < workers.slots:
            job = next_job()
            if job is None:
                break
            payload = {k: v for k, v in job.items() if not k.startswith("_")}
            future = workers.pool.schedule(workers.task, args=(payload,), timeout=job["timeout"])
            in_flight[future] = job
        if not in_flight:
            return
        ready, _ = concurrent.futures.wait(
            in_flight, return_when=concurrent.futures.FIRST_COMPLETED
        )
        for future in ready:
            job = in_flight.pop(future)
            result = job_result(future, job)
            done += 1
            finished(job, result)
            if progress:
                of = f"/{total}" if total else ""
                print(
                    f"[{done}{of}] {job['key']}: {result['status']}"
                    f" {result.get('seconds', 0):.1f}s {result.get('test', '')[:90]}",
                    flush=True,
                )


def estimate_hours(
    targets: Sequence[Target], per_file: int, baselines: dict[str, float], workers: int
) -> float:
    """Hours a run should take: `per_file` mutants of each file, each at most
    its file's baseline (the whole relevant suite; a killed mutant stops at
    its first failing test, a stillborn one at the compile), `workers` at a
    time."""
    seconds = sum(per_file * baselines.get(t.path, DEFAULT_BASELINE) for t in targets)
    return seconds / workers / 3600


def print_estimate(
    label: str,
    targets: Sequence[Target],
    per_file: int,
    baselines: dict[str, float],
    workers: int,
) -> None:
    hours = estimate_hours(targets, per_file, baselines, workers)
    known = sum(t.path in baselines for t in targets)
    print(
        f"estimate ({label}; {known}/{len(targets)} baselines known, else"
        f" {DEFAULT_BASELINE:g} s): {len(targets)} files x {per_file} scored mutants"
        f" x baseline / {workers} workers = at most {hours:.1f} h ({60 * hours:.0f} min)",
        flush=True,
    )


def git_commit(root: Path = REPO_ROOT) -> str:
    """The checked-out commit (short), `+changes` if the tree differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
        )
    except OSError:
        return "unknown commit"
    if head.returncode != 0:
        return "unknown commit"
    return f"commit {head.stdout.strip()}" + (" +changes" if dirty.stdout.strip() else "")


def tool_versions() -> dict[str, str]:
    from importlib.metadata import version

    names = ("universalmutator", "vyper", "titanoboa", "pytest", "hypothesis")
    return {name: version(name) for name in names}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--per-file",
        type=int,
        default=DEFAULT_PER_FILE,
        help=f"scored mutants (compiling, not equivalent) per file (default {DEFAULT_PER_FILE})",
    )
    parser.add_argument("--all", action="store_true", help="every mutant (hours)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--only", nargs="*", default=None, help="file stems, e.g. TaskEscrow")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--out",
        "--report",
        dest="out",
        type=Path,
        default=REPO_ROOT / "docs" / "MUTATION.md",
        help="the report (default docs/MUTATION.md)",
    )
    parser.add_argument(
        "--no-mask",
        action="store_true",
        help="mutate every line, without the code-line and syntax mask (for comparison)",
    )
    parser.add_argument("--workdir", type=Path, default=REPO_ROOT / "results" / "mutation")
    parser.add_argument("--report-only", action="store_true", help="re-render the last run")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="with --only: replace those files' results in the last run, keep the others"
        " (a campaign in parts, each saved as it ends)",
    )
    parser.add_argument(
        "--top-up",
        action="store_true",
        help="with --merge: keep those files' mutants of the last run and draw more until"
        " each has its quota of scored mutants (after hand classifications)",
    )
    parser.add_argument(
        "--rerun",
        nargs="+",
        default=None,
        metavar="KEY",
        help="run these mutants of the last run again with the current tests",
    )
    args = parser.parse_args(argv)
    if args.merge and args.only is None:
        parser.error("--merge: name the files to run again with --only")
    if args.top_up and not (args.merge and args.per_file and not args.all):
        parser.error("--top-up: only with --merge and a per-file quota")

    saved = args.workdir / "run.json"
    equivalents = load_equivalents()
    if args.rerun:
        run = Run.from_json(saved.read_text())
        rerun(run, args.rerun, args.workdir, args.workers, equivalents)
        saved.write_text(run.to_json())
        args.out.write_text(render(run, load_equivalents(table="survivor"), stale_targets(run)))
        print(f"wrote {args.out} and {saved}")
        return 0
    if args.report_only:
        run = Run.from_json(saved.read_text())
        by_key = {m.key: m for m in run.mutants}
        run.outcomes = [classify(_unclassify(o), by_key[o.key], equivalents) for o in run.outcomes]
        args.out.write_text(render(run, load_equivalents(table="survivor"), stale_targets(run)))
        print(f"wrote {args.out}")
        return 0

    started = time.monotonic()
    per_file = None if args.all else args.per_file
    unknown = sorted(set(args.only or ()) - {t.name for t in TARGETS})
    if unknown:
        parser.error(f"--only: no such file {unknown}; one of {[t.name for t in TARGETS]}")
    targets = [t for t in TARGETS if args.only is None or t.name in args.only]
    args.workdir.mkdir(parents=True, exist_ok=True)
    generated: dict[str, int] = {}
    originals: dict[str, str] = {}
    every: dict[str, list[Mutant]] = {}
    for target in targets:
        originals[target.path] = (REPO_ROOT / target.path).read_text()
        every[target.path] = cached_code_mutants(
            target.path, originals[target.path], args.workdir / "generated", not args.no_mask
        )
        generated[target.path] = len(every[target.path])
        print(f"{target.path}: {generated[target.path]} code mutants", flush=True)

    if per_file is not None:
        previous = Run.from_json(saved.read_text()).baselines if saved.exists() else {}
        print_estimate("before the baselines", targets, per_file, previous, args.workers)
    workers = open_workers(args.workdir, args.workers)
    try:
        baselines, timeouts = _baselines(targets, workers)
        if per_file is not None:
            print_estimate("measured baselines", targets, per_file, baselines, args.workers)
        if per_file is None:
            sample = _run_all(targets, every, originals, args.seed, workers, timeouts)
        else:
            scored = scored_by(equivalents)
            draws = [
                Draw(
                    t,
                    seeded_order(every[t.path], args.seed),
                    per_file,
                    originals[t.path],
                    counts=scored,
                )
                for t in targets
            ]
            if args.top_up:
                earlier = _earlier_outcomes(saved, targets, originals)
                draws = [resume(d, earlier) for d in draws]
            sample = run_draws(draws, workers, timeouts)
    finally:
        workers.close()

    chosen = [mutant for mutant, _ in sample]
    outcomes = []
    for mutant, result in sample:
        outcome = Outcome(
            mutant.key,
            result["status"],
            result.get("seconds", 0.0),
            result.get("test", ""),
            first=result.get("first", ""),
        )
        outcomes.append(classify(outcome, mutant, equivalents))
    command = "make mutate" + (
        ""
        if per_file == DEFAULT_PER_FILE
        else (" MUTANTS=all" if per_file is None else f" MUTANTS={per_file}")
    )
    if args.only is not None or args.no_mask:
        given = sys.argv[1:] if argv is None else list(argv)
        command = " ".join(["python -m labeldao.assurance.mutation", *given])
    run_date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    run = Run(
        command=command,
        date=run_date,
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
        sources={path: source_digest(text) for path, text in originals.items()},
        parts=[f"`{command}` at {git_commit()}, {run_date}: {', '.join(t.name for t in targets)}"],
    )
    if args.merge and saved.exists():  # the first part of a run in parts starts it
        run = merge(Run.from_json(saved.read_text()), run)
    saved.write_text(run.to_json())
    args.out.write_text(render(run, load_equivalents(table="survivor"), stale_targets(run)))
    print(f"wrote {args.out} and {saved}")
    return 0


def _run_all(
    targets: Sequence[Target],
    every: dict[str, list[Mutant]],
    originals: dict[str, str],
    seed: int,
    workers: Workers,
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
    pool = open_workers(workdir, workers, prefix="rerun")
    try:
        results = run_jobs(jobs, pool)
    finally:
        pool.close()
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


def _earlier_outcomes(
    saved: Path, targets: Sequence[Target], originals: dict[str, str]
) -> dict[str, Outcome]:
    """The last run's outcomes of `targets` (`--top-up`), refused for a file
    whose source changed since: its earlier mutants were run on other code."""
    if not saved.exists():
        raise SystemExit(f"--top-up: no earlier run in {saved}")
    run = Run.from_json(saved.read_text())
    for target in targets:
        if run.sources.get(target.path) != source_digest(originals[target.path]):
            raise SystemExit(
                f"--top-up: {target.path} changed since its sample (or was never sampled):"
                " run it again without --top-up"
            )
    return {o.key: o for o in run.outcomes}


def _unclassify(outcome: Outcome) -> Outcome:
    """Undo a hand classification so that `--report-only` applies the current file."""
    if outcome.status == EQUIVALENT:
        return Outcome(outcome.key, SURVIVED, outcome.seconds, first=outcome.first)
    return outcome


def _baselines(targets: Sequence[Target], workers: Workers) -> tuple[dict, dict]:
    """Runs each distinct set of tests on the original sources (it must
    pass); its time sets the timeout of the mutants of the files it tests."""
    areas: dict[tuple[str, ...], Target] = {}
    for target in targets:
        areas.setdefault(target.tests, target)
    jobs = [
        {
            "key": f"original:{','.join(tests)}",
            "target": t.path,
            "source": None,
            "compile": t.compile_as,
            "tests": ordered_tests(t, None),
            "timeout": 1800.0,
        }
        for tests, t in areas.items()
    ]
    results = dict(zip(areas, run_jobs(jobs, workers), strict=True))
    for tests, result in results.items():
        if result["status"] != SURVIVED:
            raise SystemExit(f"the original sources fail {', '.join(tests)}: {result}")
    baselines = {t.path: results[t.tests]["seconds"] for t in targets}
    timeouts = {path: max(MIN_TIMEOUT, TIMEOUT_FACTOR * s) for path, s in baselines.items()}
    return baselines, timeouts


if __name__ == "__main__":
    sys.exit(main())
