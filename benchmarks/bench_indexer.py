"""The ledger indexer at scale: events per second beside raw eth_getLogs +
web3.py decoding (the anchor, measured in the same run on the same node),
database size per million events, and query latency, on SQLite and PostgreSQL.

The events are replayed, not simulated: `benchmarks/emitter/Emitter.vy` is
installed with `anvil_setCode` at four addresses that stand for the token,
escrow, court and registry, and emits the protocol's own events (same
signatures, ABI-encoded data, varying ids) a few thousand per transaction,
so a million logs take a few hundred transactions. The indexer decodes them
with the contracts' ABIs exactly as it decodes a deployment's.

    LABELDAO_BENCH_INDEXER_EVENTS=200000 python -m benchmarks indexer

The default is 100,000 events (a few minutes, most of it the web3.py
anchor); the issue's 1,000,000-event run is explicit, about 40 minutes on
two idle cores: `make bench BENCH_INDEXER_EVENTS=1000000`. On a loaded
machine, `LABELDAO_BENCH_INDEXER_ANCHOR_EVERY=10` has the anchor decode one
block in ten (every event type is in the sample; its rate is per event).
"""

from __future__ import annotations

import math
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth_abi import encode
from eth_utils import keccak
from sqlalchemy import text
from web3 import Web3
from web3.logs import DISCARD

from benchmarks.report import Report
from labeldao.indexer import queries
from labeldao.indexer.abi import load_abis
from labeldao.indexer.chain import Web3Chain
from labeldao.indexer.decode import LogDecoder
from labeldao.indexer.indexer import Indexer
from labeldao.indexer.pgcluster import PostgresCluster
from labeldao.indexer.store import Ledger, connect, migrate

EVENTS = int(os.environ.get("LABELDAO_BENCH_INDEXER_EVENTS", "100000"))
# The anchor decodes every block, or every Nth one (a sample of the same
# chain across every event type; its rate is per event decoded).
ANCHOR_EVERY = int(os.environ.get("LABELDAO_BENCH_INDEXER_ANCHOR_EVERY", "1"))
PER_TX = 2_000  # logs per transaction (and per block)
SPAN = 25  # blocks per eth_getLogs, for the indexer and the anchor alike
QUERY_RUNS = 20
GOAL = 0.5  # x raw eth_getLogs + web3.py decoding
HERE = Path(__file__).resolve().parent
ADDRESSES = {
    "RewardToken": "0x" + "10" * 20,
    "TaskEscrow": "0x" + "20" * 20,
    "QualityCourt": "0x" + "30" * 20,
    "ComputeRegistry": "0x" + "40" * 20,
}
LDAO = 10**18
USERS = 1_000  # distinct requesters, jurors, senders
NODES = 500
# (contract, event, share of the events, topic formulas, topic moduli, data values)
# Formulas: 0 = i, 1 = i % modulus, 2 = i // modulus.
MIX: list[tuple[str, str, float, tuple, tuple, tuple]] = [
    ("RewardToken", "Transfer", 0.30, (1, 2, 0), (USERS, USERS, 1), (5 * LDAO,)),
    ("RewardToken", "DelegateChanged", 0.02, (0, 1, 1), (1, USERS, USERS), ()),
    (
        "TaskEscrow",
        "TaskCreated",
        0.08,
        (0, 1, 0),
        (1, USERS, 1),
        (
            0,
            b"s" * 32,
            10,
            100 * LDAO,
            2 * LDAO,
            10 * LDAO,
            1_800_000_000,
            172_800,
            b"g" * 32,
            30 * LDAO,
        ),
    ),
    ("TaskEscrow", "TaskClaimed", 0.07, (0, 1, 0), (1, USERS, 1), (10 * LDAO, 1_800_000_000)),
    (
        "TaskEscrow",
        "TaskSubmitted",
        0.07,
        (0, 1, 0),
        (1, USERS, 1),
        (b"r" * 32, "ipfs://bafy-result", 1_800_100_000),
    ),
    (
        "TaskEscrow",
        "TaskSettled",
        0.06,
        (0, 0, 0),
        (1, 1, 1),
        (16, 0, 107 * LDAO, 3 * LDAO, 0, LDAO),
    ),
    ("TaskEscrow", "TaskRejected", 0.01, (0, 1, 0), (1, 1, 1), (b"x" * 32, 30 * LDAO)),
    ("QualityCourt", "Staked", 0.02, (1, 0, 0), (USERS, 1, 1), (2_000 * LDAO, 2_000 * LDAO)),
    ("QualityCourt", "DisputeCreated", 0.01, (0, 1, 0), (1, 1, 1), (2, 0, 30 * LDAO)),
    ("QualityCourt", "SeatDrawn", 0.05, (2, 1, 0), (3, USERS, 1), (0, 1)),
    ("QualityCourt", "Committed", 0.05, (2, 1, 0), (3, USERS, 1), (0, b"c" * 32)),
    ("QualityCourt", "Revealed", 0.05, (2, 1, 0), (3, USERS, 1), (0, 1, 1)),
    (
        "QualityCourt",
        "JurorSettled",
        0.05,
        (2, 1, 0),
        (3, USERS, 1),
        (0, 1, True, 100 * LDAO, 0, 5 * LDAO),
    ),
    (
        "ComputeRegistry",
        "NodeRegistered",
        0.0,
        (0, 1, 0),
        (1, USERS, 1),
        (0, 4, 4_000 * LDAO, 1, b"n" * 32, "ipfs://bafy-specs"),
    ),
    (
        "ComputeRegistry",
        "ReportFiled",
        0.14,
        (1, 2, 0),
        (NODES, NODES, 1),
        (5_000, 9_500, 4_750, b"q" * 32, 1_800_200_000),
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _data_types(abi: list[dict[str, Any]], event: str) -> tuple[bytes, list[str], int]:
    entry = next(e for e in abi if e.get("type") == "event" and e["name"] == event)
    signature = f"{event}({','.join(i['type'] for i in entry['inputs'])})"
    data = [i["type"] for i in entry["inputs"] if not i["indexed"]]
    return keccak(text=signature), data, sum(1 for i in entry["inputs"] if i["indexed"])


class Node:
    """anvil with the emitter at the four addresses."""

    def __init__(self) -> None:
        binary = shutil.which("anvil")
        if binary is None:
            raise SystemExit("anvil is not on PATH (make install)")
        self.port = _free_port()
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--silent", "--gas-limit", "1000000000"],
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.web3 = Web3(Web3.HTTPProvider(self.url, request_kwargs={"timeout": 300}))
        for _ in range(100):
            if self.web3.is_connected():
                break
            time.sleep(0.1)
        runtime = subprocess.run(
            [shutil.which("vyper") or "vyper", "-f", "bytecode_runtime", "Emitter.vy"],
            cwd=HERE / "emitter",
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for address in ADDRESSES.values():
            self.web3.provider.make_request("anvil_setCode", [address, runtime])
        self.emitter = self.web3.eth.contract(
            abi=[
                {
                    "type": "function",
                    "name": "replay",
                    "stateMutability": "nonpayable",
                    "outputs": [],
                    "inputs": [
                        {"name": n, "type": t}
                        for n, t in (
                            ("topic0", "bytes32"),
                            ("start", "uint256"),
                            ("n", "uint256"),
                            ("moduli", "uint256[3]"),
                            ("formulas", "uint256[3]"),
                            ("extra_topics", "uint256"),
                            ("data", "bytes"),
                        )
                    ],
                }
            ]
        )

    def generate(self, abis: dict[str, Any], events: int) -> int:
        """Replays the mix; returns the number of logs emitted."""
        sender = self.web3.eth.accounts[0]
        emitted = 0
        hashes = []
        # The shares are scaled to sum to 1 (at least `events` logs), plus the nodes.
        total = sum(m[2] for m in MIX)
        for contract, event, share, formulas, moduli, values in MIX:
            topic0, types, indexed = _data_types(abis[contract], event)
            data = encode(types, list(values))
            count = math.ceil(events * share / total) if share else NODES
            start = 0
            while start < count:
                n = min(PER_TX, count - start)
                call = self.emitter.functions.replay(
                    topic0, start + 1, n, list(moduli), list(formulas), indexed, data
                )
                tx = {
                    "from": sender,
                    "to": Web3.to_checksum_address(ADDRESSES[contract]),
                    "data": call._encode_transaction_data(),
                    "gas": 900_000_000,
                }
                hashes.append(self.web3.eth.send_transaction(tx))
                start += n
                emitted += n
        for tx_hash in hashes[-1:]:
            self.web3.eth.wait_for_transaction_receipt(tx_hash, timeout=600)
        return emitted

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def raw_anchor(node: Node, abis: dict[str, Any], head: int) -> tuple[int, float]:
    """eth_getLogs in SPAN-block ranges and web3.py's own event decoding (of
    every ANCHOR_EVERY-th block only, one block per request, when above 1)."""
    decoders: dict[bytes, Any] = {}
    for contract, address in ADDRESSES.items():
        bound = node.web3.eth.contract(
            address=Web3.to_checksum_address(address), abi=abis[contract]
        )
        for _, event, *_rest in (m for m in MIX if m[0] == contract):
            topic0, _, _ = _data_types(abis[contract], event)
            decoders[topic0] = getattr(bound.events, event)()
    addresses = [Web3.to_checksum_address(a) for a in ADDRESSES.values()]
    started = time.perf_counter()
    decoded = 0
    step, span = (SPAN, SPAN) if ANCHOR_EVERY == 1 else (ANCHOR_EVERY, 1)
    for start in range(0, head + 1, step):
        logs = node.web3.eth.get_logs(
            {"fromBlock": start, "toBlock": min(head, start + span - 1), "address": addresses}
        )
        for log in logs:
            decoders[bytes(log["topics"][0])].process_log(log)
            decoded += 1
    return decoded, time.perf_counter() - started


def index(node: Node, abis: dict[str, Any], url: str) -> tuple[int, float, Any]:
    engine = connect(url)
    migrate(engine)
    indexer = Indexer(
        Web3Chain(node.url, timeout=300),
        Ledger(engine),
        LogDecoder.build(ADDRESSES, abis),
        start_block=0,
        span=SPAN,
        max_span=SPAN,
    )
    started = time.perf_counter()
    progress = indexer.run()
    return progress.events, time.perf_counter() - started, engine


def database_bytes(engine: Any, url: str) -> int:
    if url.startswith("sqlite"):
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return Path(engine.url.database).stat().st_size
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_database_size(current_database())")).scalar()


def latencies(engine: Any) -> dict[str, tuple[float, float]]:
    juror = "0x" + "00" * 19 + "07"
    requester = "0x" + "00" * 19 + "0b"
    cases: dict[str, Callable[[], Any]] = {
        "tasks": lambda: queries.tasks(engine),
        "tasks REQUESTER": lambda: queries.tasks(engine, requester=requester),
        "disputes": lambda: queries.disputes(engine),
        "juror ADDRESS": lambda: queries.juror_votes(engine, juror),
        "node ID": lambda: queries.node(engine, 7),
        "providers --top 20": lambda: queries.top_providers(engine, top=20),
        "epochs": lambda: queries.epochs(engine),
    }
    out = {}
    for name, query in cases.items():
        query()  # warm the cache, as a running web app has
        times = []
        for _ in range(QUERY_RUNS):
            started = time.perf_counter()
            query()
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        out[name] = (statistics.median(times), times[int(0.95 * (len(times) - 1))])
    return out


def run(report: Report) -> None:
    abis = load_abis(list(ADDRESSES))
    node = Node()
    cluster = PostgresCluster.start()
    folder = Path(tempfile.mkdtemp(prefix="labeldao-bench-"))
    try:
        started = time.perf_counter()
        emitted = node.generate(abis, EVENTS)
        generated = time.perf_counter() - started
        head = node.web3.eth.block_number
        print(f"indexer bench: {emitted:,} events, {head:,} blocks, {generated:.0f} s", flush=True)
        # The indexer runs first, the anchor last (same node, same events): a long
        # run cut short still has the databases' figures, printed as they come.
        measured = {}
        results = {}
        for name, url in (
            ("SQLite", f"sqlite:///{folder / 'ledger.sqlite'}"),
            ("PostgreSQL", cluster.new_database()),
        ):
            events, seconds, engine = index(node, abis, url)
            size = database_bytes(engine, url) / events * 1_000_000 / 2**20
            measured[name] = (events, seconds, size)
            results[name] = latencies(engine)
            engine.dispose()
            print(f"indexer bench: {name} {measured[name]} {results[name]}", flush=True)
        raw_events, raw_seconds = raw_anchor(node, abis, head)
        raw_rate = raw_events / raw_seconds
        print(f"indexer bench: raw anchor {raw_events} in {raw_seconds:.1f} s", flush=True)
        speed = report.table(
            f"Indexer: {emitted:,} events in {head:,} blocks, events per second vs raw "
            "eth_getLogs + web3.py decoding",
            ["backend", "events", "seconds", "events/s", "x raw", "MB per 1M events"],
        )
        speed.add(
            "raw eth_getLogs + web3.py process_log (anchor)"
            + (f", one block in {ANCHOR_EVERY}" if ANCHOR_EVERY > 1 else ""),
            raw_events,
            f"{raw_seconds:.1f}",
            f"{raw_rate:,.0f}",
            "1.00",
            "-",
        )
        for name, (events, seconds, size) in measured.items():
            rate = events / seconds
            speed.add(
                f"indexer -> {name}",
                events,
                f"{seconds:.1f}",
                f"{rate:,.0f}",
                f"{rate / raw_rate:.2f}",
                f"{size:,.0f}",
            )
            report.goal(f"indexer events/s, {name}", rate, raw_rate, GOAL, at_least=True)
        speed.notes.append(
            f"Replayed protocol events ({PER_TX:,} per transaction, `benchmarks/emitter`), "
            f"read by the indexer in {SPAN}-block ranges"
            + (f", by the anchor one block in {ANCHOR_EVERY}" if ANCHOR_EVERY > 1 else " by both")
            + "; the indexer's figure includes decoding, the "
            f"database writes and the checkpoint. Generating them took {generated:.0f} s; the "
            "indexer ran first (SQLite, then PostgreSQL), the anchor last."
        )
        lat = report.table(
            f"Ledger query latency at {emitted:,} events (ms, {QUERY_RUNS} runs after a warm-up)",
            ["query", "SQLite p50", "SQLite p95", "PostgreSQL p50", "PostgreSQL p95"],
        )
        for query in results["SQLite"]:
            sqlite, postgres = results["SQLite"][query], results["PostgreSQL"][query]
            lat.add(
                query,
                f"{sqlite[0]:.1f}",
                f"{sqlite[1]:.1f}",
                f"{postgres[0]:.1f}",
                f"{postgres[1]:.1f}",
            )
        lat.notes.append("Goal: p95 < 50 ms at 1,000,000 events.")
    finally:
        node.stop()
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


_ = DISCARD  # web3's decoding raises on a mismatch; the anchor's logs all match
