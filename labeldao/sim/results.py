"""Results of a run: CSV, JSON summary, PNG plots, and the headline.

`results/<scenario>-<seed>/` gets `agents.csv` (one row per agent),
`epochs.csv` (mean net earnings and slashes per agent group and epoch),
`disputes.csv`, `summary.json` and the plots. The CSV files hold only
quantities fixed by the scenario and the seed (no timings), so the same
seed gives byte-identical CSV; timings live in `summary.json`.

The headline answers a DAO's question: does honesty pay more than cheating
under these parameters? For each role it compares the mean net earnings of
its honest agents with those of each cheating kind (lazy and malicious
annotators; lazy and bribed jurors; over-reporting providers). Flaky
providers are not cheaters (an outage is not fraud) and are reported apart.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from labeldao.config import LDAO
from labeldao.sim.agents import Role
from labeldao.sim.engine import RunResult

# role -> (honest group, cheating groups)
COMPARISONS: dict[str, tuple[str, list[str]]] = {
    "annotator": ("honest annotator", ["lazy annotator", "malicious annotator"]),
    "juror": ("honest juror", ["lazy juror", "bribed juror"]),
    "provider": ("honest provider", ["overreporting provider"]),
}
STAT_COLUMNS = [
    "tasks_posted",
    "tasks_done",
    "good_work",
    "bad_work",
    "accepted",
    "rejected",
    "split",
    "gold_failures",
    "disputes_opened",
    "appeals",
    "appeal_defences",
    "votes",
    "silent_votes",
    "coherent",
    "incoherent",
    "bribes",
    "bribes_paid",
    "reports",
    "reports_missed",
    "rewards",
    "challenges",
    "challenges_won",
    "frauds_ruled",
]
AMOUNT_STATS = {"bribes", "bribes_paid", "rewards"}


def gini(values: list[int]) -> float:
    """The Gini coefficient of non-negative holdings (0: equal, ->1: one holds all)."""
    xs = sorted(max(v, 0) for v in values)
    total = sum(xs)
    if not xs or total == 0:
        return 0.0
    weighted = sum((i + 1) * x for i, x in enumerate(xs))
    return (2 * weighted) / (len(xs) * total) - (len(xs) + 1) / len(xs)


def lorenz(values: list[int]) -> tuple[list[float], list[float]]:
    """Cumulative population share and holdings share, from the poorest."""
    xs = sorted(max(v, 0) for v in values)
    total = sum(xs) or 1
    pop, share, acc = [0.0], [0.0], 0
    for i, x in enumerate(xs):
        acc += x
        pop.append((i + 1) / len(xs))
        share.append(acc / total)
    return pop, share


def _ldao(amount: int) -> str:
    return f"{amount / LDAO:.4f}"


def agent_rows(result: RunResult) -> list[dict[str, Any]]:
    rows = []
    for a in result.agents:
        if a.role == Role.KEEPER:
            continue
        wealth = result.wealth[a.name]
        row: dict[str, Any] = {
            "agent": a.name,
            "role": a.role.value,
            "kind": a.kind,
            "group": a.group,
            "address": a.address,
            "funded_ldao": _ldao(a.funded),
            "final_ldao": _ldao(wealth),
            "net_ldao": _ldao(wealth - a.funded),
            "slashed_ldao": _ldao(result.slashed.get(a.address, 0)),
        }
        for stat in STAT_COLUMNS:
            value = a.stats.get(stat, 0)
            row[stat] = _ldao(value) if stat in AMOUNT_STATS else value
        rows.append(row)
    return rows


def group_means(result: RunResult) -> dict[str, float]:
    """Mean net earnings (LDAO) per agent group at the end of the run."""
    nets: dict[str, list[int]] = {}
    for a in result.agents:
        if a.role != Role.KEEPER:
            nets.setdefault(a.group, []).append(result.wealth[a.name] - a.funded)
    return {g: sum(v) / len(v) / LDAO for g, v in sorted(nets.items())}


def verdict(means: dict[str, float]) -> dict[str, Any]:
    """Per role, honest minus each cheating kind; yes when honesty wins everywhere."""
    roles: dict[str, Any] = {}
    for role, (honest, cheats) in COMPARISONS.items():
        present = [c for c in cheats if c in means]
        if honest not in means or not present:
            continue
        margins = {c: means[honest] - means[c] for c in present}
        roles[role] = {
            "honest_mean_net_ldao": round(means[honest], 4),
            "cheating_mean_net_ldao": {c: round(means[c], 4) for c in present},
            "honesty_margin_ldao": {c: round(m, 4) for c, m in margins.items()},
            "honesty_pays_more": all(m > 0 for m in margins.values()),
        }
    pays = bool(roles) and all(r["honesty_pays_more"] for r in roles.values())
    worst = (
        min(
            (m, f"{role}: {c}")
            for role, r in roles.items()
            for c, m in r["honesty_margin_ldao"].items()
        )
        if roles
        else (0.0, "")
    )
    return {
        "honesty_pays_more": pays,
        "smallest_margin_ldao": round(worst[0], 4),
        "smallest_margin_against": worst[1],
        "roles": roles,
    }


def summary(result: RunResult) -> dict[str, Any]:
    means = group_means(result)
    holdings = [result.wealth[a.name] for a in result.agents if a.role != Role.KEEPER]
    correct = sum(d["correct"] for d in result.disputes)
    raw_rate = result.transactions / result.replay_seconds if result.replay_seconds else None
    rate = result.transactions / result.harness_seconds
    return {
        "scenario": result.scenario.name,
        "seed": result.seed,
        "epochs": result.scenario.epochs,
        "model_check": {"passed": True, "checks": result.model_checks},
        "verdict": verdict(means),
        "mean_net_ldao_by_group": {g: round(v, 4) for g, v in means.items()},
        "disputes": {
            "count": len(result.disputes),
            "accuracy": round(correct / len(result.disputes), 4) if result.disputes else None,
        },
        "gini_ldao": round(gini(holdings), 4),
        "providers": {
            name: {"delivered_units": v["delivered_units"], "rewards_ldao": v["rewards"] / LDAO}
            for name, v in result.providers.items()
        },
        "throughput": {
            "transactions": result.transactions,
            "messages": result.messages,
            "harness_seconds": round(result.harness_seconds, 3),
            "actions_per_second": round(rate, 1),
            "raw_titanoboa_seconds": round(result.replay_seconds, 3) or None,
            "raw_titanoboa_actions_per_second": round(raw_rate, 1) if raw_rate else None,
            "fraction_of_raw": (
                round(result.replay_seconds / result.harness_seconds, 3)
                if result.replay_seconds
                else None
            ),
        },
    }


def headline(s: dict[str, Any]) -> str:
    """The few lines `simulate` prints."""
    v = s["verdict"]
    lines = [
        f"scenario {s['scenario']} (seed {s['seed']}, {s['epochs']} epochs): "
        f"model check passed after every epoch ({s['model_check']['checks']} checks)"
    ]
    lines.append("mean net earnings per agent (LDAO):")
    for group, mean in s["mean_net_ldao_by_group"].items():
        lines.append(f"  {group:<24} {mean:>14,.2f}")
    answer = "yes" if v["honesty_pays_more"] else "no"
    lines.append(
        f"honesty pays more than cheating: {answer} "
        f"(smallest margin {v['smallest_margin_ldao']:,.2f} LDAO per agent, "
        f"against {v['smallest_margin_against']})"
    )
    d = s["disputes"]
    if d["count"]:
        lines.append(f"disputes: {d['count']}, ruled as the truth calls for: {d['accuracy']:.0%}")
    lines.append(f"Gini of LDAO holdings: {s['gini_ldao']:.3f}")
    t = s["throughput"]
    if t["raw_titanoboa_actions_per_second"]:
        lines.append(
            f"throughput: {t['actions_per_second']:,.0f} actions/s "
            f"vs raw titanoboa {t['raw_titanoboa_actions_per_second']:,.0f} actions/s "
            f"on the same {t['transactions']:,} transactions ({t['fraction_of_raw']:.2f}x)"
        )
    else:
        lines.append(f"throughput: {t['actions_per_second']:,.0f} actions/s")
    return "\n".join(lines)


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="") as f:
        if not rows:
            return
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write(result: RunResult, directory: Path) -> dict[str, Any]:
    """Writes every file of a run; returns the summary (with the plot paths)."""
    directory.mkdir(parents=True, exist_ok=True)
    _write_csv(directory / "agents.csv", agent_rows(result))
    _write_csv(directory / "epochs.csv", result.epochs)
    _write_csv(directory / "disputes.csv", result.disputes)
    s = summary(result)
    s["plots"] = [str(p) for p in plots(result, directory)]
    (directory / "summary.json").write_text(json.dumps(s, indent=2, sort_keys=False) + "\n")
    return s


def plots(result: RunResult, directory: Path) -> list[Path]:
    """Earnings over time, slashes, dispute accuracy, Lorenz curve, GPU rewards."""
    paths = []
    groups = sorted({r["group"] for r in result.epochs})

    fig, ax = plt.subplots(figsize=(9, 5))
    for g in groups:
        rows = [r for r in result.epochs if r["group"] == g]
        ax.plot(
            [r["epoch"] for r in rows],
            [r["mean_net_ldao"] for r in rows],
            label=g,
            linestyle="-" if g.startswith(("honest", "requester")) else "--",
        )
    ax.set(
        xlabel="epoch (day)",
        ylabel="mean net earnings per agent (LDAO)",
        title=f"Earnings by agent type — {result.scenario.name}, seed {result.seed}",
    )
    ax.axhline(0, color="grey", linewidth=0.5)
    ax.legend(fontsize=7, ncol=2)
    paths.append(_save(fig, directory / "earnings.png"))

    fig, ax = plt.subplots(figsize=(9, 5))
    last = [r for r in result.epochs if r["epoch"] == max(x["epoch"] for x in result.epochs)]
    ax.barh([r["group"] for r in last], [r["slashed_ldao"] for r in last], color="tab:red")
    ax.set(xlabel="LDAO slashed (total)", title="Slashes by agent type")
    paths.append(_save(fig, directory / "slashes.png"))

    fig, ax = plt.subplots(figsize=(9, 5))
    first_group = [r for r in result.epochs if r["group"] == groups[0]]
    ax.plot([r["epoch"] for r in first_group], [r["dispute_accuracy"] for r in first_group])
    ax.set(
        xlabel="epoch (day)",
        ylabel="share of rulings that match the truth",
        ylim=(0, 1.05),
        title=f"Dispute accuracy (cumulative; {len(result.disputes)} disputes)",
    )
    paths.append(_save(fig, directory / "disputes.png"))

    fig, ax = plt.subplots(figsize=(6, 6))
    holdings = [result.wealth[a.name] for a in result.agents if a.role != Role.KEEPER]
    pop, share = lorenz(holdings)
    ax.plot(pop, share, label=f"LDAO holdings (Gini {gini(holdings):.3f})")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="equality")
    ax.set(
        xlabel="share of agents (poorest first)",
        ylabel="share of LDAO",
        title="Token concentration (Lorenz curve)",
    )
    ax.legend()
    paths.append(_save(fig, directory / "lorenz.png"))

    fig, ax = plt.subplots(figsize=(8, 5))
    kinds = {a.name: a.kind for a in result.agents if a.role == Role.PROVIDER}
    for kind, color in (
        ("honest", "tab:green"),
        ("overreporting", "tab:red"),
        ("flaky", "tab:orange"),
    ):
        names = [n for n, k in kinds.items() if k == kind]
        ax.scatter(
            [result.providers[n]["delivered_units"] for n in names],
            [result.providers[n]["rewards"] / LDAO for n in names],
            label=kind,
            color=color,
        )
    ax.set(
        xlabel="work delivered (TFLOP units)",
        ylabel="rewards claimed (LDAO)",
        title="GPU reward vs contribution",
    )
    ax.legend()
    paths.append(_save(fig, directory / "gpu.png"))
    return paths


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    # No timestamps in the PNG metadata: the same run gives the same file.
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return path
