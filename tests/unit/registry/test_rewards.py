"""ComputeRegistry: epoch finality, pro-rata rewards, claims and the cap clamp."""

import boa
import pytest

from labeldao.registry import DAY, LDAO, EpochTerms, reward
from tests.conftest import TOKEN_CAP
from tests.helpers import events
from tests.unit.registry.conftest import EMISSION, warp

TERMS = EpochTerms(EMISSION)


@pytest.fixture
def two_nodes(register, provider, provider2):
    """Node 1 (provider) and node 2 (provider2), 4 tier-1 GPUs each."""
    return register(provider), register(provider2)


def test_claim__pays_pro_rata_share_of_emission(
    registry, lens, two_nodes, file_report, token, provider, provider2, clock
):
    a, b = two_nodes
    file_report(provider, a, 1, units=300_000, uptime=10_000)
    file_report(provider2, b, 1, units=200_000, uptime=5_000)
    warp(clock.final_at(1, TERMS))
    assert lens.pending_reward(a, 1) == reward(EMISSION, 300_000, 400_000)
    paid = registry.claim(a, [1], sender=provider)
    (claimed,) = events(registry, "RewardClaimed")
    assert paid == EMISSION * 3 // 4
    assert (claimed.node_id, claimed.epoch, claimed.owner) == (a, 1, provider)
    assert claimed.amount == claimed.entitled == paid
    assert token.balanceOf(provider) == paid
    report = registry.report_of(a, 1)
    assert (report.claimed, report.reward) == (True, paid)
    assert lens.pending_reward(a, 1) == 0
    assert registry.claim(b, [1], sender=provider2) == EMISSION // 4
    assert registry.epoch_total(1).rewarded == EMISSION


def test_claim__rounding__never_exceeds_emission(
    registry, register, file_report, provider, provider2, carol, clock
):
    nodes = [(register(owner), owner) for owner in (provider, provider2, carol.address)]
    for node_id, owner in nodes:
        file_report(owner, node_id, 1, units=1_000_003)
    warp(clock.final_at(1, TERMS))
    paid = [registry.claim(node_id, [1], sender=owner) for node_id, owner in nodes]
    assert all(p == EMISSION // 3 for p in paid)
    assert EMISSION - 3 < sum(paid) <= EMISSION
    assert registry.epoch_total(1).rewarded == sum(paid)


def test_claim__at_final_time__succeeds_one_second_before__reverts(
    registry, lens, two_nodes, file_report, provider, clock
):
    a, _ = two_nodes
    file_report(provider, a, 1)
    warp(clock.final_at(1, TERMS) - 1)
    with boa.reverts("registry: epoch not final"):
        registry.claim(a, [1], sender=provider)
    assert lens.pending_reward(a, 1) == 0
    boa.env.time_travel(seconds=1)
    assert registry.claim(a, [1], sender=provider) == EMISSION


def test_claim__unfinalized_epoch__reverts(registry, two_nodes, file_report, provider):
    a, _ = two_nodes
    file_report(provider, a, 1)
    with boa.reverts("registry: epoch not final"):
        registry.claim(a, [1], sender=provider)


def test_claim__several_epochs__settles_each_once(
    registry, two_nodes, file_report, token, provider, provider2, clock
):
    a, b = two_nodes
    for epoch in range(1, 6):
        file_report(provider, a, epoch, units=100_000 * epoch)
        if epoch % 2:
            file_report(provider2, b, epoch, units=100_000)
    warp(clock.final_at(5, TERMS))
    paid = registry.claim(a, [1, 2, 3, 4, 5], sender=provider)
    claims = events(registry, "RewardClaimed")
    expected = [
        reward(EMISSION, 100_000 * e, 100_000 * e + (100_000 if e % 2 else 0)) for e in range(1, 6)
    ]
    assert [c.epoch for c in claims] == [1, 2, 3, 4, 5]
    assert [c.amount for c in claims] == expected
    assert paid == sum(expected) == token.balanceOf(provider)
    with boa.reverts("registry: reward already claimed"):
        registry.claim(a, [3], sender=provider)


def test_claim__same_epoch_twice_in_one_call__reverts(
    registry, two_nodes, file_report, provider, clock
):
    a, _ = two_nodes
    file_report(provider, a, 1)
    warp(clock.final_at(1, TERMS))
    with boa.reverts("registry: reward already claimed"):
        registry.claim(a, [1, 1], sender=provider)


def test_claim__missing_report__reverts(registry, two_nodes, file_report, provider, clock):
    a, _ = two_nodes
    file_report(provider, a, 1)
    warp(clock.final_at(2, TERMS))
    with boa.reverts("registry: no report"):
        registry.claim(a, [1, 2], sender=provider)


def test_claim__no_epochs__reverts(registry, two_nodes, provider):
    with boa.reverts("registry: no epochs"):
        registry.claim(two_nodes[0], [], sender=provider)


def test_claim__by_someone_else__reverts(
    registry, two_nodes, file_report, provider, provider2, clock
):
    a, _ = two_nodes
    file_report(provider, a, 1)
    warp(clock.final_at(1, TERMS))
    with boa.reverts("registry: caller is not the node owner"):
        registry.claim(a, [1], sender=provider2)


def test_claim__unknown_node__reverts(registry, provider):
    with boa.reverts("registry: unknown node"):
        registry.claim(7, [1], sender=provider)


def test_claim__voided_report__reverts(
    registry, lens, two_nodes, file_report, open_challenge, arbitrator, provider, challenger, clock
):
    a, _ = two_nodes
    file_report(provider, a, 1)
    arbitrator.give_ruling(open_challenge(challenger, a, 1), 2)
    warp(clock.final_at(1, TERMS))
    assert lens.pending_reward(a, 1) == 0
    with boa.reverts("registry: node convicted of fraud"):
        registry.claim(a, [1], sender=provider)


def test_claim__challenged_report__waits_while_others_claim(
    registry,
    lens,
    two_nodes,
    file_report,
    open_challenge,
    arbitrator,
    provider,
    provider2,
    challenger,
    clock,
):
    a, b = two_nodes
    file_report(provider, a, 1, units=100_000)
    file_report(provider2, b, 1, units=300_000)
    dispute_id = open_challenge(challenger, b, 1)
    warp(clock.final_at(1, TERMS))
    assert registry.claim(a, [1], sender=provider) == EMISSION // 4
    with boa.reverts("registry: node under challenge"):
        registry.claim(b, [1], sender=provider2)
    assert lens.pending_reward(b, 1) == 0
    arbitrator.give_ruling(dispute_id, 1)
    assert registry.claim(b, [1], sender=provider2) == EMISSION * 3 // 4
    assert registry.epoch_total(1).rewarded == EMISSION


def test_claim__fraud_ruled_before_final__share_goes_to_honest_nodes(
    registry,
    two_nodes,
    file_report,
    open_challenge,
    arbitrator,
    provider,
    provider2,
    challenger,
    clock,
):
    a, b = two_nodes
    file_report(provider, a, 1, units=100_000)
    file_report(provider2, b, 1, units=300_000)
    arbitrator.give_ruling(open_challenge(challenger, b, 1), 2)
    assert registry.epoch_total(1).total_units == 100_000
    warp(clock.final_at(1, TERMS))
    assert registry.claim(a, [1], sender=provider) == EMISSION


def test_claim__fraud_ruled_after_final__honest_nodes_top_up(
    registry,
    lens,
    two_nodes,
    file_report,
    open_challenge,
    arbitrator,
    token,
    provider,
    provider2,
    challenger,
    clock,
):
    a, b = two_nodes
    file_report(provider, a, 1, units=100_000)
    file_report(provider2, b, 1, units=300_000)
    dispute_id = open_challenge(challenger, b, 1)
    warp(clock.final_at(1, TERMS))
    supply = token.totalSupply()
    # The honest node claims at finality, against a total that still
    # counts the challenged units (it can only be paid too little)...
    assert registry.claim(a, [1], sender=provider) == EMISSION // 4
    with boa.reverts("registry: reward already claimed"):
        registry.claim(a, [1], sender=provider)
    # ...and the fraud ruling, however late, gives it the voided share.
    warp(clock.final_at(1, TERMS) + 30 * DAY)
    arbitrator.give_ruling(dispute_id, 2)
    (ruled,) = [e for e in arbitrator.get_logs() if type(e).__name__ == "ReportRuled"]
    assert ruled.units_removed == 300_000
    assert registry.epoch_total(1).total_units == 100_000
    assert lens.pending_reward(a, 1) == EMISSION - EMISSION // 4
    assert registry.claim(a, [1], sender=provider) == EMISSION - EMISSION // 4
    (claimed,) = events(registry, "RewardClaimed")
    assert (claimed.amount, claimed.entitled) == (EMISSION - EMISSION // 4, EMISSION)
    assert registry.report_of(a, 1).reward == EMISSION
    assert token.totalSupply() - supply == EMISSION == registry.epoch_total(1).rewarded
    with boa.reverts("registry: reward already claimed"):
        registry.claim(a, [1], sender=provider)


def test_claim__uptime_scales_reward_not_stake(
    registry, two_nodes, file_report, provider, provider2, clock
):
    a, b = two_nodes
    file_report(provider, a, 1, units=100_000, uptime=10_000)
    file_report(provider2, b, 1, units=100_000, uptime=2_500)
    warp(clock.final_at(1, TERMS))
    assert registry.claim(b, [1], sender=provider2) == EMISSION // 5
    assert registry.node(b).stake == registry.node(a).stake


def test_claim__clamped_to_cap__records_what_was_minted(
    registry, two_nodes, file_report, token, minter, provider, clock
):
    a, _ = two_nodes
    file_report(provider, a, 1)
    file_report(provider, a, 2)
    warp(clock.final_at(2, TERMS))
    room = 100 * LDAO
    token.mint(minter, TOKEN_CAP - token.totalSupply() - room, sender=minter)
    assert registry.claim(a, [1, 2], sender=provider) == room
    claims = events(registry, "RewardClaimed")
    assert [(c.amount, c.entitled) for c in claims] == [(room, EMISSION), (0, EMISSION)]
    assert token.totalSupply() == TOKEN_CAP
    assert registry.report_of(a, 2).claimed
    assert registry.report_of(a, 2).reward == 0
    assert registry.epoch_total(1).rewarded == room


def test_claim__at_cap__mints_nothing_and_settles(
    registry, two_nodes, file_report, token, minter, provider, clock
):
    a, _ = two_nodes
    file_report(provider, a, 1)
    warp(clock.final_at(1, TERMS))
    token.mint(minter, TOKEN_CAP - token.totalSupply(), sender=minter)
    assert registry.claim(a, [1], sender=provider) == 0
    assert registry.report_of(a, 1).claimed


def test_claim__epoch_with_zero_emission__pays_nothing(
    registry, two_nodes, file_report, governor, provider, clock
):
    a, _ = two_nodes
    registry.set_epoch_terms(EpochTerms(0).as_tuple(), sender=governor)
    file_report(provider, a, 1)
    warp(clock.final_at(1, TERMS))
    assert registry.claim(a, [1], sender=provider) == 0


def test_claim__after_withdrawal__still_pays(registry, two_nodes, file_report, provider, clock):
    a, _ = two_nodes
    file_report(provider, a, 1)
    registry.deactivate(a, sender=provider)
    warp(registry.node(a).withdrawable_at)
    registry.withdraw_stake(a, sender=provider)
    assert registry.claim(a, [1], sender=provider) == EMISSION


def test_claim__each_epoch_uses_its_own_terms(
    registry, two_nodes, file_report, governor, provider, clock
):
    a, _ = two_nodes
    warp(clock.start(1) + DAY // 2)
    registry.set_epoch_terms(EpochTerms(7 * LDAO).as_tuple(), sender=governor)
    file_report(provider, a, 1)
    file_report(provider, a, 2)
    warp(clock.final_at(2, TERMS))
    assert registry.claim(a, [1, 2], sender=provider) == EMISSION + 7 * LDAO


def test_claim__max_batch__settles_128_epochs(registry, register, governor, provider, clock):
    node_id = register(provider)
    registry.set_epoch_terms(
        EpochTerms(LDAO, reporting_window=3 * 86_400).as_tuple(), sender=governor
    )
    epochs = list(range(2, 130))
    for epoch in epochs:
        warp(clock.end(epoch))
        registry.report(node_id, epoch, 1, 10_000, b"\x01" * 32, sender=provider)
    warp(clock.final_at(129, EpochTerms(LDAO, reporting_window=3 * 86_400)))
    assert registry.claim(node_id, epochs, sender=provider) == 128 * LDAO
