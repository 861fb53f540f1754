"""ComputeRegistry: challenges, ERC-1497 evidence and ERC-792 rulings."""

import dataclasses

import boa
import pytest
from eth_abi import encode as abi_encode

from labeldao.boa_tools import deployer
from labeldao.registry import (
    DAY,
    LDAO,
    NODE_ACTIVE,
    NODE_DEACTIVATED,
    REPORT_CHALLENGED,
    REPORT_UPHELD,
    REPORT_VOIDED,
    slash_split,
)
from tests.helpers import events
from tests.unit.registry.conftest import BOND, FEE, now, warp

STAKE = 1_000 * LDAO  # 4 GPUs of tier 1


@pytest.fixture
def filed(register, file_report, provider):
    """Node 1 of `provider` with a report of epoch 1."""
    node_id = register(provider)
    file_report(provider, node_id, 1, units=1_000_000)
    return node_id


# --- challenge ------------------------------------------------------------------


def test_challenge__opens_dispute_pulls_bond_and_fee(
    registry, filed, token, fund, arbitrator, challenger
):
    fund(challenger, BOND + FEE)
    token.approve(registry.address, BOND + FEE, sender=challenger)
    dispute_id = registry.challenge(filed, 1, "ipfs://evidence", sender=challenger)
    logs = registry.get_logs()
    (challenged,) = [e for e in logs if type(e).__name__ == "ReportChallenged"]
    (dispute,) = [e for e in logs if type(e).__name__ == "Dispute"]
    (evidence,) = [e for e in logs if type(e).__name__ == "Evidence"]
    assert dispute_id == 0
    assert (challenged.node_id, challenged.epoch, challenged.challenger) == (filed, 1, challenger)
    assert (challenged.arbitrator, challenged.dispute_id) == (arbitrator.address, 0)
    assert (challenged.bond, challenged.fee) == (BOND, FEE)
    assert (dispute.arbitrator, dispute.dispute_id) == (arbitrator.address, 0)
    assert (dispute.meta_evidence_id, dispute.evidence_group_id) == (0, 0)
    assert (evidence.evidence_group_id, evidence.party) == (0, challenger)
    assert evidence.evidence == "ipfs://evidence"
    assert arbitrator.disputes(0).arbitrable == registry.address
    assert arbitrator.disputes(0).choices == 2
    assert token.balanceOf(arbitrator.address) == FEE
    assert token.balanceOf(registry.address) == STAKE + BOND == registry.accounted()
    assert registry.total_bonds() == BOND
    assert registry.report_of(filed, 1).status == REPORT_CHALLENGED
    assert registry.node(filed).open_challenges == 1
    challenge = registry.challenge_of(filed, 1)
    assert (challenge.challenger, challenge.arbitrator, challenge.dispute_id) == (
        challenger,
        arbitrator.address,
        0,
    )
    assert (challenge.bond, challenge.fee) == (BOND, FEE)
    assert (challenge.fraud_slash_bps, challenge.challenger_share_bps) == (10_000, 5_000)


def test_challenge__sends_the_parties_then_the_params_extra_data(
    registry, filed, governor, default_params, open_challenge, arbitrator, challenger
):
    params = dataclasses.replace(default_params, arbitrator_extra_data=b"\xaa\xbb")
    registry.set_params(params.as_tuple(), sender=governor)
    open_challenge(challenger, filed, 1)
    # The challenger paid the fee: first; the node's owner second.
    owner = registry.node(filed).owner
    assert (
        arbitrator.last_extra_data()
        == abi_encode(["address", "address"], [challenger, owner]) + b"\xaa\xbb"
    )


def test_challenge__with_free_arbitrator__pulls_bond_only(
    registry, filed, arbitrator, open_challenge, token, challenger
):
    arbitrator.set_fee(0)
    open_challenge(challenger, filed, 1)
    assert token.balanceOf(challenger) == FEE
    assert token.balanceOf(arbitrator.address) == 0


def test_challenge__last_second__succeeds_and_after__reverts(
    registry, filed, open_challenge, challenger, provider2
):
    deadline = registry.report_of(filed, 1).challenge_deadline
    warp(deadline)
    with boa.reverts("registry: challenge period over"):
        registry.challenge(filed, 1, "ipfs://late", sender=provider2)
    boa.env.time_travel(seconds=-1)
    open_challenge(challenger, filed, 1)
    assert registry.report_of(filed, 1).status == REPORT_CHALLENGED


def test_challenge__twice__reverts(registry, filed, open_challenge, challenger, provider2):
    open_challenge(challenger, filed, 1)
    with boa.reverts("registry: report already challenged"):
        registry.challenge(filed, 1, "ipfs://again", sender=provider2)


def test_challenge__after_ruling__reverts(registry, filed, open_challenge, arbitrator, challenger):
    arbitrator.give_ruling(open_challenge(challenger, filed, 1), 1)
    with boa.reverts("registry: report already challenged"):
        registry.challenge(filed, 1, "ipfs://again", sender=challenger)


def test_challenge__no_report__reverts(registry, register, provider, challenger):
    node_id = register(provider)
    with boa.reverts("registry: no report"):
        registry.challenge(node_id, 1, "ipfs://x", sender=challenger)


def test_challenge__without_evidence__reverts(registry, filed, challenger):
    with boa.reverts("registry: evidence required"):
        registry.challenge(filed, 1, "", sender=challenger)


def test_challenge__without_allowance__reverts(registry, filed, fund, challenger):
    fund(challenger, BOND + FEE)
    with boa.reverts("erc20: insufficient allowance"):
        registry.challenge(filed, 1, "ipfs://x", sender=challenger)


# --- submit_evidence ---------------------------------------------------------------


def test_submit_evidence__anyone_during_challenge__logs_in_dispute_group(
    registry, filed, open_challenge, arbitrator, challenger, provider, provider2
):
    dispute_id = open_challenge(challenger, filed, 1)
    for party in (provider, provider2):
        registry.submit_evidence(filed, 1, f"ipfs://{party}", sender=party)
        (evidence,) = events(registry, "Evidence")
        assert (evidence.arbitrator, evidence.evidence_group_id) == (arbitrator.address, dispute_id)
        assert (evidence.party, evidence.evidence) == (party, f"ipfs://{party}")


def test_submit_evidence__unchallenged_report__reverts(registry, filed, provider):
    with boa.reverts("registry: report not under challenge"):
        registry.submit_evidence(filed, 1, "ipfs://x", sender=provider)


def test_submit_evidence__after_ruling__reverts(
    registry, filed, open_challenge, arbitrator, challenger
):
    arbitrator.give_ruling(open_challenge(challenger, filed, 1), 2)
    with boa.reverts("registry: report not under challenge"):
        registry.submit_evidence(filed, 1, "ipfs://x", sender=challenger)


def test_submit_evidence__empty__reverts(registry, filed, open_challenge, challenger):
    open_challenge(challenger, filed, 1)
    with boa.reverts("registry: evidence required"):
        registry.submit_evidence(filed, 1, "", sender=challenger)


# --- rule: fraud ---------------------------------------------------------------------


def test_rule__fraud__voids_slashes_and_deactivates(
    registry, filed, open_challenge, arbitrator, challenger, treasury
):
    dispute_id = open_challenge(challenger, filed, 1)
    arbitrator.give_ruling(dispute_id, 2)
    logs = arbitrator.get_logs()
    (slashed,) = [e for e in logs if type(e).__name__ == "NodeSlashed"]
    (ruled,) = [e for e in logs if type(e).__name__ == "ReportRuled"]
    (ruling,) = [e for e in logs if type(e).__name__ == "Ruling"]
    (deactivated,) = [e for e in logs if type(e).__name__ == "NodeDeactivated"]
    to_challenger, to_treasury = slash_split(STAKE, 10_000, 5_000, FEE)
    # The fee comes back first, then half of the rest.
    assert (to_challenger, to_treasury) == (FEE + 485 * LDAO, 485 * LDAO)
    assert (slashed.node_id, slashed.epoch, slashed.amount) == (filed, 1, STAKE)
    assert (slashed.to_challenger, slashed.to_treasury, slashed.stake_left) == (
        to_challenger,
        to_treasury,
        0,
    )
    assert (ruled.dispute_id, ruled.ruling, ruled.status, ruled.units_removed) == (
        dispute_id,
        2,
        REPORT_VOIDED,
        1_000_000,
    )
    assert (ruling.arbitrator, ruling.dispute_id, ruling.ruling) == (
        arbitrator.address,
        dispute_id,
        2,
    )
    assert deactivated.withdrawable_at == now() + 14 * DAY
    node = registry.node(filed)
    assert (node.stake, node.status, node.open_challenges) == (0, NODE_DEACTIVATED, 0)
    assert node.convicted
    assert registry.report_of(filed, 1).status == REPORT_VOIDED
    assert registry.epoch_total(1).total_units == 0
    assert registry.credits(challenger) == BOND + to_challenger
    assert registry.credits(treasury) == to_treasury
    assert registry.challenge_of(filed, 1).ruling == 2
    assert registry.challenge_of(filed, 1).slashed == STAKE
    assert registry.total_bonds() == 0


def test_rule__fraud__credits_are_withdrawable(
    registry, filed, open_challenge, arbitrator, token, challenger, treasury
):
    arbitrator.give_ruling(open_challenge(challenger, filed, 1), 2)
    paid = BOND + FEE + 485 * LDAO
    assert registry.withdraw(sender=challenger) == paid
    (withdrawn,) = events(registry, "Withdrawn")
    assert (withdrawn.account, withdrawn.amount) == (challenger, paid)
    assert registry.withdraw(sender=treasury) == 485 * LDAO
    assert token.balanceOf(challenger) == paid
    assert token.balanceOf(treasury) == 485 * LDAO
    assert registry.credits(challenger) == 0
    assert token.balanceOf(registry.address) == 0 == registry.accounted()


def test_rule__fraud__uses_slash_terms_of_the_challenge(
    registry, filed, open_challenge, arbitrator, governor, default_params, challenger, treasury
):
    dispute_id = open_challenge(challenger, filed, 1)
    milder = dataclasses.replace(
        default_params, fraud_slash_bps=5_000, challenger_share_bps=1, challenge_bond=LDAO
    )
    registry.set_params(milder.as_tuple(), sender=governor)
    arbitrator.give_ruling(dispute_id, 2)
    assert registry.node(filed).stake == 0
    assert registry.credits(challenger) == BOND + FEE + 485 * LDAO
    assert registry.credits(treasury) == 485 * LDAO


def test_rule__fraud_on_full_slash__leaves_zero_stake_withdrawable(
    registry,
    register,
    file_report,
    open_challenge,
    arbitrator,
    governor,
    default_params,
    provider,
    challenger,
):
    registry.set_params(
        dataclasses.replace(default_params, fraud_slash_bps=10_000).as_tuple(), sender=governor
    )
    node_id = register(provider)
    file_report(provider, node_id, 1)
    arbitrator.give_ruling(open_challenge(challenger, node_id, 1), 2)
    assert registry.node(node_id).stake == 0
    warp(registry.node(node_id).withdrawable_at)
    assert registry.withdraw_stake(node_id, sender=provider) == 0


def test_rule__fraud_on_deactivated_node__keeps_its_unbonding_date(
    registry, filed, open_challenge, arbitrator, provider, challenger
):
    registry.deactivate(filed, sender=provider)
    due = registry.node(filed).withdrawable_at
    boa.env.time_travel(seconds=DAY)
    arbitrator.give_ruling(open_challenge(challenger, filed, 1), 2)
    assert [type(e).__name__ for e in arbitrator.get_logs()].count("NodeDeactivated") == 0
    assert [type(e).__name__ for e in arbitrator.get_logs()].count("NodeSlashed") == 1
    assert registry.node(filed).withdrawable_at == due


def test_rule__fraud__slashes_only_the_judged_node(
    registry, register, file_report, open_challenge, arbitrator, provider, provider2, challenger
):
    judged, other = register(provider), register(provider2)
    file_report(provider, judged, 1)
    file_report(provider2, other, 1)
    arbitrator.give_ruling(open_challenge(challenger, judged, 1), 2)
    assert registry.node(judged).stake == 0
    assert registry.node(judged).convicted and not registry.node(other).convicted
    assert registry.node(other).stake == STAKE
    assert registry.node(other).status == NODE_ACTIVE
    assert registry.report_of(other, 1).status == 1


# --- rule: valid and refused ---------------------------------------------------------


def test_rule__valid__upholds_and_pays_bond_to_provider(
    registry, filed, open_challenge, arbitrator, challenger, provider
):
    dispute_id = open_challenge(challenger, filed, 1)
    arbitrator.give_ruling(dispute_id, 1)
    (ruled,) = [e for e in arbitrator.get_logs() if type(e).__name__ == "ReportRuled"]
    assert (ruled.ruling, ruled.status, ruled.units_removed) == (1, REPORT_UPHELD, 0)
    assert registry.report_of(filed, 1).status == REPORT_UPHELD
    assert registry.credits(provider) == BOND
    assert registry.credits(challenger) == 0
    node = registry.node(filed)
    assert (node.stake, node.status, node.open_challenges) == (STAKE, NODE_ACTIVE, 0)
    assert registry.epoch_total(1).total_units == 1_000_000
    assert registry.challenge_of(filed, 1).ruling == 1


def test_rule__refused__upholds_and_returns_bond(
    registry, filed, open_challenge, arbitrator, challenger, provider
):
    arbitrator.give_ruling(open_challenge(challenger, filed, 1), 0)
    assert registry.report_of(filed, 1).status == REPORT_UPHELD
    assert registry.credits(challenger) == BOND
    assert registry.credits(provider) == 0
    assert registry.node(filed).stake == STAKE
    assert registry.challenge_of(filed, 1).ruling == 0


# --- rule: caller checks -------------------------------------------------------------


def test_rule__unknown_dispute__reverts(registry, filed, open_challenge, arbitrator, challenger):
    open_challenge(challenger, filed, 1)
    with boa.reverts("arbitrable: unknown dispute"):
        arbitrator.call_rule(registry.address, 1, 2)


def test_rule__from_another_arbitrator__reverts(registry, filed, open_challenge, token, challenger):
    dispute_id = open_challenge(challenger, filed, 1)
    impostor = deployer("MockArbitrator", "tests/mocks").deploy(token.address, 0)
    with boa.reverts("arbitrable: unknown dispute"):
        impostor.call_rule(registry.address, dispute_id, 2)


def test_rule__from_an_account__reverts(registry, filed, open_challenge, challenger):
    dispute_id = open_challenge(challenger, filed, 1)
    with boa.reverts("arbitrable: unknown dispute"):
        registry.rule(dispute_id, 2, sender=challenger)


def test_rule__out_of_range__reverts(registry, filed, open_challenge, arbitrator, challenger):
    dispute_id = open_challenge(challenger, filed, 1)
    with boa.reverts("arbitrable: ruling out of range"):
        arbitrator.call_rule(registry.address, dispute_id, 3)


def test_rule__twice__reverts(registry, filed, open_challenge, arbitrator, challenger):
    dispute_id = open_challenge(challenger, filed, 1)
    arbitrator.give_ruling(dispute_id, 1)
    with boa.reverts("arbitrable: dispute already ruled"):
        arbitrator.call_rule(registry.address, dispute_id, 2)


def test_rule__after_arbitrator_change__old_arbitrator_still_rules(
    registry,
    filed,
    open_challenge,
    arbitrator,
    token,
    governor,
    default_params,
    challenger,
    provider,
):
    dispute_id = open_challenge(challenger, filed, 1)
    court = deployer("MockArbitrator", "tests/mocks").deploy(token.address, 0)
    registry.set_params(
        dataclasses.replace(default_params, arbitrator=court.address).as_tuple(), sender=governor
    )
    with boa.reverts("arbitrable: unknown dispute"):
        court.call_rule(registry.address, dispute_id, 2)
    arbitrator.give_ruling(dispute_id, 1)
    assert registry.credits(provider) == BOND


# --- withdraw_stake while challenged -------------------------------------------------


def test_withdraw_stake__while_challenged__reverts_until_ruling(
    registry, filed, open_challenge, arbitrator, provider, challenger
):
    dispute_id = open_challenge(challenger, filed, 1)
    registry.deactivate(filed, sender=provider)
    warp(registry.node(filed).withdrawable_at + 30 * DAY)
    with boa.reverts("registry: a report is under challenge, withdraw after the ruling"):
        registry.withdraw_stake(filed, sender=provider)
    arbitrator.give_ruling(dispute_id, 1)
    assert registry.withdraw_stake(filed, sender=provider) == STAKE


def test_unbonding__outlasts_every_challenge_window(
    registry, register, file_report, provider, clock
):
    """A report filed at the last moment after deactivation can still be
    challenged until the stake becomes withdrawable, never after."""
    node_id = register(provider)
    warp(clock.start(2))
    registry.deactivate(node_id, sender=provider)
    file_report(provider, node_id, 1)
    warp(clock.end(1) + DAY - 1)
    assert (
        registry.report_of(node_id, 1).challenge_deadline <= registry.node(node_id).withdrawable_at
    )


# --- a misbehaving arbitrator ---------------------------------------------------


@pytest.fixture
def faulty(registry, token, governor, default_params):
    """Makes a `FaultyArbitrator` (quotes FEE, pulls `pulled`) the registry's."""

    def _faulty(pulled: int):
        contract = deployer("FaultyArbitrator", "tests/mocks").deploy(token.address, FEE, pulled)
        registry.set_params(
            dataclasses.replace(default_params, arbitrator=contract.address).as_tuple(),
            sender=governor,
        )
        return contract

    return _faulty


def test_challenge__arbitrator_takes_less_than_quoted__reverts(
    registry, faulty, filed, open_challenge, challenger
):
    faulty(FEE - 1)
    with boa.reverts("arbitrable: arbitrator did not take its fee"):
        open_challenge(challenger, filed, 1)
    assert registry.report_of(filed, 1).status != REPORT_CHALLENGED
    assert registry.total_bonds() == 0


def test_challenge__arbitrator_reuses_a_dispute_id__reverts(
    registry, faulty, register, file_report, provider, open_challenge, challenger
):
    faulty(FEE)
    first, second = register(provider), register(provider)
    file_report(provider, first, 1, units=1_000)
    file_report(provider, second, 1, units=1_000)
    open_challenge(challenger, first, 1)
    with boa.reverts("arbitrable: dispute id reused"):
        open_challenge(challenger, second, 1)
    assert registry.report_of(first, 1).status == REPORT_CHALLENGED
    assert registry.report_of(second, 1).status != REPORT_CHALLENGED
