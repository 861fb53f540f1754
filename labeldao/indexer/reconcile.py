"""Compares the ledger with the contracts' own views at the indexed block.

Checked: every token balance seen in a transfer and the total supply, every
task's status, the escrow's books (what each requester, annotator and the
treasury may withdraw, and everything it owes), every node's stake, every
juror's court stake (free + locked + pending withdrawal), and each registry
epoch's report count and total units. Any difference is reported; the CLI exits non-zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from web3 import Web3

from labeldao.indexer import queries
from labeldao.indexer.schema import METADATA

ZERO = "0x" + "00" * 20
_MASK96 = 2**96 - 1

# (contract name, function, args) -> value at the indexed block.
ViewCall = Callable[[str, str, tuple], Any]


@dataclass(frozen=True)
class Difference:
    what: str
    ledger: Any
    chain: Any

    def __str__(self) -> str:
        return f"{self.what}: ledger {self.ledger}, chain {self.chain}"


def _rows(engine: Engine, table: str, chain_id: int) -> list[Any]:
    t = METADATA.tables[table]
    with engine.connect() as connection:
        query = select(t).where(t.c.chain_id == chain_id).order_by(t.c.block_number, t.c.log_index)
        return connection.execute(query).all()


def token_balances(engine: Engine, chain_id: int) -> tuple[dict[str, int], int]:
    """Balances and total supply from the transfers."""
    balances: dict[str, int] = defaultdict(int)
    supply = 0
    for row in _rows(engine, "token_transfers", chain_id):
        if row.sender == ZERO:
            supply += row.value
        else:
            balances[row.sender] -= row.value
        if row.receiver == ZERO:
            supply -= row.value
        else:
            balances[row.receiver] += row.value
    return dict(balances), supply


def node_stakes(engine: Engine, chain_id: int) -> dict[int, int]:
    """Each node's stake after its last stake event."""
    events: list[tuple[int, int, int, int]] = []  # (block, log, node, stake)
    for table, column in (
        ("nodes_registered", "stake"),
        ("node_stake_added", "stake"),
        ("node_slashes", "stake_left"),
        ("node_stake_withdrawals", None),
    ):
        for row in _rows(engine, table, chain_id):
            stake = getattr(row, column) if column else 0
            events.append((row.block_number, row.log_index, row.node_id, stake))
    return {node_id: stake for _, _, node_id, stake in sorted(events)}


def juror_stakes(engine: Engine, chain_id: int) -> dict[str, int]:
    """Each juror's stake in the court (free, locked and pending withdrawal):
    staked, less the stake withdrawn and the penalties of incoherent votes."""
    stakes: dict[str, int] = defaultdict(int)
    for row in _rows(engine, "juror_stakes", chain_id):
        stakes[row.juror] += row.amount
    for row in _rows(engine, "court_withdrawals", chain_id):
        if row.stake:
            stakes[row.account] -= row.stake
    for row in _rows(engine, "juror_settlements", chain_id):
        stakes[row.juror] -= row.penalty
    return dict(stakes)


@dataclass(frozen=True)
class EscrowBooks:
    claimable: dict[str, int]  # account -> credited and not withdrawn (no treasury yet)
    settled_to_treasury: int
    liabilities: int


def escrow_books(engine: Engine, chain_id: int) -> EscrowBooks:
    """TaskEscrow's pull payments from its events: a task holds its reward,
    fee and gold bond from TaskCreated and its stake from TaskClaimed;
    TaskSettled credits the requester (with the returned bond), the
    annotator and the treasury what it held plus the bonus minted; every
    Withdrawn pays out."""
    claimable: dict[str, int] = defaultdict(int)
    parties: dict[int, tuple[str, str]] = {}
    liabilities = treasury = 0
    for row in _rows(engine, "task_created", chain_id):
        liabilities += row.reward + row.fee + row.gold_bond
        parties[row.task_id] = (row.requester, ZERO)
    for row in _rows(engine, "task_claimed", chain_id):
        liabilities += row.stake
        parties[row.task_id] = (parties[row.task_id][0], row.annotator)
    for row in _rows(engine, "task_settled", chain_id):
        liabilities += row.bonus
        requester, annotator = parties[row.task_id]
        claimable[requester] += row.requester_amount
        if row.annotator_amount:
            claimable[annotator] += row.annotator_amount
        treasury += row.treasury_amount
    for row in _rows(engine, "escrow_withdrawals", chain_id):
        liabilities -= row.amount
        claimable[row.account] -= row.amount
    return EscrowBooks(dict(claimable), treasury, liabilities)


def _check_escrow(engine: Engine, chain_id: int, view: ViewCall, check: Callable) -> None:
    books = escrow_books(engine, chain_id)
    check("TaskEscrow.liabilities()", books.liabilities, view("TaskEscrow", "liabilities", ()))
    claimable = dict(books.claimable)
    treasury = view("TaskEscrow", "treasury", ()).lower()
    # The treasury's withdrawals are in `claimable` (Withdrawn by it), its credits here.
    claimable[treasury] = claimable.get(treasury, 0) + books.settled_to_treasury
    for account, amount in sorted(claimable.items()):
        if account == ZERO:
            continue
        check(
            f"TaskEscrow.claimable({account})",
            amount,
            view("TaskEscrow", "claimable", (account,)),
        )


def reconcile(engine: Engine, chain_id: int, view: ViewCall) -> list[Difference]:
    """Every difference between the ledger and the chain's views."""
    differences: list[Difference] = []

    def check(what: str, ledger: Any, chain: Any) -> None:
        if ledger != chain:
            differences.append(Difference(what, ledger, chain))

    balances, supply = token_balances(engine, chain_id)
    check("RewardToken.totalSupply()", supply, view("RewardToken", "totalSupply", ()))
    for account, balance in sorted(balances.items()):
        check(
            f"RewardToken.balanceOf({account})",
            balance,
            view("RewardToken", "balanceOf", (account,)),
        )
    for task in queries.tasks(engine, limit=10**9):
        status = {v: k for k, v in queries.TASK_STATUS.items()}.get(task["status"])
        chain_task = view("TaskEscrow", "tasks", (task["task_id"],))
        check(f"TaskEscrow.tasks({task['task_id']}).status", status, chain_task[2])
    _check_escrow(engine, chain_id, view, check)
    for node_id, stake in sorted(node_stakes(engine, chain_id).items()):
        check(
            f"ComputeRegistry.node({node_id}).stake",
            stake,
            view("ComputeRegistry", "node", (node_id,))[6],
        )
    for juror, stake in sorted(juror_stakes(engine, chain_id).items()):
        # The court's packed juror record (QualityCourt.vy): locked in bits
        # 0..95, pending withdrawal in 96..191; then the free stake.
        record, _account, free, _snapshot = view("QualityCourt", "juror_slots", (juror,))
        locked, pending = record & _MASK96, (record >> 96) & _MASK96
        check(f"QualityCourt.juror_slots({juror}).stake", stake, free + locked + pending)
    for epoch in queries.epochs(engine):
        info = view("ComputeRegistry", "epoch_total", (epoch["epoch"],))
        check(f"ComputeRegistry.epoch_total({epoch['epoch']}).reports", epoch["reports"], info[8])
        check(f"ComputeRegistry.epoch_total({epoch['epoch']}).total_units", epoch["units"], info[6])
    return differences


def web3_view(web3: Any, contracts: dict[str, str], abis: dict[str, Any], block: int) -> ViewCall:
    """A ViewCall through web3.py at `block`."""
    bound = {
        name: web3.eth.contract(address=Web3.to_checksum_address(address), abi=abis[name])
        for name, address in contracts.items()
        if name in abis
    }

    def call(contract: str, function: str, args: tuple) -> Any:
        fixed = tuple(
            Web3.to_checksum_address(a)
            if isinstance(a, str) and a.startswith("0x") and len(a) == 42
            else a
            for a in args
        )
        return getattr(bound[contract].functions, function)(*fixed).call(block_identifier=block)

    return call
