"""Results of a run: CSV, JSON summary, PNG plots, and the headline.

`results/<scenario>-<seed>/` gets `agents.csv` (one row per agent),
`epochs.csv` (mean net earnings and slashes per agent group and epoch),
`disputes.csv`, `summary.json` and the plots. The CSV files hold only
quantities fixed by the scenario and the seed (no timings), so the same
seed gives byte-identical CSV; timings live in `summary.json` and in
`epoch_timing.csv` (per epoch: its seconds, transactions, messages and the
process's resident memory at its end, so a long run shows where time goes).

The headline answers a DAO's question: does honesty pay more than cheating
under these parameters? For each role it compares the mean net earnings of
its honest agents with those of each cheating kind (lazy and malicious
annotators; lazy and bribed jurors; over-reporting providers; and the
threat model's adversaries: planting, self-judging and griefing requesters,
splitting providers, with what their victims lose). Flaky providers are not
cheaters (an outage is not fraud) and are reported apart.
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
from labeldao.sim import ledger_check, montecarlo
from labeldao.sim.agents import Role
from labeldao.sim.engine import RunResult

COMPARISONS = montecarlo.COMPARISONS
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
    "false_reports",
    "nodes",
    "juror_stake",
    "own_panel_seats",
    "appeals_both_sides",
    "disputes_frozen",
    "gold_contests",
    "gold_contests_refused",
]
AMOUNT_STATS = {"bribes", "bribes_paid", "rewards", "juror_stake"}


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


def summary(result: RunResult, mc: dict[str, Any] | None = None) -> dict[str, Any]:
    """The summary of a scenario: the first run's figures, and the Monte
    Carlo statistics of all runs (`mc`, from `montecarlo.aggregate`; one
    run when not given)."""
    if mc is None:
        mc = montecarlo.aggregate([montecarlo.outcome(result)], result.scenario.epochs)
    holdings = [result.wealth[a.name] for a in result.agents if a.role != Role.KEEPER]
    raw_rate = result.transactions / result.replay_seconds if result.replay_seconds else None
    rate = result.transactions / result.harness_seconds
    return {
        "scenario": result.scenario.name,
        "seed": result.seed,
        "epochs": result.scenario.epochs,
        "runs": mc["runs"],
        "seeds": mc["seeds"],
        "model_check": {"passed": True, "checks": result.model_checks},
        "verdict": {
            "honesty_pays_more": mc["honesty_pays_more"],
            "strategies": mc["strategies"],
            "first_run": verdict(group_means(result)),
        },
        "mean_net_ldao_by_group": mc["mean_net_ldao_by_group"],
        "mean_slashed_ldao_by_group": mc["mean_slashed_ldao_by_group"],
        "disputes": mc["disputes"],
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
            **epoch_rates(result.extra),
        },
        "ledger_check": result.extra.get("ledger"),  # None when skipped (--no-reconcile)
    }


def epoch_rates(extra: dict[str, Any], window: int = 30) -> dict[str, Any]:
    """Actions per second of the first and the last `window` epochs (the
    first and last halves when the run is shorter than two windows)."""
    seconds, txs = extra.get("epoch_seconds", []), extra.get("epoch_transactions", [])
    if len(seconds) < 2:
        return {}
    n = min(window, len(seconds) // 2)

    def rate(part: slice) -> float:
        return round(sum(txs[part]) / sum(seconds[part]), 1) if sum(seconds[part]) else 0.0

    return {
        "epochs_per_window": n,
        "first_epochs_actions_per_second": rate(slice(0, n)),
        "last_epochs_actions_per_second": rate(slice(len(seconds) - n, None)),
        "mean_epoch_seconds": round(sum(seconds) / len(seconds), 3),
    }


def timing_rows(extra: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per epoch: wall and CPU seconds, transactions, messages
    (views included), milliseconds per transaction (wall, CPU), resident
    memory (MB)."""
    seconds = extra.get("epoch_seconds", [])
    cpu = extra.get("epoch_cpu_seconds", [None] * len(seconds))
    txs = extra.get("epoch_transactions", [])
    messages = extra.get("epoch_messages", [None] * len(seconds))
    rss = extra.get("epoch_rss_mb", [None] * len(seconds))
    return [
        {
            "epoch": epoch,
            "seconds": round(sec, 4),
            "cpu_seconds": None if cpu_s is None else round(cpu_s, 4),
            "transactions": tx,
            "messages": msg,
            "ms_per_transaction": round(1000 * sec / tx, 3) if tx else None,
            "cpu_ms_per_transaction": round(1000 * cpu_s / tx, 3) if tx and cpu_s else None,
            "rss_mb": mb,
        }
        for epoch, (sec, cpu_s, tx, msg, mb) in enumerate(
            zip(seconds, cpu, txs, messages, rss, strict=True)
        )
    ]


def headline(s: dict[str, Any]) -> str:
    """The lines `simulate` prints."""
    runs = f"{s['runs']} runs" if s["runs"] > 1 else f"seed {s['seed']}"
    lines = [
        f"scenario {s['scenario']} ({runs}, {s['epochs']} epochs): "
        f"model check passed after every epoch ({s['model_check']['checks']} checks"
        f"{' in each run' if s['runs'] > 1 else ''})"
    ]
    mc = {
        "runs": s["runs"],
        "seeds": s["seeds"],
        "mean_net_ldao_by_group": s["mean_net_ldao_by_group"],
        "strategies": s["verdict"]["strategies"],
        "honesty_pays_more": s["verdict"]["honesty_pays_more"],
    }
    lines += montecarlo.headline_lines(mc)
    d = s["disputes"]
    if d["count"]:
        lines.append(f"disputes: {d['count']}, ruled as the truth calls for: {d['accuracy']:.0%}")
    else:
        lines.append("disputes: none (the court was never tested)")
    lines.append(f"Gini of LDAO holdings (seed {s['seed']}): {s['gini_ldao']:.3f}")
    t = s["throughput"]
    if t["raw_titanoboa_actions_per_second"]:
        lines.append(
            f"throughput: {t['actions_per_second']:,.0f} actions/s "
            f"vs raw titanoboa {t['raw_titanoboa_actions_per_second']:,.0f} actions/s "
            f"on the same {t['transactions']:,} transactions ({t['fraction_of_raw']:.2f}x)"
        )
    else:
        lines.append(f"throughput: {t['actions_per_second']:,.0f} actions/s")
    if t.get("epochs_per_window"):
        n = t["epochs_per_window"]
        lines.append(
            f"cost per epoch: first {n} epochs {t['first_epochs_actions_per_second']:,.0f} "
            f"actions/s, last {n} epochs {t['last_epochs_actions_per_second']:,.0f} actions/s "
            f"(mean {t['mean_epoch_seconds']:.2f} s per epoch)"
        )
    if s.get("ledger_check"):
        lines.append(ledger_check.line(s["ledger_check"]))
    return "\n".join(lines)


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="") as f:
        if not rows:
            return
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write(
    result: RunResult,
    directory: Path,
    outcomes: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Writes every file of a scenario: the CSV of its first run, the
    summary of all its runs (`outcomes`; the first run alone when not
    given), the plots; returns the summary (with the plot paths)."""
    outcomes = outcomes or [montecarlo.outcome(result)]
    mc = montecarlo.aggregate(outcomes, result.scenario.epochs)
    directory.mkdir(parents=True, exist_ok=True)
    _write_csv(directory / "agents.csv", agent_rows(result))
    _write_csv(directory / "epochs.csv", result.epochs)
    _write_csv(directory / "disputes.csv", result.disputes)
    _write_csv(directory / "runs.csv", run_rows(outcomes))
    _write_csv(directory / "epoch_timing.csv", timing_rows(result.extra))
    s = summary(result, mc)
    if extra:
        s["throughput"].update(extra)
    s["plots"] = [str(p) for p in plots(result, directory, outcomes)]
    (directory / "summary.json").write_text(json.dumps(s, indent=2, sort_keys=False) + "\n")
    return s


def run_rows(outcomes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per run and agent group: the seed, mean net and slashed per agent."""
    return [
        {
            "run": i,
            "seed": o["seed"],
            "group": g,
            "agents": o["agents"][g],
            "mean_net_ldao": round(o["net_ldao"][g], 4),
            "mean_slashed_ldao": round(o["slashed_ldao"][g], 4),
        }
        for i, o in enumerate(outcomes)
        for g in o["net_ldao"]
    ]


# A colour and a line style of its own for every agent type: the honest
# kind of a role is a solid line, each cheating kind its own dash pattern.
GROUP_STYLES: dict[str, tuple[str, Any]] = {
    "requester": ("#1f77b4", "-"),
    "honest annotator": ("#2ca02c", "-"),
    "lazy annotator": ("#bcbd22", "--"),
    "malicious annotator": ("#d62728", ":"),
    "honest juror": ("#17becf", "-"),
    "lazy juror": ("#7f7f7f", "--"),
    "bribed juror": ("#9467bd", "-."),
    "honest provider": ("#006400", "-"),
    "overreporting provider": ("#ff7f0e", (0, (5, 1, 1, 1, 1, 1))),
    "flaky provider": ("#8c564b", (0, (1, 2))),
    "watchdog": ("#000000", (0, (8, 3))),
    "planting requester": ("#e377c2", "--"),
    "self-judging requester": ("#aec7e8", ":"),
    "griefing requester": ("#393b79", "-."),
    "splitting provider": ("#ffbb78", (0, (3, 1, 1, 1))),
}


def style(group: str) -> tuple[str, Any]:
    return GROUP_STYLES.get(group, ("#e377c2", "-"))


def plots(
    result: RunResult, directory: Path, outcomes: list[dict[str, Any]] | None = None
) -> list[Path]:
    """Earnings over time (with 95 % bands over the runs), slashes per
    agent, dispute accuracy, Lorenz curve, GPU rewards (the first run)."""
    outcomes = outcomes or [montecarlo.outcome(result)]
    runs = len(outcomes)
    groups = sorted(outcomes[0]["net_by_epoch"])
    paths = [_earnings(result, directory, outcomes, groups)]

    fig, ax = plt.subplots(figsize=(9, 5))
    for i, g in enumerate(groups):
        ci = montecarlo.stats.interval([o["slashed_ldao"][g] for o in outcomes])
        colour, _ = style(g)
        error = None if ci.low is None else [[ci.mean - ci.low], [(ci.high or 0) - ci.mean]]
        ax.barh(i, ci.mean, xerr=error, color=colour, capsize=3)
    ax.set_yticks(range(len(groups)), groups)
    bars = "bars: mean of the runs, whiskers: 95 % CI" if runs > 1 else f"seed {result.seed}"
    ax.set(
        xlabel="LDAO slashed per agent (mean over the agents of the type)",
        title=f"Slashes per agent by type — {runs} run(s); {bars}",
    )
    paths.append(_save(fig, directory / "slashes.png"))

    fig, ax = plt.subplots(figsize=(9, 5))
    first_group = [r for r in result.epochs if r["group"] == groups[0]]
    ax.plot([r["epoch"] for r in first_group], [r["dispute_accuracy"] for r in first_group])
    ax.set(
        xlabel="epoch (day)",
        ylabel="share of rulings that match the truth",
        ylim=(0, 1.05),
        title=f"Dispute accuracy (cumulative; {len(result.disputes)} disputes, seed {result.seed})",
    )
    if not result.disputes:
        _note(ax, "no dispute was raised in this run: nothing to measure")
    paths.append(_save(fig, directory / "disputes.png"))

    fig, ax = plt.subplots(figsize=(6, 6))
    holdings = [result.wealth[a.name] for a in result.agents if a.role != Role.KEEPER]
    pop, share = lorenz(holdings)
    ax.plot(pop, share, label=f"LDAO holdings (Gini {gini(holdings):.3f})")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="equality")
    ax.set(
        xlabel="share of agents (poorest first)",
        ylabel="share of LDAO",
        title=f"Token concentration (Lorenz curve, seed {result.seed})",
    )
    ax.legend()
    paths.append(_save(fig, directory / "lorenz.png"))
    paths.append(_gpu(result, directory))
    return paths


ROLE_PANELS = ("annotator", "juror", "provider", "requester and watchdog")


def _panel(group: str) -> str:
    role = group.split()[-1]
    return role if role in ROLE_PANELS else ROLE_PANELS[-1]


def _earnings(
    result: RunResult, directory: Path, outcomes: list[dict[str, Any]], groups: list[str]
) -> Path:
    """One panel per role (bands of different roles would hide each other)."""
    fig, axes = plt.subplots(2, 2, figsize=(12, 8), sharex=True)
    by_panel = dict(zip(ROLE_PANELS, axes.flat, strict=True))
    for g in groups:
        ax = by_panel[_panel(g)]
        band = montecarlo.band(outcomes, "net_by_epoch", g)
        epochs = list(range(len(band)))
        colour, dashes = style(g)
        ax.plot(epochs, [b.mean for b in band], label=g, color=colour, linestyle=dashes)
        if len(outcomes) > 1:
            ax.fill_between(
                epochs,
                [b.low for b in band],
                [b.high for b in band],
                color=colour,
                alpha=0.18,
                linewidth=0,
            )
    for name, ax in by_panel.items():
        ax.axhline(0, color="grey", linewidth=0.5)
        ax.set_title(f"{name}s" if name != ROLE_PANELS[-1] else name, fontsize=10)
        ax.set(xlabel="epoch (day)", ylabel="mean net earnings per agent (LDAO)")
        if ax.lines[1:]:
            ax.legend(fontsize=8)
    runs = len(outcomes)
    shade = "; shaded: 95 % CI over the runs" if runs > 1 else f", seed {result.seed}"
    fig.suptitle(f"Earnings by agent type — {result.scenario.name}, {runs} run(s){shade}")
    return _save(fig, directory / "earnings.png")


def _gpu(result: RunResult, directory: Path) -> Path:
    fig, ax = plt.subplots(figsize=(8, 5))
    kinds = {a.name: a.kind for a in result.agents if a.role == Role.PROVIDER}
    for kind in ("honest", "overreporting", "flaky", "splitting"):
        names = [n for n, k in kinds.items() if k == kind]
        colour, _ = style(f"{kind} provider")
        ax.scatter(
            [result.providers[n]["delivered_units"] for n in names],
            [result.providers[n]["rewards"] / LDAO for n in names],
            label=kind,
            color=colour,
        )
    ax.set(
        xlabel="work delivered (TFLOP units)",
        ylabel="rewards claimed (LDAO)",
        title=f"GPU reward vs contribution (seed {result.seed})",
    )
    if not any(p["rewards"] for p in result.providers.values()):
        _note(
            ax,
            f"no reward epoch became final within {result.scenario.epochs} epochs:\n"
            "no provider was paid yet (run more epochs)",
        )
    ax.legend()
    return _save(fig, directory / "gpu.png")


def _note(ax: Any, text: str) -> None:
    ax.text(
        0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=11,
        bbox={"facecolor": "#fff3cd", "edgecolor": "#b58900"},
    )  # fmt: skip


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    # No timestamps in the PNG metadata: the same run gives the same file.
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return path
