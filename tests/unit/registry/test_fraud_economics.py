"""ComputeRegistry: fraud does not pay and fighting it does (issue 14, attack 2).

Played with the default parameters (the constructor's, and the emission of
`deployments/params/local.toml`: 100,000 LDAO per one-day epoch) and the
court's flat fee (FEE = 30 LDAO: 3 jurors x 10 LDAO). The court's rulings
come `COURT_DAYS` after the challenge, later than the epoch's finality (4
days after it ends), as the court's periods make them. docs/THREATS.md
("ComputeRegistry") quotes the figures these tests assert.
"""

import dataclasses
import tomllib

import boa
import pytest

from labeldao.boa_tools import REPO_ROOT
from labeldao.registry import (
    DEFAULT_CHALLENGER_SHARE_BPS,
    DEFAULT_FRAUD_SLASH_BPS,
    DEFAULT_STAKE_PER_GPU,
    DEFAULT_UNITS_PER_GPU_SECOND,
    LDAO,
    REPORT_VOIDED,
    EpochTerms,
    capacity,
    check_params,
    reward,
    slash_split,
    watcher_profit,
)
from tests.helpers import events
from tests.unit.registry.conftest import BOND, EPOCH, FEE, ROOT, warp

DEPLOYED = tomllib.loads((REPO_ROOT / "deployments/params/local.toml").read_text())["registry"]
EMISSION = DEPLOYED["epoch_emission"]
TERMS = EpochTerms(EMISSION)
COURT_DAYS = 8  # evidence + commit + reveal + appeal, at least
FAKE_UNITS = capacity(1, DEFAULT_UNITS_PER_GPU_SECOND[0], EPOCH)  # a tier-0 GPU, full capacity
REAL_UNITS = 100 * FAKE_UNITS  # 8 tier-3 GPUs at half their peak


@pytest.fixture
def deployed_emission(registry, governor):
    """The deployment's emission (100,000 LDAO) from epoch 1 on."""
    assert registry.set_epoch_terms(TERMS.as_tuple(), sender=governor) == 1


@pytest.fixture
def honest(deployed_emission, register, provider2):
    """One real node: 8 tier-3 GPUs."""
    return register(provider2, gpus=8, tier=3)


def _court_rules(arbitrator, dispute_id: int, ruling: int) -> None:
    boa.env.time_travel(seconds=COURT_DAYS * EPOCH)
    arbitrator.give_ruling(dispute_id, ruling)


def _withdraw_all(registry, account: str) -> int:
    return registry.withdraw(sender=account) if registry.credits(account) else 0


def test_issue_figures__unchallenged_fake_node_earns_990_ldao_per_epoch(
    registry, lens, honest, register, file_report, token, provider, provider2, clock
):
    """The issue's figures, reproduced: a fake 1-GPU node reporting its full
    capacity beside one real 8-GPU node takes ~990 LDAO of an epoch when
    nobody challenges it; under the old rules it risked 25 LDAO (25 % of
    its 100 LDAO) and its challenger earned 12.5 LDAO for a 30 LDAO fee."""
    fake = register(provider, gpus=1, tier=0)
    file_report(provider, fake, 1, units=FAKE_UNITS)
    file_report(provider2, honest, 1, units=REAL_UNITS)
    warp(clock.final_at(1, TERMS))
    earned = registry.claim(fake, [1], sender=provider)
    assert earned == reward(EMISSION, FAKE_UNITS, FAKE_UNITS + REAL_UNITS)
    assert 990 * LDAO < earned < 991 * LDAO
    assert token.balanceOf(provider) == earned
    stake = DEFAULT_STAKE_PER_GPU[0]
    old_to_challenger, _ = slash_split(stake, 2_500, 5_000)
    assert (stake * 2_500 // 10_000, old_to_challenger) == (25 * LDAO, 12_5 * LDAO // 10)
    assert old_to_challenger < FEE
    # The rule that stops it: the fraud slash of one GPU now covers the fee.
    assert watcher_profit(stake, DEFAULT_FRAUD_SLASH_BPS, DEFAULT_CHALLENGER_SHARE_BPS, FEE) > 0


def test_fake_node__challenged__loses_its_stake_watcher_and_honest_node_gain(
    registry,
    lens,
    honest,
    register,
    file_report,
    open_challenge,
    arbitrator,
    token,
    provider,
    provider2,
    challenger,
    treasury,
    clock,
):
    """The ruling lands after finality; it still takes effect."""
    fake = register(provider, gpus=1, tier=0)
    stake = registry.node(fake).stake
    file_report(provider, fake, 1, units=FAKE_UNITS)
    file_report(provider2, honest, 1, units=REAL_UNITS)
    dispute_id = open_challenge(challenger, fake, 1)
    warp(clock.final_at(1, TERMS))
    # The honest node is not held hostage: it claims at finality, against a
    # total that still counts the fake units (it can only be paid too little).
    first = registry.claim(honest, [1], sender=provider2)
    assert first == reward(EMISSION, REAL_UNITS, FAKE_UNITS + REAL_UNITS)
    with boa.reverts("registry: node under challenge"):
        registry.claim(fake, [1], sender=provider)
    _court_rules(arbitrator, dispute_id, 2)
    assert registry.report_of(fake, 1).status == REPORT_VOIDED
    assert registry.epoch_total(1).total_units == REAL_UNITS
    # The honest node tops up to the whole emission.
    assert lens.pending_reward(honest, 1) == EMISSION - first
    registry.claim(honest, [1], sender=provider2)
    assert token.balanceOf(provider2) == EMISSION
    # The attacker earned nothing and lost its stake.
    with boa.reverts("registry: node convicted of fraud"):
        registry.claim(fake, [1], sender=provider)
    assert lens.pending_reward(fake, 1) == 0
    warp(registry.node(fake).withdrawable_at)
    assert registry.withdraw_stake(fake, sender=provider) == 0
    assert token.balanceOf(provider) == 0  # it had exactly its stake
    # The watcher: bond and fee back, plus half of the rest of the slash.
    paid = BOND + FEE
    received = _withdraw_all(registry, challenger)
    assert received - paid == (stake - FEE) // 2 == 35 * LDAO
    assert token.balanceOf(challenger) == received
    assert registry.withdraw(sender=treasury) == (stake - FEE) // 2
    assert token.balanceOf(registry.address) == registry.accounted()


@pytest.mark.parametrize("split", [1, 4])
def test_fake_capacity_split_into_1_gpu_nodes__every_challenge_pays(
    registry,
    honest,
    register,
    file_report,
    open_challenge,
    arbitrator,
    token,
    provider,
    provider2,
    challenger,
    clock,
    split,
):
    """Splitting fake capacity into 1-GPU nodes no longer escapes the
    watchers: each node's slash covers its challenge."""
    fakes = [register(provider, gpus=1, tier=0) for _ in range(split)]
    spent = token.balanceOf(provider)
    for fake in fakes:
        file_report(provider, fake, 1, units=FAKE_UNITS)
    file_report(provider2, honest, 1, units=REAL_UNITS)
    disputes = [open_challenge(challenger, fake, 1) for fake in fakes]
    warp(clock.final_at(1, TERMS))
    before = registry.claim(honest, [1], sender=provider2)
    assert before == reward(EMISSION, REAL_UNITS, split * FAKE_UNITS + REAL_UNITS)
    for dispute_id in disputes:
        _court_rules(arbitrator, dispute_id, 2)
    registry.claim(honest, [1], sender=provider2)
    assert token.balanceOf(provider2) == EMISSION
    for fake in fakes:
        with boa.reverts("registry: node convicted of fraud"):
            registry.claim(fake, [1], sender=provider)
    assert token.balanceOf(provider) == spent == 0
    assert sum(registry.node(fake).stake for fake in fakes) == 0
    profit = _withdraw_all(registry, challenger) - split * (BOND + FEE)
    assert profit == split * 35 * LDAO


def test_fake_node__reports_while_its_challenge_waits__forfeits_them_all(
    registry,
    lens,
    honest,
    register,
    file_report,
    open_challenge,
    arbitrator,
    token,
    provider,
    provider2,
    challenger,
    carol,
    clock,
):
    """One challenge freezes the node's claims: the reports it files while
    the court deliberates never pay, and anyone voids them afterwards so
    that their shares go to the honest node."""
    fake = register(provider, gpus=1, tier=0)
    file_report(provider, fake, 1, units=FAKE_UNITS)
    dispute_id = open_challenge(challenger, fake, 1)
    for epoch in range(1, 6):
        if epoch > 1:
            file_report(provider, fake, epoch, units=FAKE_UNITS)
        file_report(provider2, honest, epoch, units=REAL_UNITS)
    warp(clock.final_at(5, TERMS))
    with boa.reverts("registry: node under challenge"):
        registry.claim(fake, [2, 3, 4, 5], sender=provider)
    arbitrator.give_ruling(dispute_id, 2)
    with boa.reverts("registry: node convicted of fraud"):
        registry.claim(fake, [2], sender=provider)
    removed = registry.forfeit_reports(fake, [2, 3, 4, 5], sender=carol.address)
    assert removed == 4 * FAKE_UNITS
    forfeits = events(registry, "ReportForfeited")
    assert [(f.node_id, f.epoch, f.units_removed) for f in forfeits] == [
        (fake, epoch, FAKE_UNITS) for epoch in range(2, 6)
    ]
    assert registry.claim(honest, [1, 2, 3, 4, 5], sender=provider2) == 5 * EMISSION
    assert token.balanceOf(provider) == 0
    assert lens.pending_reward(fake, 3) == 0


def test_forfeit_reports__of_an_honest_node__reverts(
    registry, honest, file_report, provider2, carol
):
    file_report(provider2, honest, 1, units=REAL_UNITS)
    with boa.reverts("registry: node not convicted"):
        registry.forfeit_reports(honest, [1], sender=carol.address)


def test_forfeit_reports__voided_claimed_or_missing__reverts(
    registry,
    honest,
    register,
    file_report,
    open_challenge,
    arbitrator,
    provider,
    provider2,
    challenger,
    clock,
):
    fake = register(provider, gpus=1, tier=0)
    file_report(provider, fake, 1, units=FAKE_UNITS)
    warp(clock.end(2) + TERMS.reporting_window - 1)  # the last second: challengeable longest
    registry.report(fake, 2, FAKE_UNITS, 10_000, ROOT, sender=provider)
    warp(clock.final_at(1, TERMS))
    registry.claim(fake, [1], sender=provider)  # claimed before any challenge
    arbitrator.give_ruling(open_challenge(challenger, fake, 2), 2)
    for epochs in ([1], [2], [3]):  # claimed, voided by the ruling, never filed
        with boa.reverts("registry: report not forfeitable"):
            registry.forfeit_reports(fake, epochs, sender=provider2)


def test_griefer__challenges_an_honest_node__pays_the_fee_and_its_bond(
    registry,
    honest,
    register,
    file_report,
    open_challenge,
    arbitrator,
    token,
    provider,
    provider2,
    challenger,
    clock,
):
    """A sham challenge delays only the challenged node's claims, by the
    court's duration, and pays it the griefer's bond; everyone else of
    the epoch claims at finality."""
    other = register(provider, gpus=1, tier=0)
    file_report(provider2, honest, 1, units=REAL_UNITS)
    file_report(provider, other, 1, units=FAKE_UNITS)  # honest and small
    dispute_id = open_challenge(challenger, honest, 1)
    warp(clock.final_at(1, TERMS))
    assert registry.claim(other, [1], sender=provider) > 0
    with boa.reverts("registry: node under challenge"):
        registry.claim(honest, [1], sender=provider2)
    _court_rules(arbitrator, dispute_id, 1)
    registry.claim(honest, [1], sender=provider2)
    assert _withdraw_all(registry, provider2) == BOND
    assert token.balanceOf(provider2) == BOND + reward(
        EMISSION, REAL_UNITS, REAL_UNITS + FAKE_UNITS
    )
    assert _withdraw_all(registry, challenger) == 0  # it lost BOND + FEE


@pytest.mark.parametrize("tier", range(4))
@pytest.mark.parametrize("gpus", [1, 2, 8, 64, 1_024])
def test_watcher_profit__positive_at_every_node_size(tier, gpus):
    """Arithmetic of the ruling (the on-chain split is asserted above):
    the fee comes back out of the slash, then half of the rest."""
    stake = DEFAULT_STAKE_PER_GPU[tier] * gpus
    profit = watcher_profit(stake, DEFAULT_FRAUD_SLASH_BPS, DEFAULT_CHALLENGER_SHARE_BPS, FEE)
    assert profit == (stake - FEE) // 2 > 0


@pytest.mark.parametrize("tier", range(4))
def test_watcher_profit__smallest_node_of_each_tier__on_chain(
    registry,
    deployed_emission,
    register,
    file_report,
    open_challenge,
    arbitrator,
    provider,
    challenger,
    tier,
):
    fake = register(provider, gpus=1, tier=tier)
    file_report(provider, fake, 1, units=capacity(1, DEFAULT_UNITS_PER_GPU_SECOND[tier], EPOCH))
    arbitrator.give_ruling(open_challenge(challenger, fake, 1), 2)
    profit = _withdraw_all(registry, challenger) - BOND - FEE
    assert profit == (DEFAULT_STAKE_PER_GPU[tier] - FEE) // 2 > 0


def test_check_params__python_mirror_of_set_params(registry, governor, default_params):
    """`labeldao.registry.check_params` refuses what `set_params` refuses."""
    assert check_params(default_params, FEE) == []
    low = dataclasses.replace(default_params, fraud_slash_bps=2_500)
    assert check_params(low, FEE) == [
        f"tier 0: the slash of one GPU ({25 * LDAO}) does not cover the arbitration fee ({FEE})"
    ]
    with boa.reverts("registry: fraud slash does not cover the arbitration fee"):
        registry.set_params(low.as_tuple(), sender=governor)
    unshared = dataclasses.replace(default_params, challenger_share_bps=0)
    assert check_params(unshared, FEE) == ["challenger share must be 1 to 5,000 bps"]
