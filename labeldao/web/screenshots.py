"""`make web-screenshots`: pictures of the main pages for the README.

Serves the web app over a ledger (default: the one `make ledger-demo`
writes) and saves the dashboard, the contribution ledger, the first
dispute and the wallet pages (juror on that dispute, requester, provider,
maintenance; without a wallet, as a visitor first sees them) as PNG files
in docs/screenshots/, through Debian's Chromium.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
from pathlib import Path

from labeldao.indexer import queries
from labeldao.indexer.abi import REPO_ROOT
from labeldao.indexer.store import connect
from labeldao.web.server import BackgroundServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_LEDGER = REPO_ROOT / ".labeldao" / "ledger-demo" / "ledger.sqlite"
OUT = REPO_ROOT / "docs" / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def take(url: str, out: Path) -> list[Path]:
    """Screenshots of the pages of the ledger at `url`, written under `out`."""
    from playwright.sync_api import sync_playwright

    disputes = queries.disputes(connect(url), limit=1)
    pages = [("dashboard", "/", None), ("ledger", "/ledger", "#nodes button")]
    if disputes:
        first = disputes[0]["dispute_id"]
        pages.append(("dispute", f"/disputes/{first}", None))
        pages.append(("juror", f"/juror?dispute={first}", None))
    pages += [("requester", "/requester", None), ("provider", "/provider", None)]
    pages.append(("maintenance", "/maintenance", None))
    out.mkdir(parents=True, exist_ok=True)
    server = BackgroundServer(url, _free_port()).start()
    written = []
    try:
        with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1200, "height": 900},
            )
            page = context.new_page()
            for name, path, click in pages:
                page.goto(server.base + path)
                if name == "ledger":
                    page.locator("#annotators").wait_for()  # an htmx fragment
                if click:
                    page.locator(click).first.click()
                    page.locator("#nodes td table").first.wait_for()
                target = out / f"{name}.png"
                page.screenshot(path=str(target), full_page=True)
                written.append(target)
            context.close()
    finally:
        server.stop()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=f"sqlite:///{DEMO_LEDGER}")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"error: {CHROMIUM} is missing (apt-get install chromium)")
    if args.database == f"sqlite:///{DEMO_LEDGER}" and not DEMO_LEDGER.exists():
        sys.exit("error: no demo ledger: run `make ledger-demo` first")
    for path in take(args.database, OUT):
        print(f"wrote {path.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
