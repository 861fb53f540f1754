"""Parameter sweeps: where does cheating stop paying?

`--sweep PATH=v1,v2,...` (repeatable) runs the scenario at every point of
the grid under the same seeds (`--runs`; common random numbers, no
throughput replay) and records, per point and cheating strategy, its
advantage over the honest agents of its role (cheater minus honest, LDAO
per agent) with its 95 % interval and verdict. `sweep.csv` holds the grid,
`runs.csv` every run, `sweep.json` the seeds and `sweep.png` one panel per
strategy (a heatmap for two parameters, a line for one).
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.colors import TwoSlopeNorm

from labeldao.sim import montecarlo, parallel, stats
from labeldao.sim.scenario import Scenario, ScenarioError, one_line, parse_value, qualify


def parse_sweep(spec: str) -> tuple[str, list[Any]]:
    """`escrow.reject_slash_bps=1000,5000` -> ("protocol.escrow.reject_slash_bps", [1000, 5000])."""
    if "=" not in spec:
        raise ScenarioError(f"--sweep {spec!r}: expected PARAM=v1,v2,...")
    path, _, values = spec.partition("=")
    path = qualify(path)
    parsed = [parse_value(v.strip()) for v in values.split(",") if v.strip()]
    if not path or not parsed:
        raise ScenarioError(f"--sweep {spec!r}: expected PARAM=v1,v2,...")
    return path, parsed


def grid(
    base: Scenario, sweeps: list[tuple[str, list[Any]]]
) -> list[tuple[dict[str, Any], Scenario]]:
    """Every point of the grid, validated before anything runs."""
    points = []
    for values in itertools.product(*(v for _, v in sweeps)):
        overrides = {path: value for (path, _), value in zip(sweeps, values, strict=True)}
        try:
            points.append((overrides, base.with_overrides(overrides)))
        except ScenarioError as error:
            point = ", ".join(f"{p}={v!r}" for p, v in overrides.items())
            raise ScenarioError(f"--sweep point {point}: {one_line(error)}") from None
    return points


def column(strategy: str) -> str:
    """`bribed juror` -> `bribed_juror`: the CSV column prefix of a strategy."""
    return strategy.replace(" ", "_")


def point_row(
    overrides: dict[str, Any], outcomes: list[dict[str, Any]], epochs: int
) -> dict[str, Any]:
    """One grid point: per cheating strategy its advantage over honesty
    (mean, 95 % interval, verdict), and the largest mean advantage."""
    row: dict[str, Any] = dict(overrides)
    row["runs"] = len(outcomes)
    judged = montecarlo.strategies(outcomes, epochs)
    for s in judged:
        a, name = s["advantage_ldao"], column(s["strategy"])
        row[f"{name}_advantage_ldao"] = a["mean"]
        row[f"{name}_ci_low"] = "" if a["ci95"] is None else a["ci95"][0]
        row[f"{name}_ci_high"] = "" if a["ci95"] is None else a["ci95"][1]
        row[f"{name}_verdict"] = s["verdict"]
    finished = [s for s in judged if s["verdict"] != stats.UNFINISHED]
    row["cheating_minus_honest_ldao"] = max(
        (s["advantage_ldao"]["mean"] for s in finished), default=0.0
    )
    row["cheating_pays"] = int(any(s["verdict"] == stats.PAYS for s in judged))
    return row


def tasks(
    points: list[tuple[dict[str, Any], Scenario]], seeds: list[int]
) -> list[montecarlo.RunTask]:
    """Every run of the sweep: each point under every seed (the same seeds at
    every point: common random numbers)."""
    return [montecarlo.RunTask(scenario, seed) for _, scenario in points for seed in seeds]


def run(
    base: Scenario,
    seeds: list[int],
    sweeps: list[tuple[str, list[Any]]],
    directory: Path,
    runner: Callable[..., list[dict[str, Any]]] = parallel.run_all,
    on_point: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Runs every point under every seed with `runner` (a `parallel.run_all`);
    writes sweep.csv, runs.csv, sweep.json and sweep.png; returns the rows."""
    points = grid(base, sweeps)
    per_point = len(seeds)
    done: dict[int, int] = {}

    def finished(i: int, _: Any) -> None:
        done[i // per_point] = done.get(i // per_point, 0) + 1
        if on_point is not None and done[i // per_point] == per_point:
            on_point(points[i // per_point][0])

    results = runner(montecarlo.simulate, tasks(points, seeds), on_done=finished)
    rows, run_rows = [], []
    for k, (overrides, scenario) in enumerate(points):
        outcomes = [r["outcome"] for r in results[k * per_point : (k + 1) * per_point]]
        rows.append(point_row(overrides, outcomes, scenario.epochs))
        for o in outcomes:
            run_rows.append({**overrides, "seed": o["seed"], **_run_columns(o)})
    directory.mkdir(parents=True, exist_ok=True)
    _write(directory / "sweep.csv", rows)
    _write(directory / "runs.csv", run_rows)
    meta = {"parameters": [p for p, _ in sweeps], "seeds": seeds, "points": rows}
    (directory / "sweep.json").write_text(json.dumps(meta, indent=2) + "\n")
    plot(rows, [p for p, _ in sweeps], directory / "sweep.png")
    return rows


def _run_columns(o: dict[str, Any]) -> dict[str, Any]:
    return {f"{column(g)}_net_ldao": round(v, 4) for g, v in o["net_ldao"].items()}


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    fields: list[str] = []
    for row in rows:
        fields += [k for k in row if k not in fields]
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def strategies_in(rows: list[dict[str, Any]]) -> list[str]:
    """The cheating strategies judged at some point, in a fixed order."""
    names = [c for _, (_, cheats) in montecarlo.COMPARISONS.items() for c in cheats]
    return [n for n in names if any(f"{column(n)}_advantage_ldao" in r for r in rows)]


def plot(rows: list[dict[str, Any]], params: list[str], path: Path) -> Path:
    """One panel per cheating strategy: its advantage over honesty (cheater
    minus honest, LDAO per agent). Two parameters: a heatmap on a diverging
    scale centred at zero, each side scaled to its own extreme so that a
    small profit still shows red; one: the mean with its 95 % band."""
    names = strategies_in(rows) or ["(none)"]
    cols = min(3, len(names))
    nrows = (len(names) + cols - 1) // cols
    fig, axes = plt.subplots(nrows, cols, figsize=(5.8 * cols, 4.8 * nrows), squeeze=False)
    for ax in axes.flat[len(names) :]:
        ax.set_visible(False)
    for ax, name in zip(axes.flat, names, strict=False):
        key = f"{column(name)}_advantage_ldao"
        if len(params) >= 2:
            _heatmap(fig, ax, rows, params, name)
        else:
            _line(ax, rows, params[0], name)
        if not any(key in r for r in rows):
            ax.set_title("no cheating strategy was judged")
    fig.suptitle(
        "Does cheating pay? cheater minus honest net earnings per agent "
        "(red: cheating pays, blue: honesty pays more; *: 95 % CI excludes 0; n/a: unfinished)",
        fontsize=11,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return path


def _heatmap(fig: Any, ax: Any, rows: list[dict[str, Any]], params: list[str], name: str) -> None:
    xs = sorted({r[params[0]] for r in rows})
    ys = sorted({r[params[1]] for r in rows})
    cells = {(r[params[0]], r[params[1]]): r for r in rows}
    data = [[_judged(cells[(x, y)], name) for x in xs] for y in ys]
    finite = [v for line in data for v in line if v == v]
    ax.set_title(_panel_title(rows, name), fontsize=10)
    if not finite:
        ax.text(0.5, 0.5, "unfinished at every point\n(nothing to compare)",
                transform=ax.transAxes, ha="center", va="center")  # fmt: skip
        ax.set(xlabel=params[0], ylabel=params[1], xticks=[], yticks=[])
        return
    low, high = min(finite), max(finite)
    norm = TwoSlopeNorm(vcenter=0.0, vmin=min(low, -1e-9), vmax=max(high, 1e-9))
    image = ax.imshow(data, cmap="RdBu_r", norm=norm, origin="lower", aspect="auto")
    ax.set_xticks(range(len(xs)), [f"{x:,}" if isinstance(x, int) else str(x) for x in xs])
    ax.set_yticks(range(len(ys)), [f"{y:,}" if isinstance(y, int) else str(y) for y in ys])
    ax.tick_params(axis="x", labelrotation=30)
    ax.set(xlabel=params[0], ylabel=params[1])
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            row = cells[(x, y)]
            value = data[i][j]
            verdict = row.get(f"{column(name)}_verdict", "")
            if value != value:
                label, shade = ("n/a" if verdict == stats.UNFINISHED else ""), 0.0
            else:
                mark = {stats.PAYS: "*", stats.DOES_NOT_PAY: "*"}.get(verdict, "")
                label, shade = f"{value:+,.0f}{mark}", abs(float(norm(value)) - 0.5) * 2
            ax.text(
                j, i, label, ha="center", va="center", fontsize=8,
                color="white" if shade > 0.6 else "black",
            )  # fmt: skip
    fig.colorbar(image, ax=ax, label="cheater minus honest (LDAO per agent)")


def _judged(row: dict[str, Any], name: str) -> float:
    """A cell's advantage; NaN (blank) when the strategy was not judged or unfinished."""
    if row.get(f"{column(name)}_verdict", stats.UNFINISHED) == stats.UNFINISHED:
        return float("nan")
    return float(row[f"{column(name)}_advantage_ldao"])


def _panel_title(rows: list[dict[str, Any]], name: str) -> str:
    """The strategy and how many points each verdict got."""
    counts: dict[str, int] = {}
    for r in rows:
        verdict = r.get(f"{column(name)}_verdict")
        if verdict:
            counts[verdict] = counts.get(verdict, 0) + 1
    tally = ", ".join(f"{v} {n}/{len(rows)}" for v, n in sorted(counts.items()))
    return f"{name}\n{tally}"


def _line(ax: Any, rows: list[dict[str, Any]], param: str, name: str) -> None:
    prefix = column(name)
    points = [r for r in rows if f"{prefix}_advantage_ldao" in r]
    xs = list(range(len(points)))
    means = [r[f"{prefix}_advantage_ldao"] for r in points]
    ax.plot(xs, means, marker="o", color="#d62728")
    with_ci = [(x, r) for x, r in zip(xs, points, strict=True) if r[f"{prefix}_ci_low"] != ""]
    if with_ci:
        ax.fill_between(
            [x for x, _ in with_ci],
            [r[f"{prefix}_ci_low"] for _, r in with_ci],
            [r[f"{prefix}_ci_high"] for _, r in with_ci],
            color="#d62728", alpha=0.2, linewidth=0, label="95 % CI",
        )  # fmt: skip
        ax.legend(fontsize=8)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(xs, [str(r[param]) for r in points])
    ax.set(xlabel=param, ylabel="cheater minus honest (LDAO per agent)")
    ax.set_title(_panel_title(rows, name), fontsize=10)
