"""labeldao.receipts: job receipts, their tree and inclusion proofs (off-chain)."""

import pytest
from eth_abi import encode
from eth_utils import keccak
from hypothesis import given
from hypothesis import strategies as st

from labeldao.merkle import leaf_hash
from labeldao.receipts import (
    RECEIPT_TYPES,
    EpochReceipts,
    JobReceipt,
    receipts_root,
    verify_receipt,
)

CLIENT = "0x00000000000000000000000000000000000000c1"


def _receipt(job: int, node_id: int = 1, epoch: int = 5, units: int = 100) -> JobReceipt:
    return JobReceipt(
        job_id=keccak(text=f"job-{job}"),
        node_id=node_id,
        epoch=epoch,
        client=CLIENT,
        work_units=units,
        output_hash=keccak(text=f"output-{job}"),
    )


def test_leaf__is_the_standard_double_hash_of_the_row():
    receipt = _receipt(1)
    assert receipt.leaf() == leaf_hash(RECEIPT_TYPES, receipt.as_row())
    assert receipt.leaf() == keccak(keccak(encode(list(RECEIPT_TYPES), list(receipt.as_row()))))


def test_epoch_receipts__sum_units_and_prove_every_receipt():
    receipts = [_receipt(i, units=10 * i) for i in range(1, 8)]
    batch = EpochReceipts.of(1, 5, receipts)
    assert batch.work_units == sum(10 * i for i in range(1, 8))
    assert batch.root == receipts_root(1, 5, receipts)
    for receipt in receipts:
        assert verify_receipt(batch.root, receipt, batch.proof(receipt))


def test_verify_receipt__altered_units__fails():
    receipts = [_receipt(i) for i in range(4)]
    batch = EpochReceipts.of(1, 5, receipts)
    inflated = JobReceipt(**{**receipts[0].__dict__, "work_units": 10**9})
    assert not verify_receipt(batch.root, inflated, batch.proof(receipts[0]))


def test_epoch_receipts__of_another_node_or_epoch__rejected():
    with pytest.raises(ValueError, match="not node 1 epoch 5"):
        EpochReceipts.of(1, 5, [_receipt(1), _receipt(2, node_id=2)])
    with pytest.raises(ValueError, match="not node 1 epoch 5"):
        EpochReceipts.of(1, 5, [_receipt(1, epoch=4)])


def test_epoch_receipts__duplicate_job_or_empty__rejected():
    with pytest.raises(ValueError, match="duplicate job id"):
        EpochReceipts.of(1, 5, [_receipt(1), _receipt(1, units=7)])
    with pytest.raises(ValueError, match="at least one receipt"):
        EpochReceipts.of(1, 5, [])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("job_id", b"\x01" * 31, "job_id must be 32 bytes"),
        ("output_hash", b"", "output_hash must be 32 bytes"),
        ("node_id", 0, "node_id starts at 1"),
        ("work_units", -1, "must not be negative"),
    ],
)
def test_job_receipt__malformed__rejected(field, value, message):
    with pytest.raises(ValueError, match=message):
        JobReceipt(**{**_receipt(1).__dict__, field: value})


@given(st.lists(st.integers(min_value=0, max_value=2**64), min_size=1, max_size=30))
def test_any_batch__proves_every_receipt(units):
    """Invariant: every receipt of any batch has a proof that reaches its root."""
    receipts = [_receipt(i, units=u) for i, u in enumerate(units)]
    batch = EpochReceipts.of(1, 5, receipts)
    assert batch.work_units == sum(units)
    assert all(verify_receipt(batch.root, r, batch.proof(r)) for r in receipts)
