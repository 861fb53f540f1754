"""The web app's page render time on the indexer benchmark's ledger.

The ledger is built as `bench_indexer` builds it (protocol events replayed
by `benchmarks/emitter` on anvil, indexed into SQLite;
LABELDAO_BENCH_WEB_EVENTS, default 1,000,000). Each page is fetched over HTTP
from the app served by uvicorn on loopback, warm, PAGE_RUNS times; the
anchor, measured in the same process, is the same queries called directly
(what the page cannot do faster than), so the ratio is the cost of
rendering and serving. Goal (issue 17): page p95 < 300 ms.

    LABELDAO_BENCH_WEB_EVENTS=200000 python -m benchmarks web
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from benchmarks.bench_indexer import ADDRESSES, Node, _free_port, index
from benchmarks.report import Report
from labeldao.indexer import queries
from labeldao.indexer.abi import load_abis
from labeldao.web import reads
from labeldao.web.server import BackgroundServer

EVENTS = int(os.environ.get("LABELDAO_BENCH_WEB_EVENTS", "1000000"))
PAGE_RUNS = 30
GOAL_MS = 300.0


def _p50_p95(call: Callable[[], Any]) -> tuple[float, float]:
    call()  # warm, as a running server is
    times = []
    for _ in range(PAGE_RUNS):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def _get(url: str) -> Callable[[], Any]:
    def fetch() -> None:
        response = requests.get(url, timeout=60)
        assert response.status_code == 200, (url, response.status_code)

    return fetch


def pages(engine: Any) -> dict[str, tuple[str, Callable[[], Any]]]:
    """Page path -> (its label, the queries it runs, called directly)."""
    dispute = queries.disputes(engine, limit=1)[0]["dispute_id"]
    node = queries.nodes(engine, limit=1)[0]["node_id"]
    return {
        "/": (
            "dashboard",
            lambda: (
                queries.overview(engine),
                queries.epochs(engine),
                queries.top_providers(engine, top=10),
                queries.disputes(engine, limit=10),
                queries.tasks(engine, limit=10),
            ),
        ),
        "/ledger": (
            "contribution ledger",
            lambda: (
                queries.top_providers(engine, top=100),
                reads.nodes(engine),
                queries.epochs(engine),
            ),
        ),
        "/fragments/annotators": (
            "the ledger's annotators (htmx, after the page)",
            lambda: queries.annotators(engine),
        ),
        f"/disputes/{dispute}": ("dispute", lambda: queries.dispute(engine, dispute)),
        f"/fragments/nodes/{node}": ("a node's epochs (htmx)", lambda: queries.node(engine, node)),
        "/maintenance": ("maintenance (due-action candidates)", lambda: reads.maintenance(engine)),
    }


def run(report: Report) -> None:
    abis = load_abis(list(ADDRESSES))
    node = Node()
    folder = Path(tempfile.mkdtemp(prefix="labeldao-bench-web-"))
    url = f"sqlite:///{folder / 'ledger.sqlite'}"
    try:
        emitted = node.generate(abis, EVENTS)
        events, _seconds, engine = index(node, abis, url)
    finally:
        node.stop()
    server = BackgroundServer(url, _free_port()).start()
    try:
        table = report.table(
            f"Web app: page render on a ledger of {events:,} events (SQLite), ms",
            ["page", "p50", "p95", "queries p95 (anchor)", "x anchor", "p95 < 300 ms"],
        )
        for path, (label, direct) in pages(engine).items():
            _, anchor = _p50_p95(direct)
            p50, p95 = _p50_p95(_get(server.base + path))
            table.add(
                f"{label} `{path}`",
                f"{p50:.1f}",
                f"{p95:.1f}",
                f"{anchor:.1f}",
                f"{p95 / anchor:.2f}",
                "yes" if p95 < GOAL_MS else "**no**",
            )
        table.notes.append(
            f"{emitted:,} replayed protocol events indexed as `bench_indexer` does; each page "
            f"fetched {PAGE_RUNS} times over HTTP (uvicorn, loopback) after one warm-up; the "
            "anchor is the page's queries called directly in the same process."
        )
    finally:
        server.stop()
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)
