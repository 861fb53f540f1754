"""`ape run index`: LabelDAO's ledger indexer on the connected network.

    ape run index --network ethereum:local:foundry --once
    ape run index --network ethereum:sepolia:node --confirmations 12
    DATABASE_URL=postgresql://user@host/ledger ape run index --network ...
    ape run index --network ethereum:sepolia:node --reconcile

It reads the contracts of `deployments/<network>.json` (written by `ape run
deploy`; `--deployment FILE` for another), backfills their events into the
database ($DATABASE_URL, else `.labeldao/ledger.sqlite`), then follows the
head (`--once`: stops there). `--reconcile` compares the ledger with the
contracts' views at the indexed block and exits 2 on any difference. The
logic lives in `labeldao.indexer`; this file only connects Ape's node to it.
"""

from __future__ import annotations

from pathlib import Path

import click
from ape.api import NetworkAPI, ProviderAPI
from ape.cli import ConnectedProviderCommand

from labeldao.deployments import Network
from labeldao.indexer.chain import Web3Chain
from labeldao.indexer.cli import guarded, read_deployment, run_index, run_reconcile

# Public networks reorganise; a few blocks of depth make rewinds rare.
PUBLIC_CONFIRMATIONS = 12


def _chain(network: NetworkAPI, provider: ProviderAPI) -> Web3Chain:
    if network.name == "local" and provider.name in ("test", "titanoboa", "boa"):
        raise click.ClickException(
            f"the {provider.name} chain lives inside one process and cannot be indexed from "
            "another: run a node (--network ethereum:local:foundry) and deploy there"
        )
    return Web3Chain(provider.web3)


@click.command(cls=ConnectedProviderCommand)
@click.option("--deployment", "record", type=click.Path(path_type=Path), help="deployment record")
@click.option("--database", "url", help="SQLAlchemy URL (default $DATABASE_URL, else SQLite)")
@click.option("--once", is_flag=True, help="stop at the head instead of following it")
@click.option(
    "--confirmations",
    type=click.IntRange(0),
    help=f"blocks kept behind the head (default 0 locally, {PUBLIC_CONFIRMATIONS} elsewhere)",
)
@click.option("--span", type=click.IntRange(1), default=2_000, show_default=True)
@click.option("--poll", type=float, default=2.0, show_default=True, help="seconds between polls")
@click.option("--reset", "wipe", is_flag=True, help="forget what this database indexed first")
@click.option(
    "--reconcile", is_flag=True, help="compare with the contracts' views; exit 2 if any differ"
)
def cli(
    network: NetworkAPI,
    provider: ProviderAPI,
    record: Path | None,
    url: str | None,
    once: bool,
    confirmations: int | None,
    span: int,
    poll: float,
    wipe: bool,
    reconcile: bool,
) -> None:
    """Index LabelDAO's events into SQL (backfill, then follow the head)."""
    chain = _chain(network, provider)
    path = record or Network.of(network, provider).record_path()
    if confirmations is None:
        confirmations = 0 if network.name == "local" else PUBLIC_CONFIRMATIONS

    def go() -> int:
        deployment = read_deployment(path, chain)
        if reconcile:
            return run_reconcile(chain, deployment, url)
        run_index(chain, deployment, url, once, confirmations, span, poll, wipe)
        return 0

    if guarded(go):
        raise SystemExit(2)
