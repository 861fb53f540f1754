"""ComputeRegistry end to end through Ape (embedded chain, or anvil with
`--network ethereum:local:foundry`), with `MockArbitrator` standing in for
the court:

- register -> report -> challenge -> court -> slash -> withdraw credits;
- register -> report -> finalize -> claim, over several epochs and nodes;
- deactivate -> unbonding -> withdraw, held back by an open challenge;
- receipts built with `labeldao.receipts`, reported and verified on chain;
- the whole ledger rebuilt from the chain's logs (`labeldao.ledger`) equals
  what the views return.
"""

from __future__ import annotations

import ape
import pytest
from eth_utils import keccak

from labeldao.ledger import rebuild
from labeldao.receipts import EpochReceipts, JobReceipt
from labeldao.registry import (
    DAY,
    LDAO,
    NODE_DEACTIVATED,
    REPORT_UPHELD,
    REPORT_VOIDED,
    EpochClock,
    EpochTerms,
    effective_units,
    reward,
    slash_split,
)

EPOCH = DAY
EMISSION = 1_000 * LDAO
FEE = 30 * LDAO
BOND = 500 * LDAO
SPECS = keccak(text="specs: 8x A100")
TERMS = EpochTerms(EMISSION)


@pytest.fixture(scope="module")
def providers(accounts):
    return accounts[1], accounts[2], accounts[3]


@pytest.fixture(scope="module")
def challenger(accounts):
    return accounts[4]


@pytest.fixture(scope="module")
def treasury(accounts):
    return accounts[5]


@pytest.fixture(scope="module")
def arbitrator(mock, token, deployer):
    return mock("MockArbitrator").deploy(token, FEE, sender=deployer)


@pytest.fixture(scope="module")
def registry(project, chain, token, arbitrator, deployer, treasury):
    contract = project.ComputeRegistry.deploy(
        token,
        arbitrator,
        treasury,
        EPOCH,
        chain.blocks.head.timestamp,
        EMISSION,
        "ipfs://registry-rules",
        sender=deployer,
    )
    token.grantRole(token.MINTER_ROLE(), contract, sender=deployer)
    return contract


@pytest.fixture(scope="module")
def clock(registry) -> EpochClock:
    return EpochClock(registry.GENESIS(), registry.EPOCH_LENGTH())


@pytest.fixture
def warp(chain):
    """Mines a block at `timestamp` (if it is ahead) so calls see it."""

    def _warp(timestamp: int) -> None:
        if timestamp > chain.blocks.head.timestamp:
            chain.mine(timestamp=timestamp)

    return _warp


def _register(registry, token, deployer, owner, gpus: int, tier: int) -> int:
    stake = registry.required_stake(tier, gpus)
    token.mint(owner, stake, sender=deployer)
    token.approve(registry, stake, sender=owner)
    receipt = registry.register_node(SPECS, "ipfs://specs", gpus, tier, sender=owner)
    (event,) = receipt.decode_logs(registry.NodeRegistered)
    return event.node_id


def test_flow__report_challenge_court_slash(
    registry, token, arbitrator, deployer, providers, challenger, treasury, clock, warp
):
    honest, cheat = providers[0], providers[1]
    honest_id = _register(registry, token, deployer, honest, 4, 1)
    cheat_id = _register(registry, token, deployer, cheat, 8, 2)
    cheat_stake = registry.node(cheat_id).stake
    warp(clock.end(1) + 60)
    registry.report(honest_id, 1, 2_000_000, 10_000, keccak(text="honest"), sender=honest)
    registry.report(cheat_id, 1, 50_000_000, 10_000, keccak(text="inflated"), sender=cheat)

    token.mint(challenger, BOND + FEE, sender=deployer)
    token.approve(registry, BOND + FEE, sender=challenger)
    receipt = registry.challenge(cheat_id, 1, "ipfs://evidence", sender=challenger)
    (challenged,) = receipt.decode_logs(registry.ReportChallenged)
    assert (challenged.bond, challenged.fee) == (BOND, FEE)
    registry.submit_evidence(cheat_id, 1, "ipfs://provider-answer", sender=cheat)

    receipt = arbitrator.give_ruling(challenged.dispute_id, 2, sender=deployer)
    (slashed,) = receipt.decode_logs(registry.NodeSlashed)
    to_challenger, to_treasury = slash_split(cheat_stake, 10_000, 5_000, FEE)
    assert (slashed.amount, slashed.to_challenger, slashed.to_treasury) == (
        to_challenger + to_treasury,
        to_challenger,
        to_treasury,
    )
    assert registry.report_of(cheat_id, 1).status == REPORT_VOIDED
    assert registry.node(cheat_id).status == NODE_DEACTIVATED
    assert registry.node(cheat_id).convicted
    assert registry.node(honest_id).stake == registry.required_stake(1, 4)

    registry.withdraw(sender=challenger)
    registry.withdraw(sender=treasury)
    assert token.balanceOf(challenger) == BOND + to_challenger
    assert token.balanceOf(treasury) == to_treasury
    assert token.balanceOf(registry) == registry.accounted()

    # Voided before the epoch was final: the honest node gets all of it.
    warp(clock.final_at(1, TERMS))
    registry.claim(honest_id, [1], sender=honest)
    assert token.balanceOf(honest) == EMISSION


def test_flow__report_finalize_claim_across_epochs_and_nodes(
    registry, token, deployer, providers, clock, warp
):
    shapes = [(2, 0), (4, 1), (1, 3)]
    nodes = [
        _register(registry, token, deployer, owner, gpus, tier)
        for owner, (gpus, tier) in zip(providers, shapes, strict=True)
    ]
    load = {  # (node index, epoch) -> (units, uptime)
        (0, 1): (100_000, 10_000),
        (1, 1): (300_000, 9_000),
        (2, 1): (50_000, 10_000),
        (0, 2): (100_000, 5_000),
        (1, 2): (200_000, 10_000),
        (0, 3): (400_000, 10_000),
        (2, 3): (400_000, 2_500),
    }
    for epoch in (1, 2, 3):
        warp(clock.end(epoch) + 120)
        for (index, e), (units, uptime) in load.items():
            if e == epoch:
                registry.report(
                    nodes[index],
                    epoch,
                    units,
                    uptime,
                    keccak(text=f"{index}-{e}"),
                    sender=providers[index],
                )

    totals = {
        e: sum(effective_units(u, up) for (i, ee), (u, up) in load.items() if ee == e)
        for e in (1, 2, 3)
    }
    for e, total in totals.items():
        assert registry.epoch_total(e).total_units == total

    warp(clock.final_at(3, TERMS))
    for index, node_id in enumerate(nodes):
        epochs = [e for (i, e) in load if i == index]
        expected = sum(
            reward(EMISSION, effective_units(*load[(index, e)]), totals[e]) for e in epochs
        )
        receipt = registry.claim(node_id, epochs, sender=providers[index])
        claimed = receipt.decode_logs(registry.RewardClaimed)
        assert [c.epoch for c in claimed] == epochs
        assert sum(c.amount for c in claimed) == expected
        assert token.balanceOf(providers[index]) == expected

    for e in (1, 2, 3):
        rewarded = registry.epoch_total(e).rewarded
        assert EMISSION - 3 <= rewarded <= EMISSION


def test_flow__unbonding_waits_for_the_ruling(
    registry, token, arbitrator, deployer, providers, challenger, clock, warp
):
    owner = providers[0]
    node_id = _register(registry, token, deployer, owner, 2, 1)
    warp(clock.end(1) + 10)
    registry.report(node_id, 1, 10_000, 10_000, keccak(text="r"), sender=owner)
    registry.deactivate(node_id, sender=owner)
    token.mint(challenger, BOND + FEE, sender=deployer)
    token.approve(registry, BOND + FEE, sender=challenger)
    receipt = registry.challenge(node_id, 1, "ipfs://weak-evidence", sender=challenger)
    (challenged,) = receipt.decode_logs(registry.ReportChallenged)

    warp(registry.node(node_id).withdrawable_at + 1)
    with ape.reverts("registry: a report is under challenge, withdraw after the ruling"):
        registry.withdraw_stake(node_id, sender=owner)
    arbitrator.give_ruling(challenged.dispute_id, 1, sender=deployer)
    assert registry.report_of(node_id, 1).status == REPORT_UPHELD

    registry.withdraw_stake(node_id, sender=owner)
    registry.withdraw(sender=owner)
    assert token.balanceOf(owner) == registry.required_stake(1, 2) + BOND
    assert token.balanceOf(registry) == registry.accounted() == 0


def test_flow__receipts_reported_and_verified_on_chain(
    project, registry, token, deployer, providers, clock, warp
):
    owner = providers[2]
    node_id = _register(registry, token, deployer, owner, 1, 0)
    receipts = [
        JobReceipt(
            job_id=keccak(text=f"job-{i}"),
            node_id=node_id,
            epoch=1,
            client=str(providers[0]),
            work_units=10_000 * (i + 1),
            output_hash=keccak(text=f"weights-{i}"),
        )
        for i in range(5)
    ]
    batch = EpochReceipts.of(node_id, 1, receipts)
    warp(clock.end(1) + 10)
    registry.report(node_id, 1, batch.work_units, 10_000, batch.root, sender=owner)
    lens = project.ComputeRegistryLens.deploy(registry, sender=deployer)
    for receipt in receipts:
        assert lens.verify_receipt(node_id, 1, receipt.as_row(), batch.proof(receipt))
    assert registry.report_of(node_id, 1).work_units == sum(r.work_units for r in receipts)


def _registry_logs(registry, chain) -> list:
    """Every event the registry logged, in chain order."""
    head = chain.blocks.head.number
    logs = [
        log
        for abi in registry.contract_type.events
        for log in getattr(registry, abi.name).range(0, head + 1)
    ]
    return sorted(logs, key=lambda log: (log.block_number, log.log_index))


def test_flow__ledger_rebuilt_from_logs_matches_views(
    registry, token, arbitrator, deployer, providers, challenger, clock, warp, chain
):
    owners = list(providers)
    nodes = [_register(registry, token, deployer, owner, 2, 1) for owner in owners]
    token.mint(owners[0], registry.required_stake(1, 3), sender=deployer)
    token.approve(registry, registry.required_stake(1, 3), sender=owners[0])
    registry.add_stake(nodes[0], 3, sender=owners[0])
    registry.update_node(nodes[1], keccak(text="specs v2"), "ipfs://v2", sender=owners[1])
    for epoch in (1, 2):
        warp(clock.end(epoch) + 60)
        for index, node_id in enumerate(nodes):
            units = 10_000 * (index + 1) * epoch
            registry.report(
                node_id,
                epoch,
                units,
                9_000,
                keccak(text=f"{node_id}/{epoch}"),
                sender=owners[index],
            )
    token.mint(challenger, 2 * (BOND + FEE), sender=deployer)
    token.approve(registry, 2 * (BOND + FEE), sender=challenger)
    fraud = registry.challenge(nodes[2], 2, "ipfs://a", sender=challenger)
    valid = registry.challenge(nodes[1], 2, "ipfs://b", sender=challenger)
    (fraud_event,) = fraud.decode_logs(registry.ReportChallenged)
    (valid_event,) = valid.decode_logs(registry.ReportChallenged)
    arbitrator.give_ruling(fraud_event.dispute_id, 2, sender=deployer)
    arbitrator.give_ruling(valid_event.dispute_id, 1, sender=deployer)
    warp(clock.final_at(2, TERMS))
    registry.claim(nodes[0], [1, 2], sender=owners[0])
    registry.claim(nodes[1], [2], sender=owners[1])
    registry.deactivate(nodes[0], sender=owners[0])
    warp(registry.node(nodes[2]).withdrawable_at)
    registry.withdraw_stake(nodes[2], sender=owners[2])

    ledger = rebuild(
        (log.event_name, log.event_arguments) for log in _registry_logs(registry, chain)
    )

    assert sorted(ledger.nodes) == nodes
    for node_id, record in ledger.nodes.items():
        view = registry.node(node_id)
        assert (record.owner, record.tier, record.gpu_count, record.stake) == (
            view.owner,
            view.tier,
            view.gpu_count,
            view.stake,
        )
        assert (record.status, record.first_epoch, record.end_epoch) == (
            view.status,
            view.first_epoch,
            view.end_epoch,
        )
        assert (record.withdrawable_at, record.specs_hash, record.convicted) == (
            view.withdrawable_at,
            view.specs_hash,
            view.convicted,
        )
    assert len(ledger.reports) == 6
    for (node_id, epoch), record in ledger.reports.items():
        view = registry.report_of(node_id, epoch)
        assert (record.work_units, record.uptime_bps, record.effective_units) == (
            view.work_units,
            view.uptime_bps,
            view.effective_units,
        )
        assert (record.receipts_root, record.status) == (view.receipts_root, view.status)
        assert (record.claimed, record.reward) == (view.claimed, view.reward)
    for epoch, record in ledger.epochs.items():
        view = registry.epoch_total(epoch)
        assert (record.total_units, record.rewarded, record.reports) == (
            view.total_units,
            view.rewarded,
            view.reports,
        )
    assert ledger.reports[(nodes[2], 2)].status == REPORT_VOIDED
    assert ledger.reports[(nodes[1], 2)].ruling == 1
