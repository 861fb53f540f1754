"""Index a deployment in-process and reconcile it with the chain, in one call.

What the integration flows and the simulation run at their end (`ape run
index --once --reconcile` does the same from a deployment record):

    checked = index_and_reconcile(web3, {"RewardToken": "0x...", ...}, url)
    assert checked.differences == []

The simulation, on titanoboa's embedded chain (no JSON-RPC), calls
`check_ledger` with `labeldao.boa_logs`'s chain source and views.

The differences are `reconcile`'s (balances, supply, task status, node and
juror stakes, epoch totals) and any summary table that no longer equals a
recomputation from the event rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from web3 import Web3

from labeldao.indexer import summary
from labeldao.indexer.abi import load_abis
from labeldao.indexer.chain import ChainSource, Web3Chain
from labeldao.indexer.cli import Deployment, build_indexer
from labeldao.indexer.reconcile import Difference, ViewCall, reconcile, web3_view
from labeldao.indexer.schema import EVENT_TABLES
from labeldao.indexer.store import Ledger, connect, migrate


@dataclass(frozen=True)
class Reconciled:
    """The indexed ledger (left open for queries), how far it reached, what differs."""

    engine: Engine
    block: int
    events: int
    differences: list[Difference]
    view_calls: int = 0  # the contracts' view calls the ledger was compared with

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
    return check_ledger(
        Web3Chain(web3),
        lambda block: web3_view(web3, indexed, load_abis(list(indexed)), block),
        contracts,
        url,
        start_block,
    )


def check_ledger(
    chain: ChainSource,
    view_at: Callable[[int], ViewCall],
    contracts: dict[str, str],
    url: str,
    start_block: int = 0,
) -> Reconciled:
    """`index_and_reconcile` for any chain source: indexes `contracts` from
    `chain` into `url` up to its head, then reconciles with `view_at(block)`,
    the contracts' views at the indexed block (titanoboa's embedded chain
    brings its own, `labeldao.boa_logs`)."""
    indexed = {name: str(address) for name, address in contracts.items() if name in EVENT_TABLES}
    engine = connect(url)
    migrate(engine)
    indexer = build_indexer(
        chain, engine, Deployment(indexed, start_block), log=lambda _message: None
    )
    progress = indexer.run()
    checkpoint = Ledger(engine).checkpoint(indexer.chain_id)
    block = checkpoint.block_number if checkpoint else start_block
    calls = [0]
    view = view_at(block)

    def counted(contract: str, function: str, args: tuple) -> Any:
        calls[0] += 1
        return view(contract, function, args)

    differences = reconcile(engine, indexer.chain_id, counted)
    with engine.connect() as connection:
        for stale in summary.differences(connection):
            differences.append(Difference(stale, "summary table", "sum of the event rows"))
    return Reconciled(engine, block, progress.events, differences, calls[0])
