"""`ape run ledger`: questions to LabelDAO's ledger (what `ape run index` wrote).

    ape run ledger tasks [REQUESTER]          # tasks, newest first
    ape run ledger disputes [REQUESTER]       # disputes, with their task or node
    ape run ledger juror ADDRESS              # every seat of a juror, and how it was judged
    ape run ledger node ID                    # a node's totals and its epoch reports
    ape run ledger providers --top 20         # providers by work reported
    ape run ledger epochs                     # reports and units per registry epoch
    ... --format csv|json                     # instead of a table

It needs no network: it reads the database ($DATABASE_URL, else
`.labeldao/ledger.sqlite`; `--database URL` for another). The queries live in
`labeldao.indexer.queries`, the Python API the web app uses.
"""

from __future__ import annotations

import click

from labeldao.indexer.cli import FORMATS, QUERIES, guarded, ledger_command


@click.command()
@click.argument("what", type=click.Choice(QUERIES))
@click.argument("argument", required=False)
@click.option("--top", type=click.IntRange(1), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--database", "url", help="SQLAlchemy URL (default $DATABASE_URL, else SQLite)")
def cli(what: str, argument: str | None, top: int, fmt: str, url: str | None) -> None:
    """Query the ledger: tasks|disputes [REQUESTER], juror ADDRESS, node ID, providers, epochs."""
    guarded(lambda: ledger_command(what, argument, top, fmt, url))
