"""Adversarial search: where does a cheating strategy gain most over honesty?

`--search` reads the scenario's `[search]` table: ranges of behaviour,
population and protocol parameters (bribe size, share of bribed or lazy
jurors, colluding annotators, over-report factor, slash rates, ...). Optuna
(TPE, seeded by `--seed`) proposes points; each is run under the
scenario's seeds (`--runs`, in parallel like a sweep point) and scored by
the largest mean advantage of any cheating strategy over the honest agents
of its role (cheater minus honest, LDAO per agent; unfinished comparisons
do not count). The best point is reported with its 95 % interval and
verdict; `search/trials.csv` holds every trial, `search/best.json` the best.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from labeldao.sim import montecarlo, stats
from labeldao.sim.scenario import Scenario, ScenarioError, override, qualify


def ranges(scenario: Scenario) -> dict[str, tuple[Any, Any]]:
    """The scenario's search ranges, each end validated as a `--set` would be."""
    if scenario.search is None or not scenario.search.ranges:
        raise ScenarioError(
            f"scenario {scenario.name} has no [search.ranges] table "
            '(e.g. "behaviour.bribe" = [0, 200])'
        )
    out = {}
    for raw, (low, high) in scenario.search.ranges.items():
        path = qualify(raw)
        for value in (low, high):
            override(scenario, "[search.ranges]", path, value)
        out[path] = (low, high)
    return out


def _suggest(trial: Any, path: str, low: Any, high: Any) -> Any:
    if isinstance(low, int) and isinstance(high, int):
        return trial.suggest_int(path, low, high)
    return trial.suggest_float(path, float(low), float(high))


def best_strategy(judged: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The strategy with the largest mean advantage among those that finished."""
    finished = [s for s in judged if s["verdict"] not in (stats.UNFINISHED,)]
    return max(finished, key=lambda s: s["advantage_ldao"]["mean"], default=None)


def run(
    base: Scenario,
    seeds: list[int],
    trials: int,
    directory: Path,
    runner: Callable[..., list[dict[str, Any]]],
    on_trial: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Runs the search; writes trials.csv and best.json; returns the best trial."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    bounds = ranges(base)
    sampler = optuna.samplers.TPESampler(seed=seeds[0], n_startup_trials=min(5, trials))
    study = optuna.create_study(direction="maximize", sampler=sampler)
    rows: list[dict[str, Any]] = []
    for number in range(trials):
        trial = study.ask()
        point = {p: _suggest(trial, p, lo, hi) for p, (lo, hi) in bounds.items()}
        scenario = base.with_overrides(point)
        done = runner(montecarlo.simulate, [montecarlo.RunTask(scenario, s) for s in seeds])
        judged = montecarlo.strategies([d["outcome"] for d in done], scenario.epochs)
        best = best_strategy(judged)
        value = best["advantage_ldao"]["mean"] if best else float("-inf")
        study.tell(trial, value if best else None, state=None if best else _failed())
        row = _row(number, point, best)
        rows.append(row)
        if on_trial is not None:
            on_trial(row)
    directory.mkdir(parents=True, exist_ok=True)
    _write(directory / "trials.csv", rows)
    scored = [r for r in rows if r["strategy"]]
    if not scored:
        raise ScenarioError("no trial judged any cheating strategy (every comparison unfinished)")
    winner = max(scored, key=lambda r: r["advantage_ldao"])
    summary = {"trials": trials, "seeds": seeds, "ranges": bounds, "best": winner}
    (directory / "best.json").write_text(json.dumps(summary, indent=2) + "\n")
    return winner


def _failed() -> Any:
    import optuna

    return optuna.trial.TrialState.FAIL


def _row(number: int, point: dict[str, Any], best: dict[str, Any] | None) -> dict[str, Any]:
    row: dict[str, Any] = {"trial": number}
    row.update({p: round(v, 6) if isinstance(v, float) else v for p, v in point.items()})
    if best is None:
        row.update(strategy="", advantage_ldao="", ci_low="", ci_high="", verdict="unfinished")
        return row
    a = best["advantage_ldao"]
    row.update(
        strategy=best["strategy"],
        advantage_ldao=a["mean"],
        ci_low="" if a["ci95"] is None else a["ci95"][0],
        ci_high="" if a["ci95"] is None else a["ci95"][1],
        verdict=best["verdict"],
    )
    return row


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    fields: list[str] = []
    for row in rows:
        fields += [k for k in row if k not in fields]
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
