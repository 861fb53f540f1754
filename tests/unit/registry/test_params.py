"""ComputeRegistry: parameters, epoch-terms versions and the guardian's pause."""

import dataclasses

import boa
import pytest

from labeldao.boa_tools import deployer
from labeldao.registry import DAY, LDAO, EpochTerms
from tests.helpers import events
from tests.unit.registry.conftest import BOND, EMISSION, EPOCH, FEE, ROOT, SPECS, warp

ZERO = "0x0000000000000000000000000000000000000000"


# --- set_params --------------------------------------------------------------


def test_set_params__by_governor__stores_and_logs(registry, governor, default_params):
    new = dataclasses.replace(
        default_params,
        stake_per_gpu=(100 * LDAO, 200 * LDAO, 300 * LDAO, 400 * LDAO),
        challenge_bond=7 * LDAO,
        fraud_slash_bps=5_000,
        challenger_share_bps=1_000,
        unbonding_period=20 * DAY,
        arbitrator_extra_data=b"\x01\x02",
    )
    registry.set_params(new.as_tuple(), sender=governor)
    (changed,) = events(registry, "ParamsChanged")
    assert registry.params() == new.as_tuple()
    assert changed.params == new.as_tuple()
    assert changed.version == registry.params_version() == 1


def test_set_params__by_anyone_else__reverts(registry, admin, default_params):
    with boa.reverts("access_control: account is missing role"):
        registry.set_params(default_params.as_tuple(), sender=admin)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("stake_per_gpu", (LDAO - 1, LDAO, LDAO, LDAO), "registry: stake per GPU out of range"),
        ("stake_per_gpu", (LDAO, LDAO, LDAO, 10**24 + 1), "registry: stake per GPU out of range"),
        ("challenge_bond", LDAO - 1, "registry: challenge bond out of range"),
        ("challenge_bond", 10**24 + 1, "registry: challenge bond out of range"),
        ("fraud_slash_bps", 99, "registry: fraud slash out of range"),
        ("fraud_slash_bps", 10_001, "registry: fraud slash out of range"),
        ("challenger_share_bps", 5_001, "registry: challenger share out of range"),
        # Proving fraud must pay: a share of nothing, or a slash of one
        # tier-0 GPU (25 LDAO at 25 %) under the 30 LDAO fee, is refused.
        ("challenger_share_bps", 0, "registry: challenger share out of range"),
        ("fraud_slash_bps", 2_500, "registry: fraud slash does not cover the arbitration fee"),
        ("fraud_slash_bps", 3_000, "registry: fraud slash does not cover the arbitration fee"),
        ("unbonding_period", 10 * DAY - 1, "registry: unbonding period out of range"),
        ("unbonding_period", 90 * DAY + 1, "registry: unbonding period out of range"),
        ("arbitrator", ZERO, "registry: arbitrator is the zero address"),
        ("treasury", ZERO, "registry: treasury is the zero address"),
    ],
)
def test_set_params__out_of_bounds__reverts(
    registry, governor, default_params, field, value, message
):
    bad = dataclasses.replace(default_params, **{field: value})
    with boa.reverts(message):
        registry.set_params(bad.as_tuple(), sender=governor)


def test_set_params__at_bounds__succeeds(registry, governor, default_params, arbitrator):
    low = dataclasses.replace(
        default_params,
        stake_per_gpu=(LDAO,) * 4,
        challenge_bond=LDAO,
        fraud_slash_bps=100,
        challenger_share_bps=1,
        unbonding_period=10 * DAY,
    )
    high = dataclasses.replace(
        default_params,
        stake_per_gpu=(10**24,) * 4,
        challenge_bond=10**24,
        fraud_slash_bps=10_000,
        challenger_share_bps=5_000,
        unbonding_period=90 * DAY,
    )
    for params, fee in ((low, 0), (high, FEE)):
        # The lowest slash (1 % of 1 LDAO) covers only a free arbitrator.
        arbitrator.set_fee(fee)
        registry.set_params(params.as_tuple(), sender=governor)
        assert registry.params() == params.as_tuple()


def test_set_params__arbitrator_with_other_fee_token__reverts(
    registry, governor, default_params, treasury
):
    other = deployer("MockArbitrator", "tests/mocks").deploy(treasury, 0)
    bad = dataclasses.replace(default_params, arbitrator=other.address)
    with boa.reverts("registry: arbitrator fee token is not LDAO"):
        registry.set_params(bad.as_tuple(), sender=governor)


def test_set_params__new_stake__applies_to_new_nodes_only(
    registry, governor, default_params, register, provider, provider2
):
    old = register(provider, gpus=2, tier=0)
    cheaper = dataclasses.replace(default_params, stake_per_gpu=(40 * LDAO,) * 4)
    registry.set_params(cheaper.as_tuple(), sender=governor)
    new = register(provider2, gpus=2, tier=0)
    assert registry.node(old).stake == 200 * LDAO
    assert registry.node(new).stake == 80 * LDAO


# --- set_epoch_terms -----------------------------------------------------------


def test_set_epoch_terms__schedules_from_next_epoch(registry, governor, clock):
    warp(clock.start(3) + 10)
    terms = EpochTerms(epoch_emission=5 * LDAO, reporting_window=2 * DAY)
    assert registry.set_epoch_terms(terms.as_tuple(), sender=governor) == 4
    (scheduled,) = events(registry, "EpochTermsScheduled")
    assert (scheduled.version, scheduled.from_epoch) == (1, 4)
    assert scheduled.terms == terms.as_tuple()
    assert registry.terms_count() == 2
    assert registry.epoch_terms(3)[0] == EMISSION
    assert registry.epoch_terms(4) == terms.as_tuple()
    assert registry.epoch_total(4).emission == 5 * LDAO


def test_set_epoch_terms__twice_in_one_epoch__replaces_the_scheduled_version(
    registry, governor, clock
):
    warp(clock.start(2))
    registry.set_epoch_terms(EpochTerms(epoch_emission=1).as_tuple(), sender=governor)
    registry.set_epoch_terms(EpochTerms(epoch_emission=2).as_tuple(), sender=governor)
    (scheduled,) = events(registry, "EpochTermsScheduled")
    assert (scheduled.version, scheduled.from_epoch) == (1, 3)
    assert registry.terms_count() == 2
    assert registry.epoch_terms(3)[0] == 2
    assert registry.epoch_terms(2)[0] == EMISSION


def test_epoch_terms__across_many_versions__finds_the_one_in_force(registry, governor, clock):
    """Binary search: version k is scheduled in epoch 3k, so it starts at 3k + 1."""
    for k in range(1, 9):
        warp(clock.start(3 * k))
        registry.set_epoch_terms(EpochTerms(epoch_emission=k).as_tuple(), sender=governor)
    assert registry.terms_count() == 9
    for epoch in range(0, 30):
        expected = EMISSION if epoch <= 3 else min((epoch - 1) // 3, 8)
        assert registry.epoch_terms(epoch)[0] == expected, epoch


def test_set_epoch_terms__does_not_change_a_started_epoch(
    registry, governor, register, file_report, provider, clock
):
    node_id = register(provider)
    warp(clock.start(1) + 5)
    registry.set_epoch_terms(EpochTerms(epoch_emission=0).as_tuple(), sender=governor)
    file_report(provider, node_id, 1)
    assert registry.epoch_total(1).emission == EMISSION
    assert registry.epoch_total(1).terms_version == 0
    assert registry.epoch_total(2).emission == 0


def test_set_epoch_terms__by_anyone_else__reverts(registry, guardian):
    with boa.reverts("access_control: account is missing role"):
        registry.set_epoch_terms(EpochTerms(epoch_emission=1).as_tuple(), sender=guardian)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("epoch_emission", 10**25 + 1, "registry: epoch emission out of range"),
        ("reporting_window", 3_599, "registry: reporting window out of range"),
        ("reporting_window", 3 * DAY + 1, "registry: reporting window out of range"),
        ("challenge_period", 3_599, "registry: challenge period out of range"),
        ("challenge_period", 7 * DAY + 1, "registry: challenge period out of range"),
        (
            "max_units_per_gpu_second",
            (0, 1, 1, 1),
            "registry: max units per GPU-second out of range",
        ),
        (
            "max_units_per_gpu_second",
            (1, 1, 1, 10**6 + 1),
            "registry: max units per GPU-second out of range",
        ),
    ],
)
def test_set_epoch_terms__out_of_bounds__reverts(registry, governor, field, value, message):
    bad = dataclasses.replace(EpochTerms(epoch_emission=EMISSION), **{field: value})
    with boa.reverts(message):
        registry.set_epoch_terms(bad.as_tuple(), sender=governor)


def test_set_epoch_terms__at_bounds__succeeds(registry, governor, clock):
    for terms in (
        EpochTerms(0, 3_600, 3_600, (1, 1, 1, 1)),
        EpochTerms(10**25, 3 * DAY, 7 * DAY, (10**6,) * 4),
    ):
        from_epoch = registry.set_epoch_terms(terms.as_tuple(), sender=governor)
        assert registry.epoch_terms(from_epoch) == terms.as_tuple()


# --- pause -------------------------------------------------------------------


def test_pause__by_guardian__blocks_registration_and_growth(
    registry, guardian, register, token, fund, provider, provider2, clock
):
    node_id = register(provider)
    registry.pause(sender=guardian)
    (paused,) = events(registry, "Paused")
    assert paused.account == guardian
    assert registry.paused()
    fund(provider2, 1_000 * LDAO)
    token.approve(registry.address, 1_000 * LDAO, sender=provider2)
    with boa.reverts("pausable: contract is paused"):
        registry.register_node(SPECS, "", 1, 0, sender=provider2)
    with boa.reverts("pausable: contract is paused"):
        registry.register_node_with_permit(SPECS, "", 1, 0, 0, 0, ROOT, ROOT, sender=provider2)
    with boa.reverts("pausable: contract is paused"):
        registry.add_stake(node_id, 1, sender=provider)
    # Reports have a deadline: they never pause (see test_pauses.py).
    warp(clock.end(1))
    registry.report(node_id, 1, 1, 10_000, ROOT, sender=provider)


def test_pause__never_blocks_exits_challenges_or_claims(
    registry,
    guardian,
    register,
    file_report,
    open_challenge,
    arbitrator,
    provider,
    provider2,
    challenger,
    clock,
):
    honest = register(provider)
    other = register(provider2)
    file_report(provider, honest, 1)
    file_report(provider2, other, 1)
    registry.pause(sender=guardian)
    registry.update_node(honest, SPECS, "ipfs://v2", sender=provider)
    dispute = open_challenge(challenger, other, 1)
    registry.submit_evidence(other, 1, "ipfs://more", sender=challenger)
    arbitrator.give_ruling(dispute, 2)
    warp(clock.final_at(1, EpochTerms(EMISSION)))
    assert registry.claim(honest, [1], sender=provider) == EMISSION
    assert registry.withdraw(sender=challenger) > BOND
    registry.deactivate(honest, sender=provider)
    warp(registry.node(other).withdrawable_at)
    assert registry.withdraw_stake(other, sender=provider2) == 0  # fully slashed
    assert registry.paused()


def test_unpause__by_guardian__reopens_entries(registry, guardian, register, provider):
    registry.pause(sender=guardian)
    registry.unpause(sender=guardian)
    (unpaused,) = events(registry, "Unpaused")
    assert unpaused.account == guardian
    assert not registry.paused()
    assert register(provider) == 1


def test_fee__is_pulled_with_the_bond(
    registry, register, file_report, open_challenge, token, arbitrator, provider, challenger
):
    node_id = register(provider)
    file_report(provider, node_id, 1)
    open_challenge(challenger, node_id, 1)
    assert token.balanceOf(arbitrator.address) == FEE
    assert token.balanceOf(challenger) == 0
    assert token.balanceOf(registry.address) == registry.accounted()


def test_epoch_length__is_immutable_epochs_keep_their_numbers(registry, clock):
    warp(clock.start(7) + 1)
    assert registry.current_epoch() == 7
    assert registry.epoch_total(7).start == clock.genesis + 7 * EPOCH
