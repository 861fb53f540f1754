"""Tables that the benchmark modules fill and `python -m benchmarks` prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Table:
    """One Markdown table with a title and notes under it."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        """Appends a row; numbers get thousands separators."""
        self.rows.append([_cell(c) for c in cells])

    def to_markdown(self) -> str:
        """The table as GitHub-flavoured Markdown."""
        lines = [f"### {self.title}", ""]
        lines.append("| " + " | ".join(self.columns) + " |")
        lines.append("|" + "|".join("---:" if i else "---" for i in range(len(self.columns))) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        if self.notes:
            lines.append("")
            lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Goal:
    """A measured ratio against an anchor and the goal it must meet: at most
    `goal` (gas), or at least `goal` when `at_least` (throughput)."""

    label: str
    value: float
    anchor: float
    goal: float
    at_least: bool = False

    @property
    def ratio(self) -> float:
        return self.value / self.anchor

    @property
    def met(self) -> bool:
        if self.at_least:
            return self.value >= self.goal * self.anchor
        return self.value <= self.goal * self.anchor


@dataclass
class Report:
    """All tables of one benchmark run, in order, plus the data of the chart:
    ratios against anchors with their goals, and gas by number of participants."""

    tables: list[Table] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    scaling: dict[str, dict[int, int]] = field(default_factory=dict)

    def table(self, title: str, columns: list[str]) -> Table:
        """Starts a new table and returns it."""
        table = Table(title, columns)
        self.tables.append(table)
        return table

    def goal(
        self, label: str, value: float, anchor: float, goal: float, at_least: bool = False
    ) -> Goal:
        """Records a ratio against an anchor and its goal (for the summary and chart)."""
        entry = Goal(label, value, anchor, goal, at_least)
        self.goals.append(entry)
        return entry

    def scale(self, label: str, gas_by_size: dict[int, int]) -> None:
        """Records an action's gas by number of participants (for the chart)."""
        self.scaling[label] = dict(gas_by_size)

    def goals_table(self) -> Table:
        """Every goal of the run in one table."""
        table = Table("Goals", ["measure", "ratio", "goal", "met"])
        for g in self.goals:
            bound = ">=" if g.at_least else "<="
            table.add(g.label, f"{g.ratio:.2f}x", f"{bound} {g.goal}x", "yes" if g.met else "NO")
        return table

    def to_markdown(self, header: str) -> str:
        """Every table under one header."""
        return header + "\n\n" + "\n".join(t.to_markdown() for t in self.tables)


def ratio(value: float, anchor: float) -> str:
    """`value / anchor` as `0.89x`."""
    return f"{value / anchor:.2f}x"


def verdict(value: float, anchor: float, goal: float) -> str:
    """`ok` when `value <= goal * anchor`, else `MISSED`."""
    return "ok" if value <= goal * anchor else "MISSED"


# How much dearer than its earlier figure an action may be without a reason
# (issue 13: "no action more than 5 % dearer, unless its row says why").
DELTA_GOAL = 0.05
NO_REASON = "**no reason recorded**"


def delta_table(
    report: Report,
    title: str,
    before: dict[str, Any],
    now: dict[int, dict[str, int]],
    dearer_because: dict[str, str],
    unit: str = "",
    middle: int | None = None,
    goal: float = DELTA_GOAL,
) -> Table:
    """Every action's gas now against an earlier run of the same benchmark:
    at the `middle` size (1,000 when measured, else the largest), and the
    worst size's delta. `before` maps an action to its gas by size (keys are
    strings, as in the `*_gas_before.json` files) or, for a benchmark of one
    size, to its gas. An action with no earlier figure gets no row; one more
    than `goal` dearer at any size gets its reason from `dearer_because`, or
    `NO_REASON`."""
    if middle is None:
        middle = 1_000 if 1_000 in now else list(now)[-1]
    sized = any(isinstance(then, dict) for then in before.values())
    columns = ["action", f"before, {middle:,} {unit}" if sized else "before", "now", "delta"]
    table = report.table(title, [*columns, *(["worst size's delta"] if sized else []), "why"])
    for name, gas in now[middle].items():
        then = before.get(name)
        if then is None:
            continue
        by_size = then if isinstance(then, dict) else {str(middle): then}
        deltas = [now[s][name] / by_size[str(s)] - 1 for s in now if str(s) in by_size]
        worst = max(deltas)
        why = dearer_because.get(name, NO_REASON) if worst > goal else "-"
        delta = _percent(gas / by_size[str(middle)] - 1)
        table.add(
            name, by_size[str(middle)], gas, delta, *([_percent(worst)] if sized else []), why
        )
    return table


def _percent(fraction: float) -> str:
    return f"{100 * fraction:+.1f} %"


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)
