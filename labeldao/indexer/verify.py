"""Index a deployment in-process and reconcile it with the chain, in one call.

What the integration flows and the simulation run at their end (`ape run
index --once --reconcile` does the same from a deployment record):

    checked = index_and_reconcile(web3, {"RewardToken": "0x...", ...}, url)
    assert checked.differences == []

The differences are `reconcile`'s (balances, supply, task status, node and
juror stakes, epoch totals) and any summary table that no longer equals a
recomputation from the event rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from web3 import Web3

from labeldao.indexer import summary
from labeldao.indexer.abi import load_abis
from labeldao.indexer.chain import Web3Chain
from labeldao.indexer.cli import Deployment, build_indexer
from labeldao.indexer.reconcile import Difference, reconcile, web3_view
from labeldao.indexer.schema import EVENT_TABLES
from labeldao.indexer.store import Ledger, connect, migrate


@dataclass(frozen=True)
class Reconciled:
    """The indexed ledger (left open for queries), how far it reached, what differs."""

    engine: Engine
    block: int
    events: int
    differences: list[Difference]

    def report(self) -> str:
        """One line per difference, or a line saying the ledger matches."""
        if not self.differences:
            return f"the ledger matches the chain at block {self.block} ({self.events} events)"
        return "\n".join(f"DIFFERENT {difference}" for difference in self.differences)


def index_and_reconcile(
    web3: Web3, contracts: dict[str, str], url: str, start_block: int = 0
) -> Reconciled:
    """Indexes `contracts` (name -> address; names the ledger does not index are
    left out) into the database at `url` up to the head, then reconciles."""
    indexed = {name: str(address) for name, address in contracts.items() if name in EVENT_TABLES}
    engine = connect(url)
    migrate(engine)
    chain = Web3Chain(web3)
    indexer = build_indexer(
        chain, engine, Deployment(indexed, start_block), log=lambda _message: None
    )
    progress = indexer.run()
    checkpoint = Ledger(engine).checkpoint(indexer.chain_id)
    block = checkpoint.block_number if checkpoint else start_block
    view = web3_view(web3, indexed, load_abis(list(indexed)), block)
    differences = reconcile(engine, indexer.chain_id, view)
    with engine.connect() as connection:
        for stale in summary.differences(connection):
            differences.append(Difference(stale, "summary table", "sum of the event rows"))
    return Reconciled(engine, block, progress.events, differences)
