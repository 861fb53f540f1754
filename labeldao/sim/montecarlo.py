"""Monte Carlo: the same scenario under several seeds, and what they say together.

A run is reduced to an `outcome` (plain data: per agent group the mean net
earnings and slashes per agent, their course over the epochs, and whether
the mechanisms a verdict rests on ever finished). `aggregate` turns the
outcomes of N runs into per-group means with 95 % intervals and, per
cheating strategy, the interval of its advantage over the honest agents of
its role (cheater minus honest, paired within each run) and the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labeldao.config import LDAO
from labeldao.sim import engine, stats
from labeldao.sim.agents import Agent, Role
from labeldao.sim.scenario import Scenario

# role -> (honest group, cheating groups). Flaky providers are not cheaters
# (an outage is not fraud): they are reported, not judged.
COMPARISONS: dict[str, tuple[str, list[str]]] = {
    "annotator": ("honest annotator", ["lazy annotator", "malicious annotator"]),
    "juror": ("honest juror", ["lazy juror", "bribed juror"]),
    "provider": ("honest provider", ["overreporting provider", "splitting provider"]),
    # The threat model's adversaries (docs/THREATS.md), each against the
    # honest agent of its role in the same run.
    "requester": (
        "requester",
        ["planting requester", "self-judging requester", "griefing requester"],
    ),
}


# Adversaries whose victims' losses are measured (`engine.Simulation.lose`).
ADVERSARIES = {
    "planting requester",
    "self-judging requester",
    "griefing requester",
    "splitting provider",
}


@dataclass(frozen=True)
class RunTask:
    """One run for a worker: the scenario, the seed, and what to send back."""

    scenario: Scenario
    seed: int
    keep_result: bool = False  # the whole RunResult too (files of the first run)
    measure: bool = False  # the raw-titanoboa replay
    ledger: Path | None = None  # index the run's events there and reconcile (`ledger_check`)


def _juror_income(agent: Agent) -> int:
    """What a self-judging requester's stake earned (or lost) judging other
    parties' disputes as an honest juror: left out of its net, since its
    honest counterpart would earn the same by staking the same amount; the
    strategy is judged on what it gains in its own cases (base units)."""
    return agent.stats.get("juror_income", 0) if agent.kind == "self-judging" else 0


def outcome(result: engine.RunResult) -> dict[str, Any]:
    """What the Monte Carlo statistics need from one run (no timings)."""
    nets: dict[str, list[int]] = {}
    slashed: dict[str, list[int]] = {}
    for a in result.agents:
        if a.role == Role.KEEPER:
            continue
        nets.setdefault(a.group, []).append(result.wealth[a.name] - a.funded - _juror_income(a))
        slashed.setdefault(a.group, []).append(result.slashed.get(a.address, 0))
    series: dict[str, list[float]] = {}
    slash_series: dict[str, list[float]] = {}
    for row in result.epochs:
        series.setdefault(row["group"], []).append(row["mean_net_ldao"])
        slash_series.setdefault(row["group"], []).append(row["slashed_ldao"] / row["agents"])
    annotators = [a for a in result.agents if a.role == Role.ANNOTATOR]
    return {
        "seed": result.seed,
        "net_ldao": {g: sum(v) / len(v) / LDAO for g, v in sorted(nets.items())},
        "slashed_ldao": {g: sum(v) / len(v) / LDAO for g, v in sorted(slashed.items())},
        "agents": {g: len(v) for g, v in sorted(nets.items())},
        "net_by_epoch": series,
        "slashed_by_epoch": slash_series,
        "disputes": len(result.disputes),
        "correct_rulings": sum(d["correct"] for d in result.disputes),
        "provider_rewards_ldao": sum(p["rewards"] for p in result.providers.values()) / LDAO,
        "tasks_done": sum(a.stats.get("tasks_done", 0) for a in annotators),
        "transactions": result.transactions,
        "model_checks": result.model_checks,
        "victim_loss_ldao": {g: v / LDAO for g, v in sorted(result.victim_loss.items())},
        "frozen_disputes": result.frozen_disputes,
    }


def simulate(task: RunTask) -> dict[str, Any]:
    """Runs one task on a chain of this process's own (a worker's entry point)."""
    result = engine.run(task.scenario, task.seed, measure=task.measure, ledger=task.ledger)
    done: dict[str, Any] = {"outcome": outcome(result), "seconds": result.harness_seconds}
    if task.keep_result:
        done["result"] = result
    return done


def _unfinished(role: str, outcomes: list[dict[str, Any]], epochs: int) -> str | None:
    """Why a role's comparison measures nothing yet, if it does not."""
    if role == "provider" and all(o["provider_rewards_ldao"] == 0 for o in outcomes):
        return f"no reward epoch became final within {epochs} epochs (no provider was paid)"
    if role == "juror" and all(o["disputes"] == 0 for o in outcomes):
        return "no dispute was raised: no juror ever voted"
    if role in ("annotator", "requester") and all(o["tasks_done"] == 0 for o in outcomes):
        return "no task was done"
    return None


def strategies(outcomes: list[dict[str, Any]], epochs: int) -> list[dict[str, Any]]:
    """Per cheating strategy: its advantage over honesty (cheater minus
    honest, LDAO per agent), the 95 % interval, the verdict and its reason."""
    out = []
    for role, (honest, cheats) in COMPARISONS.items():
        if any(honest not in o["net_ldao"] for o in outcomes):
            continue
        unfinished = _unfinished(role, outcomes, epochs)
        for cheat in cheats:
            if any(cheat not in o["net_ldao"] for o in outcomes):
                continue
            advantages = [o["net_ldao"][cheat] - o["net_ldao"][honest] for o in outcomes]
            verdict, reason = stats.verdict(advantages, unfinished)
            judged = {
                "strategy": cheat,
                "against": honest,
                "advantage_ldao": stats.interval(advantages).as_dict(),
                "verdict": verdict,
                "reason": reason,
            }
            if cheat in ADVERSARIES:
                losses = [o.get("victim_loss_ldao", {}).get(cheat, 0.0) for o in outcomes]
                judged["victim_loss_ldao"] = stats.interval(losses).as_dict()
            out.append(judged)
    return out


def overall(judged: list[dict[str, Any]]) -> str:
    """yes (honesty pays more against every strategy judged), no (some
    strategy pays), or inconclusive."""
    verdicts = {s["verdict"] for s in judged}
    if stats.PAYS in verdicts:
        return "no"
    if stats.INCONCLUSIVE in verdicts or stats.DOES_NOT_PAY not in verdicts:
        return "inconclusive"
    return "yes"


def aggregate(outcomes: list[dict[str, Any]], epochs: int) -> dict[str, Any]:
    """The Monte Carlo summary of N runs of one scenario (deterministic: no timings)."""
    groups = sorted(outcomes[0]["net_ldao"])
    judged = strategies(outcomes, epochs)
    disputes = sum(o["disputes"] for o in outcomes)
    return {
        "runs": len(outcomes),
        "seeds": [o["seed"] for o in outcomes],
        "mean_net_ldao_by_group": {
            g: stats.interval([o["net_ldao"][g] for o in outcomes]).as_dict() for g in groups
        },
        "mean_slashed_ldao_by_group": {
            g: stats.interval([o["slashed_ldao"][g] for o in outcomes]).as_dict() for g in groups
        },
        "honesty_pays_more": overall(judged),
        "strategies": judged,
        "disputes": {
            "count": disputes,
            "accuracy": (
                round(sum(o["correct_rulings"] for o in outcomes) / disputes, 4)
                if disputes
                else None
            ),
        },
    }


def band(outcomes: list[dict[str, Any]], key: str, group: str) -> list[stats.Interval]:
    """Per epoch, the interval of a group's series (`net_by_epoch`, `slashed_by_epoch`)."""
    length = min(len(o[key][group]) for o in outcomes)
    return [stats.interval([o[key][group][e] for o in outcomes]) for e in range(length)]


def _signed(x: float) -> str:
    return f"{x:+,.2f}"


def describe(strategy: dict[str, Any]) -> str:
    """One line of the printed verdicts."""
    a, v = strategy["advantage_ldao"], strategy["verdict"]
    head = f"  {strategy['strategy']:<24} {v.upper():<14}"
    if v in (stats.UNFINISHED, stats.NO_DIFFERENCE):
        return f"{head}({strategy['reason']})"
    if a["ci95"] is None:
        return (
            f"{head}{_signed(a['mean'])} LDAO per agent vs {strategy['against']} (one run)"
            + _victims(strategy)
        )
    low, high = a["ci95"]
    return (
        f"{head}{_signed(a['mean'])} LDAO per agent vs {strategy['against']} "
        f"(95 % CI {_signed(low)} to {_signed(high)}, {a['runs']} runs)"
    ) + _victims(strategy)


def _victims(strategy: dict[str, Any]) -> str:
    """ "; victims lose X LDAO per run" for an adversary of the threat model."""
    loss = strategy.get("victim_loss_ldao")
    if loss is None:
        return ""
    return f"; its victims lose {loss['mean']:,.2f} LDAO per run"


def headline_lines(mc: dict[str, Any]) -> list[str]:
    """The Monte Carlo part of the printed summary."""
    runs = mc["runs"]
    seeds = ", ".join(str(s) for s in mc["seeds"][:6]) + (", ..." if runs > 6 else "")
    lines = [f"mean net earnings per agent (LDAO), {runs} run(s), seeds {seeds}:"]
    for group, ci in mc["mean_net_ldao_by_group"].items():
        interval = ""
        if ci["ci95"] is not None:
            interval = f"   95 % CI {ci['ci95'][0]:>12,.2f} to {ci['ci95'][1]:>12,.2f}"
        lines.append(f"  {group:<24} {ci['mean']:>14,.2f}{interval}")
    lines.append("does cheating pay? (cheater minus honest, per agent):")
    lines += [describe(s) for s in mc["strategies"]]
    lines.append(f"honesty pays more than cheating: {mc['honesty_pays_more']}")
    return lines
