"""Job receipts of GPU nodes and the `receipts_root` of their epoch reports.

A provider reports each epoch to `ComputeRegistry.report` with the Merkle root
of the epoch's job receipts. A receipt is one finished job:

    (job_id bytes32, node_id uint256, epoch uint256, client address,
     work_units uint256, output_hash bytes32)

`work_units` are TFLOP (10**12 dense FP16 operations) delivered for the job;
the report's `work_units` is the sum over the epoch's receipts. The tree is
an OpenZeppelin StandardMerkleTree over those rows (`labeldao.merkle`), so
`ComputeRegistryLens.verify_receipt` (snekmate's verifier) and OpenZeppelin's
JavaScript library accept the same proofs. Binding `node_id` and `epoch` into
every leaf means a receipt cannot be replayed in another node's or another
epoch's report without the leaf itself showing it.

Typical use, on the provider's side:

    batch = EpochReceipts.of(node_id, epoch, receipts)
    registry.report(node_id, epoch, batch.work_units, uptime_bps, batch.root)

and on a challenger's (or a juror's) side:

    proof = batch.proof(receipt)
    assert verify_receipt(report_root, receipt, proof)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from labeldao.merkle import ValueTree, leaf_hash, verify

RECEIPT_TYPES: tuple[str, ...] = ("bytes32", "uint256", "uint256", "address", "uint256", "bytes32")


@dataclass(frozen=True)
class JobReceipt:
    """One job a node ran in an epoch, as the receipts tree commits to it."""

    job_id: bytes
    node_id: int
    epoch: int
    client: str
    work_units: int
    output_hash: bytes

    def __post_init__(self) -> None:
        for name in ("job_id", "output_hash"):
            if len(getattr(self, name)) != 32:
                raise ValueError(f"{name} must be 32 bytes")
        if self.node_id <= 0:
            raise ValueError("node_id starts at 1")
        if self.epoch < 0 or self.work_units < 0:
            raise ValueError("epoch and work_units must not be negative")

    def as_row(self) -> tuple[bytes, int, int, str, int, bytes]:
        """The ABI row of the leaf, in `RECEIPT_TYPES` order (also the
        tuple the contract's `Receipt` struct argument takes)."""
        return (
            self.job_id,
            self.node_id,
            self.epoch,
            self.client,
            self.work_units,
            self.output_hash,
        )

    def leaf(self) -> bytes:
        """`keccak256(keccak256(abi_encode(row)))`, as `receipt_leaf` computes."""
        return leaf_hash(RECEIPT_TYPES, self.as_row())


@dataclass(frozen=True)
class EpochReceipts:
    """The receipts of one node in one epoch, and their tree."""

    node_id: int
    epoch: int
    receipts: tuple[JobReceipt, ...]
    tree: ValueTree

    @classmethod
    def of(cls, node_id: int, epoch: int, receipts: Iterable[JobReceipt]) -> EpochReceipts:
        """Builds the tree; every receipt must name this node and epoch and
        have a distinct job id, and there must be at least one."""
        rows = tuple(receipts)
        if not rows:
            raise ValueError("an epoch report needs at least one receipt")
        for receipt in rows:
            if (receipt.node_id, receipt.epoch) != (node_id, epoch):
                raise ValueError(
                    f"receipt {receipt.job_id.hex()} is for node {receipt.node_id} "
                    f"epoch {receipt.epoch}, not node {node_id} epoch {epoch}"
                )
        if len({r.job_id for r in rows}) != len(rows):
            raise ValueError("duplicate job id in the receipts")
        tree = ValueTree.of(RECEIPT_TYPES, [r.as_row() for r in rows])
        return cls(node_id=node_id, epoch=epoch, receipts=rows, tree=tree)

    @property
    def root(self) -> bytes:
        """The `receipts_root` to report."""
        return self.tree.root

    @property
    def work_units(self) -> int:
        """The `work_units` to report: the sum over the receipts."""
        return sum(r.work_units for r in self.receipts)

    def proof(self, receipt: JobReceipt) -> list[bytes]:
        """The inclusion proof of one receipt."""
        return self.tree.proof(receipt.as_row())


def receipts_root(node_id: int, epoch: int, receipts: Iterable[JobReceipt]) -> bytes:
    """The `receipts_root` of a node's receipts for an epoch."""
    return EpochReceipts.of(node_id, epoch, receipts).root


def verify_receipt(root: bytes, receipt: JobReceipt, proof: Sequence[bytes]) -> bool:
    """True when `proof` shows `receipt` is in the tree of `root`."""
    return verify(root, receipt.leaf(), proof)
