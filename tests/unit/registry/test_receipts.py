"""ComputeRegistry: on-chain receipt leaves and proofs match labeldao.receipts."""

import boa
import pytest
from eth_utils import keccak

from labeldao.boa_tools import deployer
from labeldao.receipts import EpochReceipts, JobReceipt
from labeldao.registry import EpochTerms
from tests.unit.registry.conftest import EMISSION, warp


def _receipts(node_id: int, epoch: int, n: int) -> list[JobReceipt]:
    return [
        JobReceipt(
            job_id=keccak(text=f"job-{i}"),
            node_id=node_id,
            epoch=epoch,
            client="0x00000000000000000000000000000000000000c1",
            work_units=1_000 + i,
            output_hash=keccak(text=f"out-{i}"),
        )
        for i in range(n)
    ]


def test_receipt_leaf__matches_python(lens):
    receipt = _receipts(1, 1, 1)[0]
    assert lens.receipt_leaf(receipt.as_row()) == receipt.leaf()


@pytest.mark.parametrize("size", [1, 2, 5, 16])
def test_verify_receipt__every_receipt_of_a_report__verifies(
    registry, lens, register, provider, clock, size
):
    node_id = register(provider)
    batch = EpochReceipts.of(node_id, 1, _receipts(node_id, 1, size))
    warp(clock.end(1))
    registry.report(node_id, 1, batch.work_units, 10_000, batch.root, sender=provider)
    for receipt in batch.receipts:
        assert lens.verify_receipt(node_id, 1, receipt.as_row(), batch.proof(receipt))


def test_verify_receipt__forged_or_misplaced__fails(registry, lens, register, provider, clock):
    node_id = register(provider)
    batch = EpochReceipts.of(node_id, 1, _receipts(node_id, 1, 4))
    warp(clock.end(1))
    registry.report(node_id, 1, batch.work_units, 10_000, batch.root, sender=provider)
    honest = batch.receipts[0]
    forged = JobReceipt(**{**honest.__dict__, "work_units": honest.work_units * 100})
    assert not lens.verify_receipt(node_id, 1, forged.as_row(), batch.proof(honest))
    assert not lens.verify_receipt(node_id, 2, honest.as_row(), batch.proof(honest))
    assert not lens.verify_receipt(node_id + 1, 1, honest.as_row(), batch.proof(honest))


def test_lens__without_registry__reverts():
    with boa.reverts("lens: registry is the zero address"):
        deployer("ComputeRegistryLens").deploy("0x" + "00" * 20)


def test_lens__pending_reward__unknown_report_is_zero(lens, register, provider):
    node_id = register(provider)
    assert lens.REGISTRY() != "0x" + "00" * 20
    assert lens.pending_reward(node_id, 1) == 0


def test_lens__reads_the_report_of_node_and_epoch_in_that_order(
    registry, lens, register, provider, clock
):
    """Node 2's report for epoch 1, with node 1 registered and silent: the
    lens must not read node 1's report for epoch 2 (which does not exist)."""
    register(provider)
    node_id = register(provider)
    assert node_id != 1
    batch = EpochReceipts.of(node_id, 1, _receipts(node_id, 1, 3))
    warp(clock.end(1))
    registry.report(node_id, 1, batch.work_units, 10_000, batch.root, sender=provider)
    receipt = batch.receipts[1]
    assert lens.verify_receipt(node_id, 1, receipt.as_row(), batch.proof(receipt))
    warp(clock.final_at(1, EpochTerms(EMISSION)))
    assert lens.pending_reward(node_id, 1) == EMISSION


def test_verify_receipt__proof_of_64_hashes_is_checked_and_65_refused(
    registry, lens, register, provider, clock
):
    """Proofs hold at most 64 hashes (trees of up to 2**64 receipts): one of
    64 is checked (here it is wrong), a longer one is refused by the ABI
    decoder."""
    node_id = register(provider)
    batch = EpochReceipts.of(node_id, 1, _receipts(node_id, 1, 2))
    warp(clock.end(1))
    registry.report(node_id, 1, batch.work_units, 10_000, batch.root, sender=provider)
    receipt = batch.receipts[0]
    proof = batch.proof(receipt)
    padding = [b"\x00" * 32] * (64 - len(proof))
    assert not lens.verify_receipt(node_id, 1, receipt.as_row(), proof + padding)
    with boa.reverts():
        lens.verify_receipt(node_id, 1, receipt.as_row(), [*proof, *padding, b"\x00" * 32])
