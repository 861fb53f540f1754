"""The benchmark chart: ratios against anchors with their goals, and gas by
number of participants (as a ratio to the smallest population)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from benchmarks.report import Report


def write_chart(report: Report, path: Path) -> None:
    """Writes a two-panel PNG: anchor ratios, and scaling curves."""
    anchors = [g for g in report.goals if "worst size" not in g.label]
    fig, (left, right) = plt.subplots(1, 2, figsize=(15, 6.5))

    labels = [g.label for g in anchors]
    ratios = [g.ratio for g in anchors]
    colors = ["tab:green" if g.met else "tab:red" for g in anchors]
    left.barh(labels, ratios, color=colors)
    for y, g in enumerate(anchors):
        left.plot([g.goal, g.goal], [y - 0.4, y + 0.4], color="black", linewidth=2)
    left.axvline(1.0, color="grey", linestyle=":")
    left.set_xlabel("ratio to the anchor (black bar: goal)")
    left.set_title("LabelDAO vs anchors, same EVM, same run")
    left.invert_yaxis()
    left.tick_params(axis="y", labelsize=8)

    for label, by_size in sorted(report.scaling.items()):
        sizes = sorted(by_size)
        base = by_size[sizes[0]]
        right.plot(sizes, [by_size[s] / base for s in sizes], marker="o", label=label)
    right.axhline(1.2, color="black", linestyle="--", label="goal 1.2x (draw: 1.5x)")
    right.axhline(1.5, color="black", linestyle=":")
    right.set_xscale("log")
    right.set_ylim(0.5, 1.7)
    right.set_xlabel("participants (jurors, nodes, tasks, holders)")
    right.set_ylabel("gas / gas with 10 participants")
    right.set_title("Gas of every action as participants grow")
    right.legend(fontsize=6, ncol=2, loc="lower left")

    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
