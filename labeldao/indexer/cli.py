"""The ledger's command line, free of Ape: `python -m labeldao.indexer ...`.

    python -m labeldao.indexer index --rpc URL --deployment deployments/sepolia.json
    python -m labeldao.indexer ledger providers --top 20 --format csv
    python -m labeldao.indexer reconcile --rpc URL --deployment FILE

`ape run index` and `ape run ledger` call the same functions with the
connected network's node and deployment record. The database is
$DATABASE_URL, else `.labeldao/ledger.sqlite`.
"""

from __future__ import annotations

import csv
import io
import json
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from web3 import Web3

from labeldao.deployments import RecordError, read_record
from labeldao.indexer import queries
from labeldao.indexer.abi import AbiError, load_abis
from labeldao.indexer.chain import ChainError, ChainSource, Web3Chain
from labeldao.indexer.decode import DecodeError, LogDecoder
from labeldao.indexer.indexer import Indexer, IndexerError
from labeldao.indexer.reconcile import reconcile, web3_view
from labeldao.indexer.schema import EVENT_TABLES
from labeldao.indexer.store import Ledger, StoreError, connect, database_url, migrate

ERRORS = (AbiError, ChainError, DecodeError, IndexerError, StoreError, SQLAlchemyError, OSError)


@dataclass(frozen=True)
class Deployment:
    """The contracts of a deployment record and the block to start indexing at."""

    contracts: dict[str, str]
    start_block: int


def read_deployment(path: Path, chain: Web3Chain) -> Deployment:
    """Addresses from `deployments/<network>.json`; the start block is the
    earliest block of the recorded deployment transactions (0 if unknown)."""
    if not path.exists():
        raise StoreError(f"{path}: no deployment record (run `ape run deploy` first)")
    try:
        entries = read_record(path).contracts
    except RecordError as error:
        raise StoreError(str(error)) from None
    contracts = {name: entry["address"] for name, entry in entries.items()}
    blocks = [entry.get("block") for entry in entries.values()]
    if None in blocks:
        blocks = [chain.transaction_block(entry.get("tx_hash")) for entry in entries.values()]
    known = [b for b in blocks if b is not None]
    return Deployment(contracts, min(known) if len(known) == len(blocks) else 0)


def open_ledger(url: str | None = None) -> Engine:
    """The database at `url` ($DATABASE_URL, the SQLite default), migrated to head."""
    engine = connect(database_url(url))
    migrate(engine)
    return engine


def build_indexer(
    chain: ChainSource,
    engine: Engine,
    deployment: Deployment,
    confirmations: int = 0,
    span: int = 2_000,
    log: Callable[[str], None] = print,
) -> Indexer:
    """An indexer of the deployment's contracts; refuses a ledger of other contracts."""
    names = [name for name in deployment.contracts if name in EVENT_TABLES]
    abis = load_abis(names)
    decoder = LogDecoder.build({n: deployment.contracts[n] for n in names}, abis)
    ledger = Ledger(engine)
    indexer = Indexer(chain, ledger, decoder, deployment.start_block, confirmations, span, log=log)
    wanted = {n: deployment.contracts[n].lower() for n in names}
    recorded = ledger.recorded_contracts(indexer.chain_id)
    if recorded and recorded != wanted:
        raise StoreError(
            f"this database indexes other contracts on chain {indexer.chain_id} "
            "(another deployment): use another DATABASE_URL or --reset"
        )
    if not recorded:
        ledger.record_contracts(
            indexer.chain_id, {n: (a, deployment.start_block) for n, a in wanted.items()}
        )
    return indexer


def reset(engine: Engine, chain_id: int) -> None:
    """Forgets every row and the checkpoint of `chain_id`."""
    ledger = Ledger(engine)
    ledger.rewind(chain_id, None)
    ledger.record_contracts(chain_id, {})


def run_index(
    chain: Web3Chain,
    deployment: Deployment,
    url: str | None,
    once: bool,
    confirmations: int,
    span: int,
    poll: float,
    wipe: bool = False,
) -> None:
    """`index`: backfill, then follow the head (or stop there with `once`)."""
    engine = open_ledger(url)
    if wipe:
        reset(engine, chain.chain_id())
    indexer = build_indexer(chain, engine, deployment, confirmations, span)
    stopping: list[bool] = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        progress = indexer.run(
            follow=not once, poll_seconds=poll, should_stop=lambda: bool(stopping)
        )
    except KeyboardInterrupt:
        return
    print(
        f"indexed {progress.events} events in {progress.blocks} blocks; "
        f"checkpoint at block {progress.last_block if progress.last_block is not None else '-'}"
    )


def run_reconcile(chain: Web3Chain, deployment: Deployment, url: str | None) -> int:
    """`reconcile`: prints every difference; returns how many there are."""
    engine = open_ledger(url)
    chain_id = chain.chain_id()
    checkpoint = Ledger(engine).checkpoint(chain_id)
    if checkpoint is None:
        raise StoreError("nothing indexed yet for this chain: run `index` first")
    abis = load_abis([n for n in deployment.contracts if n in EVENT_TABLES])
    view = web3_view(chain.web3, deployment.contracts, abis, checkpoint.block_number)
    differences = reconcile(engine, chain_id, view)
    for difference in differences:
        print(f"DIFFERENT {difference}")
    print(
        f"reconciled at block {checkpoint.block_number}: "
        + (f"{len(differences)} difference(s)" if differences else "the ledger matches the chain")
    )
    return len(differences)


# -- output -------------------------------------------------------------------


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def render(rows: list[dict[str, Any]], fmt: str, title: str) -> str | None:
    """CSV or JSON text, or None after printing a rich table."""
    if fmt == "json":
        return json.dumps(rows, indent=2, default=str)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else [])
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    table = Table(title=title)
    for column in rows[0] if rows else ["(no rows)"]:
        table.add_column(column)
    for row in rows:
        table.add_row(*(_cell(v) for v in row.values()))
    Console().print(table)
    return None


def ledger_query(engine: Engine, what: str, argument: Any, top: int) -> list[dict[str, Any]]:
    """The rows of one CLI query."""
    if what == "tasks":
        return queries.tasks(engine, requester=argument)
    if what == "disputes":
        return queries.disputes(engine, requester=argument)
    if what == "juror":
        return queries.juror_votes(engine, argument)
    if what == "node":
        return queries.node(engine, int(argument))
    if what == "providers":
        return queries.top_providers(engine, top=top)
    if what == "epochs":
        return queries.epochs(engine)
    raise click.UsageError(f"unknown query {what}")


def ledger_command(what: str, argument: str | None, top: int, fmt: str, url: str | None) -> None:
    if what in ("juror", "node") and not argument:
        raise click.UsageError(
            f"`ledger {what}` needs an argument ({'ADDRESS' if what == 'juror' else 'ID'})"
        )
    if what == "node" and argument is not None and not argument.isdigit():
        raise click.UsageError(f"node id must be a number, not {argument!r}")
    if what in ("juror", "tasks", "disputes") and argument and not Web3.is_address(argument):
        raise click.UsageError(f"{argument!r} is not an address")
    rows = ledger_query(open_ledger(url), what, argument, top)
    text = render(rows, fmt, f"ledger {what}")
    if text is not None:
        click.echo(text, nl=False)


QUERIES = ["tasks", "disputes", "juror", "node", "providers", "epochs"]
FORMATS = ["table", "csv", "json"]


def guarded(function: Callable[[], Any]) -> Any:
    """Runs `function`; known errors become one line and exit status 1."""
    try:
        return function()
    except ERRORS as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)


# -- the click commands -------------------------------------------------------

database_option = click.option(
    "--database", "url", help="SQLAlchemy URL (default $DATABASE_URL or SQLite)"
)


@click.group()
def main() -> None:
    """LabelDAO's ledger: index the chain into SQL and query it."""


@main.command("index")
@click.option("--rpc", required=True, help="JSON-RPC URL of the node")
@click.option("--deployment", type=click.Path(path_type=Path), required=True)
@database_option
@click.option("--once", is_flag=True, help="stop at the head instead of following it")
@click.option("--confirmations", type=click.IntRange(0), default=0, show_default=True)
@click.option("--span", type=click.IntRange(1), default=2_000, show_default=True)
@click.option("--poll", type=float, default=2.0, show_default=True)
@click.option("--reset", "wipe", is_flag=True, help="forget what this database indexed first")
def index_command(
    rpc: str,
    deployment: Path,
    url: str | None,
    once: bool,
    confirmations: int,
    span: int,
    poll: float,
    wipe: bool,
) -> None:
    """Backfill the deployment's events, then follow the head."""

    def go() -> None:
        chain = Web3Chain(rpc)
        run_index(
            chain, read_deployment(deployment, chain), url, once, confirmations, span, poll, wipe
        )

    guarded(go)


@main.command("ledger")
@click.argument("what", type=click.Choice(QUERIES))
@click.argument("argument", required=False)
@click.option("--top", type=click.IntRange(1), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@database_option
def ledger_cli(what: str, argument: str | None, top: int, fmt: str, url: str | None) -> None:
    """Query the ledger: tasks|disputes [REQUESTER], juror ADDRESS, node ID, providers, epochs."""
    guarded(lambda: ledger_command(what, argument, top, fmt, url))


@main.command("reconcile")
@click.option("--rpc", required=True)
@click.option("--deployment", type=click.Path(path_type=Path), required=True)
@database_option
def reconcile_command(rpc: str, deployment: Path, url: str | None) -> None:
    """Compare the ledger with the contracts' views; exit 2 on any difference."""

    def go() -> int:
        chain = Web3Chain(rpc)
        return run_reconcile(chain, read_deployment(deployment, chain), url)

    if guarded(go):
        sys.exit(2)
