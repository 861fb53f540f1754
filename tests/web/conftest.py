"""Fixtures of the browser tests: the indexer tests' anvil node (deployed by
`ape run deploy`, with the scripted workload), indexed into a SQLite file,
served by the web app on a free loopback port, and Debian's Chromium driven
by Playwright (never Playwright's own browser download).

In CI (CI=true) a missing /usr/bin/chromium fails the tests; locally they
are skipped with a message.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from labeldao.indexer.store import connect, migrate
from labeldao.web.server import BackgroundServer
from tests.deploy.conftest import _free_port
from tests.indexer.conftest import Database, abis, deployed, make_indexer, node  # noqa: F401

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


@pytest.fixture(scope="session")
def ledger(deployed, tmp_path_factory) -> Iterator[Database]:  # noqa: F811
    """The workload's history indexed into a fresh SQLite ledger."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'ledger.sqlite'}"
    engine = connect(url)
    migrate(engine)
    database = Database(url, engine)
    make_indexer(deployed, database).run()
    yield database
    engine.dispose()


@pytest.fixture(scope="session")
def web(ledger) -> Iterator[str]:
    """The base URL of the web app serving `ledger`."""
    server = BackgroundServer(ledger.url, _free_port()).start()
    yield server.base
    server.stop()


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory) -> Iterator:
    """A headless Chromium context with a fresh profile."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium) for the browser tests"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        yield context
        context.close()


@pytest.fixture
def page(browser_context) -> Iterator:
    page = browser_context.new_page()
    yield page
    page.close()
