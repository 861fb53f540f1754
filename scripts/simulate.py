"""`ape run simulate`: the agent-based economic simulation of LabelDAO.

    ape run simulate --scenario demo --seed 1
    ape run simulate --scenario tiny --set behaviour.bribe=0 --epochs 5
    ape run simulate --scenario demo --sweep escrow.reject_slash_bps=1000,5000,9000 \\
        --sweep population.lazy_jurors=0,3,6

It deploys the whole suite with the deployment plan on titanoboa (no
network needed), runs the scenario's agents against the real contracts,
checks a pure-Python reference model against the chain after every epoch,
and writes `results/<scenario>-<seed>/` (CSV, summary.json, PNG plots).
Exit codes: 0 done, 1 bad input, 2 the model and the chain disagree, 3 the
ledger the indexer built from the run's events and the contracts disagree.

A scenario run ends (unless `--no-reconcile`) by indexing every event of its
first seed into `results/<scenario>-<seed>/ledger.sqlite` with the real
indexer and reconciling it with the contracts' views (`labeldao.sim.ledger_check`);
sweeps and searches, hundreds of runs of the same contracts, skip it.
"""

from __future__ import annotations

import functools
import importlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from labeldao.sim.scenario import (
    Scenario,
    ScenarioError,
    load,
    one_line,
    override,
    parse_value,
    qualify,
)

DEFAULT_SEED = 1


class _Lazy:
    """A module of the simulation, imported on first attribute access: `ape
    run` executes every script to list its commands, and `ape run deploy` or
    `ape run court` must not load titanoboa (the simulation's engine) on the
    way. Not a `sys.modules` entry, which Ape's `inspect` calls would load."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)


engine, ledger_check, montecarlo, parallel, results, search, stats, sweep = (
    _Lazy(f"labeldao.sim.{name}")
    for name in (
        "engine",
        "ledger_check",
        "montecarlo",
        "parallel",
        "results",
        "search",
        "stats",
        "sweep",
    )
)


def _apply_sets(scenario: Scenario, pairs: tuple[str, ...]) -> Scenario:
    """The scenario with every `--set`, each checked on its own (one-line errors)."""
    for pair in pairs:
        if "=" not in pair:
            raise ScenarioError(f"--set {pair!r}: expected PATH=VALUE, e.g. behaviour.bribe=0")
        path, _, value = pair.partition("=")
        scenario = override(scenario, "--set", qualify(path), parse_value(value.strip()))
    return scenario


def _probe(scenario: Scenario, flag: str, what: str) -> None:
    """The contracts' own check of protocol parameters, on a throw-away chain."""
    try:
        engine.probe(scenario)
    except ScenarioError as error:
        raise ScenarioError(f"{flag} {what}: {one_line(error)}") from None


def _validated(
    name: str, sets: tuple[str, ...], epochs: int | None, sweeps: tuple[str, ...]
) -> tuple[Scenario, list[tuple[str, list[Any]]]]:
    """The scenario and the sweep grid, every value checked before any run:
    each by the scenario's bounds, protocol values also by the contracts."""
    scenario = _apply_sets(load(name), sets)
    if epochs is not None:
        scenario = override(scenario, "--epochs", "epochs", epochs)
    protocol_sets = [p for p in sets if qualify(p.partition("=")[0]).startswith("protocol.")]
    if protocol_sets:
        _probe(scenario, "--set", ", ".join(protocol_sets))
    grid = [sweep.parse_sweep(s) for s in sweeps]
    points = [(path, v, override(scenario, "--sweep", path, v)) for path, vs in grid for v in vs]
    if grid:
        sweep.grid(scenario, grid)  # combinations (e.g. gold_items <= items_per_task)
    for path, value, point in points:
        if path.startswith("protocol."):
            _probe(point, "--sweep", f"{path}={value!r}")
    return scenario, grid


@click.command()
@click.option(
    "--scenario",
    "name",
    default="demo",
    show_default=True,
    help="a name in scenarios/ or a path to a .toml file",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="the base seed")
@click.option("--epochs", type=click.IntRange(1, 1_000), help="override the scenario's epochs")
@click.option(
    "--runs",
    type=click.IntRange(1, 1_000),
    help="seeds per scenario or sweep point, derived from --seed (default: the scenario's)",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    help="local worker processes (default: one per core, at most one per run)",
)
@click.option(
    "--cluster",
    metavar="ADDRESS",
    help="run on a Dask distributed scheduler, e.g. tcp://10.0.0.5:8786",
)
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="PATH=VALUE",
    help="override a scenario value, e.g. behaviour.bribe=0 or escrow.fee_bps=100",
)
@click.option(
    "--sweep",
    "sweeps",
    multiple=True,
    metavar="PARAM=v1,v2,...",
    help="run a grid over PARAM (repeatable) and plot where cheating stops paying",
)
@click.option(
    "--search",
    "search_mode",
    is_flag=True,
    help="search the scenario's [search.ranges] (Optuna) for where cheating gains most",
)
@click.option(
    "--trials", type=click.IntRange(1, 10_000), help="search trials (default: the scenario's)"
)
@click.option("--out", type=click.Path(path_type=Path), default=Path("results"), show_default=True)
@click.option("--no-progress", is_flag=True, help="no progress bar")
@click.option("--no-measure", is_flag=True, help="skip the raw-titanoboa throughput replay")
@click.option(
    "--reconcile/--no-reconcile",
    default=True,
    show_default=True,
    help="index the first run's events into <out>/ledger.sqlite and reconcile with the contracts",
)
def cli(
    name: str,
    seed: int,
    epochs: int | None,
    runs: int | None,
    workers: int | None,
    cluster: str | None,
    sets: tuple[str, ...],
    sweeps: tuple[str, ...],
    search_mode: bool,
    trials: int | None,
    out: Path,
    no_progress: bool,
    no_measure: bool,
    reconcile: bool,
) -> None:
    """Agent-based simulation of LabelDAO against the real contracts."""
    try:
        scenario, grid = _validated(name, sets, epochs, sweeps)
        if runs is not None:
            scenario = override(scenario, "--runs", "runs", runs)
        if search_mode and grid:
            raise ScenarioError("--search and --sweep: choose one")
        if search_mode:
            search.ranges(scenario)  # every range end checked before the first trial
            if trials is not None:
                scenario = override(scenario, "--trials", "search.trials", trials)
    except ScenarioError as error:
        raise click.ClickException(str(error)) from None
    seeds = stats.seeds(seed, scenario.runs)
    points = len(sweep.grid(scenario, grid)) if grid else 1
    workers = workers or parallel.default_workers(points * len(seeds))
    runner = functools.partial(parallel.run_all, workers=workers, cluster=cluster)
    directory = out / f"{scenario.name}-{seed}"
    try:
        if search_mode:
            _search(scenario, seeds, directory / "search", runner)
        elif grid:
            _sweep(scenario, seeds, grid, directory / "sweep", runner)
        else:
            progress, measure = not no_progress, not no_measure
            ledger = directory / "ledger.sqlite" if reconcile else None
            _scenario(scenario, seeds, directory, runner, progress, measure, ledger)
    except ScenarioError as error:
        raise click.ClickException(str(error)) from None
    except engine.ModelMismatch as mismatch:
        click.echo(str(mismatch), err=True)
        raise SystemExit(2) from None
    except ledger_check.LedgerMismatch as mismatch:
        click.echo(str(mismatch), err=True)
        raise SystemExit(3) from None
    except OSError as error:  # an unreachable cluster, among others
        where = f"--cluster {cluster}: " if cluster else ""
        raise click.ClickException(f"{where}{error}") from None


def _scenario(
    scenario: Scenario,
    seeds: list[int],
    directory: Path,
    runner: Callable[..., list[dict[str, Any]]],
    progress: bool,
    measure: bool,
    ledger: Path | None = None,
) -> None:
    started = time.perf_counter()
    if len(seeds) == 1 and runner.keywords["cluster"] is None:  # type: ignore[attr-defined]
        result = _run(scenario, seeds[0], progress=progress, measure=measure, ledger=ledger)
        done = [{"outcome": montecarlo.outcome(result), "result": result}]
    else:
        click.echo(f"{len(seeds)} runs of {scenario.name} ({scenario.epochs} epochs each)")
        tasks = [
            montecarlo.RunTask(
                scenario,
                s,
                keep_result=i == 0,
                measure=measure and i == 0,
                ledger=ledger if i == 0 else None,
            )
            for i, s in enumerate(seeds)
        ]
        done = runner(montecarlo.simulate, tasks, on_done=_echo_run(seeds))
        result = done[0]["result"]
    wall = time.perf_counter() - started
    outcomes = [d["outcome"] for d in done]
    extra = {"runs_wall_seconds": round(wall, 3), "workers": _backend(runner)}
    summary = results.write(result, directory, outcomes, extra)
    click.echo(results.headline(summary))
    click.echo(f"{len(seeds)} run(s) in {wall:,.1f} s on {_backend(runner)}")
    click.echo(
        f"results: {directory}/ (agents.csv, epochs.csv, disputes.csv of seed {seeds[0]}; "
        "runs.csv, summary.json of every run)"
    )
    click.echo("plots:")
    for plot in summary["plots"]:
        click.echo(f"  {plot}")
    ledger_check.require(summary["ledger_check"])  # the results are written either way


def _backend(runner: Any) -> str:
    cluster, workers = runner.keywords["cluster"], runner.keywords["workers"]
    return f"Dask cluster {cluster}" if cluster else f"{workers} local worker(s)"


def _echo_run(seeds: list[int]) -> Callable[[int, Any], None]:
    count = [0]

    def echo(i: int, done: dict[str, Any]) -> None:
        count[0] += 1
        click.echo(f"  run {count[0]}/{len(seeds)} done (seed {seeds[i]}, {done['seconds']:.1f} s)")

    return echo


def _run(
    scenario: Scenario, seed: int, *, progress: bool, measure: bool, ledger: Path | None
) -> engine.RunResult:
    if not progress:
        return engine.run(scenario, seed, measure=measure, ledger=ledger)
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} epochs"),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(f"simulating {scenario.name}", total=scenario.epochs)
        return engine.run(
            scenario, seed, measure=measure, ledger=ledger, on_epoch=lambda _: bar.advance(task)
        )


def _sweep(
    scenario: Scenario,
    seeds: list[int],
    grid: list[tuple[str, list[Any]]],
    directory: Path,
    runner: Callable[..., list[dict[str, Any]]],
) -> None:
    total = 1
    for _, values in grid:
        total *= len(values)
    click.echo(
        f"sweep: {total} points x {len(seeds)} run(s) of {scenario.name} "
        f"(seeds {', '.join(map(str, seeds[:6]))}{', ...' if len(seeds) > 6 else ''}) "
        f"on {_backend(runner)}"
    )
    started = time.perf_counter()
    rows = sweep.run(
        scenario, seeds, grid, directory, runner,
        on_point=lambda point: click.echo(f"  done: {point}"),
    )  # fmt: skip
    wall = time.perf_counter() - started
    paying = [r for r in rows if r["cheating_pays"]]
    click.echo(f"cheating pays (95 % CI above zero) at {len(paying)} of {len(rows)} points")
    for name in sweep.strategies_in(rows):
        counts: dict[str, int] = {}
        for r in rows:
            v = r.get(f"{sweep.column(name)}_verdict")
            if v:
                counts[v] = counts.get(v, 0) + 1
        click.echo(f"  {name:<24} " + ", ".join(f"{v}: {n}" for v, n in sorted(counts.items())))
    click.echo(f"{total * len(seeds)} runs in {wall:,.1f} s ({total / wall * 60:,.1f} points/min)")
    click.echo(f"results: {directory / 'sweep.csv'}, runs.csv, sweep.json")
    click.echo(f"plot: {directory / 'sweep.png'}")


def _search(
    scenario: Scenario,
    seeds: list[int],
    directory: Path,
    runner: Callable[..., list[dict[str, Any]]],
) -> None:
    assert scenario.search is not None
    trials = scenario.search.trials
    click.echo(
        f"search: {trials} trials x {len(seeds)} run(s) of {scenario.name} over "
        f"{', '.join(search.ranges(scenario))} (Optuna TPE, seed {seeds[0]})"
    )

    def echo(row: dict[str, Any]) -> None:
        point = ", ".join(f"{k}={v}" for k, v in row.items() if "." in k)
        found = f"{row['strategy']} {row['advantage_ldao']:+,.2f}" if row["strategy"] else "-"
        click.echo(f"  trial {row['trial']}: {point} -> {found}")

    best = search.run(scenario, seeds, trials, directory, runner, on_trial=echo)
    point = ", ".join(f"{k}={v}" for k, v in best.items() if "." in k)
    ci = (
        f"95 % CI {best['ci_low']:+,.2f} to {best['ci_high']:+,.2f}"
        if best["ci_low"] != ""
        else "one run: no interval"
    )
    click.echo(
        f"largest advantage of cheating over honesty: {best['strategy']} "
        f"{best['advantage_ldao']:+,.2f} LDAO per agent ({ci}, {len(seeds)} runs; "
        f"{best['verdict']}) at {point}"
    )
    click.echo(f"trials: {directory / 'trials.csv'}, best: {directory / 'best.json'}")


if __name__ == "__main__":
    cli()
