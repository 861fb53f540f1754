"""The threat model's adversarial agents (issue 14): their decisions, what
they do on the real contracts, the verdict logic on synthetic results, and
one short run of `scenarios/adversarial.toml`."""

import random
import tempfile
from pathlib import Path

import pytest

from labeldao.config import LDAO
from labeldao.merkle import ValueTree
from labeldao.sim import agents as ag
from labeldao.sim import engine, montecarlo, seams, stats
from labeldao.sim.agents import Role
from labeldao.sim.engine import _answer
from labeldao.sim.scenario import Population, load

# -- decisions ---------------------------------------------------------------


def test_population__adversaries__named_grouped_and_cheating():
    pop = Population(requesters=1, planting_requesters=1, self_judging_requesters=1,
                     griefing_requesters=1, splitting_providers=1, honest_annotators=1,
                     lazy_annotators=0, malicious_annotators=0, honest_jurors=1, lazy_jurors=0,
                     bribed_jurors=0, honest_providers=1, overreporting_providers=0,
                     flaky_providers=0)  # fmt: skip
    by_name = {a.name: a for a in ag.population(pop)}
    assert by_name["requester-0"].group == "requester"
    assert not by_name["requester-0"].cheats
    for name, group in [
        ("planting-requester-0", "planting requester"),
        ("self-judging-requester-0", "self-judging requester"),
        ("griefing-requester-0", "griefing requester"),
        ("splitting-provider-0", "splitting provider"),
    ]:
        assert by_name[name].group == group
        assert by_name[name].cheats
        assert group in montecarlo.ADVERSARIES
        role = name.split("-")[-2]
        honest, cheats = montecarlo.COMPARISONS[role]
        assert group in cheats and honest != group


def test_planted_gold__holds_two_different_answers_per_item_and_fails_every_answer():
    right = ag.truth(16, 4, random.Random(1))
    gold_idx = [2, 5, 9, 11]
    planted = ag.planted_gold(gold_idx, right, 4, random.Random(2))
    rows = planted.rows(_answer)
    assert len(rows) == 2 * len(gold_idx)
    for i in gold_idx:
        labels = planted.answers[i]
        assert len(set(labels)) == 2 and right[i] in labels
        assert [r[0] for r in rows].count(i) == 2
        for given in range(4):  # whatever the annotator answers, one gold leaf differs
            failing = planted.failing_answer(i, given)
            assert failing is not None and failing != given
    tree = ValueTree.of(("uint256", "bytes32", "bytes32"), rows)
    assert all(tree.proof(row) is not None for row in rows)  # every leaf is provable


def test_adversarial_review__planter_rejects_perfect_work_by_gold_alone():
    right = ag.truth(16, 4, random.Random(3))
    planted = ag.planted_gold([0, 1, 2, 3], right, 4, random.Random(4))
    review = ag.adversarial_review("planting", planted, list(right), limit=3)
    assert review == ag.Review((0, 1, 2), "rejected")
    assert ag.adversarial_review("self-judging", None, right, 3) == ag.Review((), "reject")
    assert ag.adversarial_review("griefing", None, right, 3) == ag.Review((), "reject")
    with pytest.raises(ValueError, match="unknown adversarial"):
        ag.adversarial_review("honest", None, right, 3)


def test_report__splitting_provider_claims_full_capacity_and_delivers_nothing():
    r = ag.report("splitting", 8_640_000, ag.Behaviour(), random.Random(0))
    assert r == ag.Report(8_640_000, 0, 10_000)


def test_party_vote__a_party_on_its_own_panel_votes_its_side():
    assert ag.party_vote(2) == ag.Vote(2, True, False)


# -- the verdict logic on synthetic results ------------------------------------


def _outcome(seed, nets, losses):
    return {"seed": seed, "net_ldao": nets, "victim_loss_ldao": losses, "tasks_done": 10,
            "disputes": 3, "provider_rewards_ldao": 100.0}  # fmt: skip


@pytest.mark.parametrize(
    ("planter_nets", "expected"),
    [
        ([0.0, 10.0, 5.0], stats.PAYS),  # honest requesters pay ~-1,500: planting pays
        ([-3_000.0, -2_900.0, -3_100.0], stats.DOES_NOT_PAY),
        ([-1_400.0, -1_600.0, -1_500.0], stats.INCONCLUSIVE),
    ],
)
def test_strategies__adversary_against_its_honest_counterpart(planter_nets, expected):
    honest = [-1_500.0, -1_450.0, -1_550.0]
    outcomes = [
        _outcome(i, {"requester": h, "planting requester": p}, {"planting requester": 900.0 + i})
        for i, (h, p) in enumerate(zip(honest, planter_nets, strict=True))
    ]
    (judged,) = montecarlo.strategies(outcomes, epochs=8)
    assert judged["strategy"] == "planting requester"
    assert judged["against"] == "requester"
    assert judged["verdict"] == expected
    assert judged["victim_loss_ldao"]["mean"] == pytest.approx(901.0)
    assert "its victims lose 901.00 LDAO per run" in montecarlo.describe(judged)


def test_strategies__no_task_done__requester_adversaries_are_unfinished():
    outcomes = [dict(_outcome(0, {"requester": 0.0, "griefing requester": 0.0}, {}), tasks_done=0)]
    (judged,) = montecarlo.strategies(outcomes, epochs=1)
    assert judged["verdict"] == stats.UNFINISHED


# -- on the contracts ----------------------------------------------------------


@pytest.fixture(scope="module")
def adversarial_run():
    """Three epochs of the adversarial scenario, seed 1: a few seconds."""
    scenario = load("adversarial").with_overrides({"epochs": 3, "runs": 1})
    return engine.run(scenario, 1, measure=False)


def test_adversarial_run__model_check_passes_every_epoch(adversarial_run):
    assert adversarial_run.model_checks == 3


def test_adversarial_run__splitting_provider_registers_n_one_gpu_nodes(adversarial_run):
    split = next(a for a in adversarial_run.agents if a.kind == "splitting")
    assert split.stats["nodes"] == adversarial_run.scenario.behaviour.split_nodes == 4
    # full capacity on each 1-GPU node (tier 0: 100 units per GPU-second), nothing delivered
    assert split.stats["false_reports"] == split.stats["reports"] > 0
    assert adversarial_run.providers[split.name]["delivered_units"] == 0
    # every false report is challenged (it pays the watcher) and ruled fraud
    watcher = next(a for a in adversarial_run.agents if a.role == Role.WATCHDOG)
    assert watcher.stats["challenges"] == split.stats["false_reports"]
    assert split.stats["frauds_ruled"] == split.stats["false_reports"]
    assert adversarial_run.wealth[split.name] < split.funded  # its stakes slashed
    assert adversarial_run.wealth[watcher.name] > watcher.funded


def test_adversarial_run__planter_rejects_by_gold__annotators_contest__it_pays(adversarial_run):
    planter = next(a for a in adversarial_run.agents if a.kind == "planting")
    posted = planter.stats["tasks_posted"]
    assert posted > 0 and "disputes_opened" not in planter.stats  # gold alone, no reject
    contests = sum(a.stats.get("gold_contests", 0) for a in adversarial_run.agents)
    assert contests > 0
    # the contested tasks are paid for, with the gold bond on top: planting costs it
    assert adversarial_run.wealth[planter.name] < planter.funded


def test_adversarial_run__self_judger_stakes_and_sits_on_its_own_panels(adversarial_run):
    judge = next(a for a in adversarial_run.agents if a.kind == "self-judging")
    stake = adversarial_run.scenario.behaviour.self_judge_stake * LDAO
    assert judge.stats["juror_stake"] == stake
    assert judge.funded == (adversarial_run.scenario.behaviour.requester_funds * LDAO) + stake
    assert judge.stats["disputes_opened"] == judge.stats["tasks_posted"]
    assert judge.stats.get("own_panel_seats", 0) == 0  # parties are never seated


def test_seams__a_one_gpu_challenge_pays__an_unaffordable_contest_is_not_made():
    scenario = load("adversarial").with_overrides({"epochs": 1, "runs": 1})
    engine.compile_all()
    with engine.fresh_chain(0):
        with tempfile.TemporaryDirectory() as tmp:
            system = engine.deploy_boa(engine.params_file(scenario, Path(tmp)))
        sim = engine.Simulation(scenario, 0, system)
        sim.setup()
        split = [n for n, p in sim.nodes.items() if p.kind == "splitting"]
        honest = [n for n, p in sim.nodes.items() if p.kind == "honest"]
        # the fee comes back out of the slash, then a share of the rest
        assert seams.challenge_pays(sim, split[0])
        assert seams.challenge_pays(sim, honest[0])
        assert seams.watcher_challenges(sim, split[0], detected=True)
        assert not seams.watcher_challenges(sim, split[0], detected=False)
        keeper = sim.by_role[Role.KEEPER][0]  # holds nothing: cannot pay the court fee
        assert seams.contest_gold_rejection(sim, 0, keeper.address) is None


def test_griefer__funds_both_sides__the_unseatable_round_is_closed_nothing_stays_locked():
    """A thin court (3 x 1,000 LDAO: 30 seats) and one griefer from epoch 0:
    the court stops appeals at half its stake, a round it cannot seat is
    closed after its draw timeout, and nothing freezes."""
    scenario = load("adversarial").with_overrides(
        {"epochs": 1, "runs": 1, "population.planting_requesters": 0,
         "population.self_judging_requesters": 0, "population.requesters": 1,
         "population.splitting_providers": 0, "population.honest_providers": 0,
         "population.honest_jurors": 3, "behaviour.juror_stake": 1_000,
         "behaviour.tasks_per_requester": 1, "behaviour.grief_from_epoch": 0}
    )  # fmt: skip
    result = engine.run(scenario, 1, measure=False)
    griefer = next(a for a in result.agents if a.kind == "griefing")
    assert result.model_checks == 1
    assert result.frozen_disputes == 0
    assert "disputes_frozen" not in griefer.stats
    assert result.victim_loss.get("griefing requester", 0) == 0


def test_juror_income__left_out_of_the_self_judgers_net_only():
    """A self-judging requester's earnings as an honest juror in others'
    cases are not what its strategy gains (an honest requester staking the
    same would earn them): the verdict leaves them out."""
    judge = ag.make_agent("self-judging-requester-0", Role.REQUESTER, "self-judging")
    honest = ag.make_agent("requester-0", Role.REQUESTER, "requester")
    for a in (judge, honest):
        a.count("juror_income", 250 * LDAO)
    assert montecarlo._juror_income(judge) == 250 * LDAO
    assert montecarlo._juror_income(honest) == 0
