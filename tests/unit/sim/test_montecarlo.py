"""labeldao.sim.montecarlo: verdicts from several runs, and the honest
"unfinished" / "no difference" answers where a margin would mislead."""

import pytest

from labeldao.sim import montecarlo, results, stats
from labeldao.sim.agents import KINDS


def _outcome(seed, nets, *, disputes=3, rewards=10.0, tasks=5):
    return {
        "seed": seed,
        "net_ldao": nets,
        "slashed_ldao": {g: 0.0 for g in nets},
        "agents": {g: 1 for g in nets},
        "net_by_epoch": {g: [v / 2, v] for g, v in nets.items()},
        "slashed_by_epoch": {g: [0.0, 0.0] for g in nets},
        "disputes": disputes,
        "correct_rulings": disputes,
        "provider_rewards_ldao": rewards,
        "tasks_done": tasks,
        "transactions": 1,
        "model_checks": 2,
    }


def _runs(**kwargs):
    return [
        _outcome(
            seed,
            {
                "honest annotator": 100.0 + noise,
                "lazy annotator": -50.0 - noise,
                "honest juror": 10.0 + noise,
                "bribed juror": 30.0 + 2 * noise,
                "lazy juror": 10.0 + noise,
                "honest provider": 5.0,
                "overreporting provider": 9.0 + noise,
            },
            **kwargs,
        )  # fmt: skip
        for seed, noise in ((1, 0.0), (2, 3.0), (3, -2.0), (4, 1.0))
    ]


def _by_strategy(mc):
    return {s["strategy"]: s for s in mc["strategies"]}


def test_aggregate__interval_of_the_paired_advantage_decides():
    mc = montecarlo.aggregate(_runs(), epochs=2)
    judged = _by_strategy(mc)
    assert mc["runs"] == 4 and mc["seeds"] == [1, 2, 3, 4]
    assert judged["lazy annotator"]["verdict"] == stats.DOES_NOT_PAY
    assert judged["bribed juror"]["verdict"] == stats.PAYS
    assert judged["bribed juror"]["advantage_ldao"]["mean"] == pytest.approx(20.5)
    low, high = judged["bribed juror"]["advantage_ldao"]["ci95"]
    assert 0 < low < 20.5 < high
    assert judged["lazy juror"]["verdict"] == stats.NO_DIFFERENCE
    assert mc["honesty_pays_more"] == "no"
    assert mc["mean_net_ldao_by_group"]["honest annotator"]["ci95"] is not None


def test_aggregate__nothing_final_or_no_dispute__says_so_instead_of_a_margin():
    mc = montecarlo.aggregate(_runs(disputes=0, rewards=0.0), epochs=6)
    judged = _by_strategy(mc)
    assert judged["overreporting provider"]["verdict"] == stats.UNFINISHED
    assert (
        "no reward epoch became final within 6 epochs" in judged["overreporting provider"]["reason"]
    )
    assert judged["bribed juror"]["verdict"] == stats.UNFINISHED
    assert "no dispute" in judged["bribed juror"]["reason"]
    line = montecarlo.describe(judged["overreporting provider"])
    assert "UNFINISHED" in line and "LDAO" not in line
    assert judged["lazy annotator"]["verdict"] == stats.DOES_NOT_PAY


def test_overall__yes_only_when_every_judged_strategy_does_not_pay():
    def judged(*verdicts):
        return [{"verdict": v} for v in verdicts]

    assert montecarlo.overall(judged(stats.DOES_NOT_PAY, stats.UNFINISHED)) == "yes"
    assert montecarlo.overall(judged(stats.DOES_NOT_PAY, stats.PAYS)) == "no"
    assert montecarlo.overall(judged(stats.DOES_NOT_PAY, stats.INCONCLUSIVE)) == "inconclusive"
    assert montecarlo.overall(judged(stats.UNFINISHED)) == "inconclusive"


def test_band__per_epoch_interval_over_runs():
    band = montecarlo.band(_runs(), "net_by_epoch", "honest annotator")
    assert len(band) == 2
    assert band[1].mean == pytest.approx(100.5) and band[1].low < 100.5 < band[1].high


def test_group_styles__a_colour_and_a_line_style_of_its_own_per_agent_type():
    groups = [
        role.value if role.value == kind else f"{kind} {role.value}" for role, kind, _ in KINDS
    ] + ["watchdog"]
    styles = [results.style(g) for g in groups]
    assert all(g in results.GROUP_STYLES for g in groups)
    assert len({c for c, _ in styles}) == len(groups)
    assert len({str(d) for _, d in styles}) >= 5
