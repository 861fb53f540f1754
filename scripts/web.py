"""`ape run web`: the web app over the indexer's database.

    ape run web [--host 127.0.0.1] [--port 8000] [--database URL]

It reads the database `ape run index` writes ($DATABASE_URL, else
`.labeldao/ledger.sqlite`) and holds no key: the wallet pages sign in the
browser with the user's own wallet (EIP-1193).
"""

from __future__ import annotations

import click

from labeldao.web.server import serve


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--database", "url", help="SQLAlchemy URL (default $DATABASE_URL, else SQLite)")
def cli(host: str, port: int, url: str | None) -> None:
    """Serve the dashboard, the ledger, the dispute pages and the wallet pages."""
    click.echo(f"LabelDAO web app on http://{host}:{port} (Ctrl-C stops it)")
    serve(url, host, port)
