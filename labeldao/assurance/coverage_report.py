"""Line coverage of the Vyper contracts (`make coverage`).

Runs the titanoboa test areas under coverage.py with titanoboa's plugin
(`boa.coverage`, configured in `.coveragerc`), two areas at a time, combines
the data and writes `docs/COVERAGE.md`: per-file statements, and every
uncovered line with its one-line justification from
`coverage_justifications.toml` (or `NOT JUSTIFIED`; the command then fails).

What `boa.coverage` measures: a *line* is the first line of each statement
(and of each expression node) inside a function body whose code the EVM
executed. It also declares the two arcs of each `if`, but its tracer reports
each executed line as a frame of its own, so the arcs coverage.py records are
`(-1, line)` / `(line, -1)` and its branch figures for `.vy` files are
meaningless: branches are not reported (an `if` body that never ran shows as
missed lines).

    python -m labeldao.assurance.coverage_report [--skip-run] [--out docs/COVERAGE.md]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from labeldao.assurance import BOA_PYTEST_PLUGINS, anchors
from labeldao.boa_tools import REPO_ROOT

RCFILE = REPO_ROOT / ".coveragerc"
JUSTIFICATIONS_FILE = Path(__file__).with_name("coverage_justifications.toml")
AREAS: tuple[str, ...] = (
    "tests/unit/court",
    "tests/unit/registry",
    "tests/unit/escrow",
    "tests/unit/token",
    "tests/unit/governance",
    "tests/property",
)
PROPERTY_PROFILE = "default"  # the `ci` profile under coverage's tracer takes too long


@dataclass(frozen=True)
class FileCoverage:
    """Coverage of one contract or module."""

    path: str
    statements: int
    missing_lines: tuple[int, ...]
    branches: int
    missing_branches: tuple[tuple[int, int], ...]

    @property
    def line_ratio(self) -> float:
        return 1 - len(self.missing_lines) / self.statements if self.statements else 1.0

    @property
    def branch_ratio(self) -> float:
        return 1 - len(self.missing_branches) / self.branches if self.branches else 1.0


def parse_json_report(data: dict, root: Path = REPO_ROOT) -> list[FileCoverage]:
    """The `.vy` files of a `coverage json` report, relative to `root`."""
    found = []
    for name, entry in sorted(data["files"].items()):
        if not name.endswith(".vy"):
            continue
        path = Path(name)
        relative = str(path.relative_to(root)) if path.is_absolute() else name
        summary = entry["summary"]
        found.append(
            FileCoverage(
                path=relative,
                statements=summary["num_statements"],
                missing_lines=tuple(entry["missing_lines"]),
                branches=summary.get("num_branches", 0),
                missing_branches=tuple(tuple(a) for a in entry.get("missing_branches", [])),
            )
        )
    return found


def load_justifications(
    path: Path = JUSTIFICATIONS_FILE, read: Callable[[str], str] | None = None
) -> dict[tuple[str, int], str]:
    """(file, line) -> reason: each entry's lines (function and code, see
    `anchors`) found in the current source (`read(file)`, by default the
    repository's). A line written twice in one function is justified twice."""
    if not path.exists():
        return {}
    read = read or (lambda file: (REPO_ROOT / file).read_text())
    indexes: dict[str, dict[tuple[str, str], list[int]]] = {}
    found = {}
    for entry in tomllib.loads(path.read_text()).get("line", []):
        reason = str(entry.get("reason", "")).strip()
        if not reason:
            raise ValueError(f"{path}: uncovered line without a reason: {entry}")
        file = entry["file"]
        if file not in indexes:
            indexes[file] = anchors.index(read(file))
        for place in entry["lines"]:
            key = (place.get("function", ""), anchors.normalized(place["code"]))
            for line in indexes[file].get(key, []):
                found[(file, line)] = reason
    return found


def unjustified(files: Sequence[FileCoverage], reasons: dict[tuple[str, int], str]) -> list[str]:
    """`file:line` of every missing line that has no reason."""
    missing = []
    for f in files:
        for line in f.missing_lines:
            if (f.path, line) not in reasons:
                missing.append(f"{f.path}:{line}")
    return missing


def render(
    files: Sequence[FileCoverage],
    reasons: dict[tuple[str, int], str],
    command: str,
    seconds: float,
    sources: dict[str, list[str]],
) -> str:
    """docs/COVERAGE.md."""
    total_lines = sum(f.statements for f in files)
    total_missing = sum(len(f.missing_lines) for f in files)
    line_pct = 100 * (1 - total_missing / total_lines) if total_lines else 100.0
    justified = sum(1 for f in files for line in f.missing_lines if (f.path, line) in reasons)
    lines = [
        "# Contract coverage",
        "",
        "Generated by `make coverage` (`python -m labeldao.assurance.coverage_report`); do not",
        "edit by hand. How to run it: `docs/AUDITING.md`.",
        "",
        f"- Command: `{command}`",
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} ({seconds / 60:.1f} min)",
        "- Tests: "
        + ", ".join(f"`{a}`" for a in AREAS)
        + f" (property machines with the `{PROPERTY_PROFILE}` Hypothesis profile)",
        "- Tool: coverage.py with titanoboa's `boa.coverage` plugin. A line is a statement",
        "  (or expression) inside a function body whose code ran. Declarations, constants",
        "  (folded into the code that uses them), `for` arcs and `assert` failures are not",
        "  measured (every revert string is checked by `make check-reverts` instead).",
        "- Branches: not reported. `boa.coverage` declares the two arcs of each `if`, but its",
        "  tracer records every line as its own frame (arcs `(-1, line)` and `(line, -1)`),",
        "  so coverage.py's branch figures for `.vy` files are artifacts (e.g. it reports the",
        "  false arc of `if value != 0` in PrevrandaoRandomness as missed while the line",
        "  after it ran). An `if` whose body never ran shows as missed lines here.",
        "",
        f"**Lines: {total_lines - total_missing} / {total_lines} = {line_pct:.1f} %;"
        f" {justified} of the {total_missing} missed lines justified below.**",
        "",
        "| file | lines | missed | line % |",
        "|---|---:|---:|---:|",
    ]
    for f in files:
        lines.append(
            f"| {f.path} | {f.statements} | {len(f.missing_lines)} | {100 * f.line_ratio:.1f} |"
        )
    lines += ["", "## Uncovered lines", ""]
    any_missing = False
    for f in files:
        if not f.missing_lines:
            continue
        any_missing = True
        lines += [f"### {f.path}", ""]
        text = sources.get(f.path, [])
        for line in f.missing_lines:
            code = text[line - 1].strip() if 0 < line <= len(text) else ""
            why = reasons.get((f.path, line), "**NOT JUSTIFIED**")
            lines.append(f"- line {line} `{code}`: {why}")
        lines.append("")
    if not any_missing:
        lines.append("None.")
    return "\n".join(lines).rstrip() + "\n"


def _run_area(area: str, data_dir: Path) -> tuple[str, int, float]:
    env = {**os.environ, "COVERAGE_FILE": str(data_dir / ".coverage")}
    if area == "tests/property":
        env["HYPOTHESIS_PROFILE"] = PROPERTY_PROFILE
    started = time.monotonic()
    code = subprocess.call(
        [
            sys.executable,
            "-m",
            "coverage",
            "run",
            f"--rcfile={RCFILE}",
            "-p",
            "-m",
            "pytest",
            *BOA_PYTEST_PLUGINS,
            "-q",
            area,
        ],
        cwd=REPO_ROOT,
        env=env,
    )
    return area, code, time.monotonic() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-run", action="store_true", help="report the last data only")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "COVERAGE.md")
    parser.add_argument("--data", type=Path, default=REPO_ROOT / "results" / "coverage")
    args = parser.parse_args(argv)

    args.data.mkdir(parents=True, exist_ok=True)
    seconds_file = args.data / "seconds"
    if not args.skip_run:
        for old in args.data.glob(".coverage*"):
            old.unlink()
        started = time.monotonic()
        with ThreadPoolExecutor(args.jobs) as pool:
            results = list(pool.map(lambda a: _run_area(a, args.data), AREAS))
        for area, code, seconds in results:
            print(f"{area}: exit {code} in {seconds:.0f} s", flush=True)
        if any(code != 0 for _, code, _ in results):
            print("some tests failed: coverage not reported", file=sys.stderr)
            return 1
        seconds_file.write_text(f"{time.monotonic() - started:.1f}")
    env = {**os.environ, "COVERAGE_FILE": str(args.data / ".coverage")}
    coverage = [sys.executable, "-m", "coverage"]
    if not args.skip_run:
        subprocess.run(
            [*coverage, "combine", f"--rcfile={RCFILE}"], cwd=REPO_ROOT, env=env, check=True
        )
    report = args.data / "coverage.json"
    subprocess.run(
        [*coverage, "json", f"--rcfile={RCFILE}", "-o", str(report)],
        cwd=REPO_ROOT,
        env=env,
        check=True,
    )
    files = parse_json_report(json.loads(report.read_text()))
    reasons = load_justifications()
    sources = {f.path: (REPO_ROOT / f.path).read_text().splitlines() for f in files}
    seconds = float(seconds_file.read_text()) if seconds_file.exists() else 0.0
    args.out.write_text(render(files, reasons, "make coverage", seconds, sources))
    print(f"wrote {args.out}")
    missing = unjustified(files, reasons)
    for place in missing:
        print(f"not justified: {place}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
