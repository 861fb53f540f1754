"""Parameter sweeps: where does cheating stop paying?

`--sweep PATH=v1,v2,...` (repeatable) runs the scenario for every point of
the grid (same seed, no throughput replay) and records, per point, each
role's honesty margin (honest mean net earnings minus the best cheating
kind's) and the overall "cheating profit minus honest profit" (the largest
advantage any cheating kind has over the honest agents of its role; below
zero, cheating does not pay anywhere). `sweep.csv` holds the grid and
`sweep.png` a heatmap (two parameters) or a line (one).
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from labeldao.sim import engine, results
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


def cheating_advantage(verdict: dict[str, Any]) -> float:
    """Cheating profit minus honest profit, the worst case over roles (LDAO)."""
    margins = [m for r in verdict["roles"].values() for m in r["honesty_margin_ldao"].values()]
    return -min(margins) if margins else 0.0


def run(
    base: Scenario,
    seed: int,
    sweeps: list[tuple[str, list[Any]]],
    directory: Path,
    on_point: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Runs the grid; writes sweep.csv and sweep.png; returns the rows."""
    points = grid(base, sweeps)
    rows = []
    for overrides, scenario in points:
        result = engine.run(scenario, seed, measure=False)
        v = results.verdict(results.group_means(result))
        row: dict[str, Any] = dict(overrides)
        for role, r in v["roles"].items():
            row[f"{role}_honesty_margin_ldao"] = min(r["honesty_margin_ldao"].values())
        row["cheating_minus_honest_ldao"] = round(cheating_advantage(v), 4)
        row["honesty_pays_more"] = v["honesty_pays_more"]
        rows.append(row)
        if on_point is not None:
            on_point(row)
    directory.mkdir(parents=True, exist_ok=True)
    fields: list[str] = []
    for row in rows:
        fields += [k for k in row if k not in fields]
    with (directory / "sweep.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    plot(rows, [p for p, _ in sweeps], directory / "sweep.png")
    return rows


def _panels(rows: list[dict[str, Any]]) -> list[tuple[str, str, float]]:
    """(title, column, sign) of each panel: overall, then each role's margin negated."""
    panels = [("worst case over roles", "cheating_minus_honest_ldao", 1.0)]
    for role in ("annotator", "juror", "provider"):
        column = f"{role}_honesty_margin_ldao"
        if any(column in r for r in rows):
            panels.append((f"{role}s", column, -1.0))
    return panels


def plot(rows: list[dict[str, Any]], params: list[str], path: Path) -> Path:
    """Heatmaps (two parameters) or lines (one) of cheating profit minus
    honest profit: the worst case over roles, then each role (red: cheating
    pays, green: honesty pays more)."""
    panels = _panels(rows)
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 5), squeeze=False)
    for ax, (title, column, sign) in zip(axes[0], panels, strict=True):
        values = {id(r): sign * r[column] if column in r else float("nan") for r in rows}
        if len(params) >= 2:
            xs = sorted({r[params[0]] for r in rows})
            ys = sorted({r[params[1]] for r in rows})
            cells = {(r[params[0]], r[params[1]]): values[id(r)] for r in rows}
            data = [[cells.get((x, y), float("nan")) for x in xs] for y in ys]
            finite = [abs(v) for row in data for v in row if v == v]
            bound = max(finite, default=1.0) or 1.0
            image = ax.imshow(
                data, cmap="RdYlGn_r", vmin=-bound, vmax=bound, origin="lower", aspect="auto"
            )
            ax.set_xticks(range(len(xs)), [str(x) for x in xs])
            ax.set_yticks(range(len(ys)), [str(y) for y in ys])
            ax.set(xlabel=params[0], ylabel=params[1])
            for i, row in enumerate(data):
                for j, value in enumerate(row):
                    ax.text(j, i, f"{value:,.0f}", ha="center", va="center", fontsize=8)
            fig.colorbar(image, ax=ax, label="LDAO per agent")
        else:
            ax.plot([r[params[0]] for r in rows], [values[id(r)] for r in rows], marker="o")
            ax.axhline(0, color="grey", linewidth=0.5)
            ax.set(xlabel=params[0], ylabel="LDAO per agent")
        ax.set_title(f"cheating minus honest profit: {title}", fontsize=10)
    fig.suptitle("Where cheating stops paying (below 0, green: honesty pays more)")
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return path
