"""`ape run simulate`: the agent-based economic simulation of LabelDAO.

    ape run simulate --scenario demo --seed 1
    ape run simulate --scenario tiny --set behaviour.bribe=0 --epochs 5
    ape run simulate --scenario demo --sweep escrow.reject_slash_bps=1000,5000,9000 \\
        --sweep population.lazy_jurors=0,3,6

It deploys the whole suite with the deployment plan on titanoboa (no
network needed), runs the scenario's agents against the real contracts,
checks a pure-Python reference model against the chain after every epoch,
and writes `results/<scenario>-<seed>/` (CSV, summary.json, PNG plots).
Exit codes: 0 done, 1 bad input, 2 the model and the chain disagree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from labeldao.sim import engine, results, sweep
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
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True)
@click.option("--epochs", type=click.IntRange(1, 1_000), help="override the scenario's epochs")
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
@click.option("--out", type=click.Path(path_type=Path), default=Path("results"), show_default=True)
@click.option("--no-progress", is_flag=True, help="no progress bar")
@click.option("--no-measure", is_flag=True, help="skip the raw-titanoboa throughput replay")
def cli(
    name: str,
    seed: int,
    epochs: int | None,
    sets: tuple[str, ...],
    sweeps: tuple[str, ...],
    out: Path,
    no_progress: bool,
    no_measure: bool,
) -> None:
    """Agent-based simulation of LabelDAO against the real contracts."""
    try:
        scenario, grid = _validated(name, sets, epochs, sweeps)
    except ScenarioError as error:
        raise click.ClickException(str(error)) from None
    directory = out / f"{scenario.name}-{seed}"
    if grid:
        _sweep(scenario, seed, grid, directory / "sweep")
        return
    try:
        result = _run(scenario, seed, progress=not no_progress, measure=not no_measure)
    except ScenarioError as error:
        raise click.ClickException(str(error)) from None
    except engine.ModelMismatch as mismatch:
        click.echo(str(mismatch), err=True)
        raise SystemExit(2) from None
    summary = results.write(result, directory)
    click.echo(results.headline(summary))
    click.echo(f"results: {directory}/ (agents.csv, epochs.csv, disputes.csv, summary.json)")
    click.echo("plots:")
    for plot in summary["plots"]:
        click.echo(f"  {plot}")


def _run(scenario, seed: int, *, progress: bool, measure: bool) -> engine.RunResult:  # noqa: ANN001
    if not progress:
        return engine.run(scenario, seed, measure=measure)
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} epochs"),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(f"simulating {scenario.name}", total=scenario.epochs)
        return engine.run(scenario, seed, measure=measure, on_epoch=lambda _: bar.advance(task))


def _sweep(scenario, seed: int, grid, directory: Path) -> None:  # noqa: ANN001
    total = 1
    for _, values in grid:
        total *= len(values)
    click.echo(f"sweep: {total} runs of {scenario.name} (seed {seed})")
    try:
        rows = sweep.run(scenario, seed, grid, directory, on_point=lambda r: click.echo(f"  {r}"))
    except ScenarioError as error:
        raise click.ClickException(str(error)) from None
    except engine.ModelMismatch as mismatch:
        click.echo(str(mismatch), err=True)
        raise SystemExit(2) from None
    paying = [r for r in rows if r["cheating_minus_honest_ldao"] > 0]
    click.echo(f"cheating pays at {len(paying)} of {len(rows)} points")
    click.echo(f"results: {directory / 'sweep.csv'}\nplot: {directory / 'sweep.png'}")


if __name__ == "__main__":
    cli()
