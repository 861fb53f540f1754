"""Fixtures of the indexer tests: a real anvil node with the suite deployed
by `ape run deploy` and a scripted history, and a database that is SQLite
or a throwaway PostgreSQL cluster (every test runs on both).

PostgreSQL: the cluster is made with the server's own `initdb` and `pg_ctl`
(Debian's `postgresql` package; `.ci/run` installs it) in a temporary folder,
on a free port, and stopped at the end. As root, the server runs as the
`postgres` user. In CI (CI=true) a missing server fails the tests; locally
they are skipped with a message.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine
from web3 import Web3

from labeldao.indexer.abi import REPO_ROOT, load_abis
from labeldao.indexer.chain import Web3Chain
from labeldao.indexer.cli import Deployment, build_indexer, read_deployment
from labeldao.indexer.indexer import Indexer
from labeldao.indexer.pgcluster import PostgresCluster, PostgresMissing
from labeldao.indexer.store import connect, migrate
from labeldao.indexer.workload import Workload
from tests.deploy.conftest import Anvil, _free_port, start_anvil, stop_anvil

CONTRACTS = ["RewardToken", "QualityCourt", "TaskEscrow", "ComputeRegistry"]


@pytest.fixture(scope="session")
def abis() -> dict:
    return load_abis(CONTRACTS)


# -- PostgreSQL -----------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    try:
        cluster = PostgresCluster.start()
    except PostgresMissing as missing:
        message = f"{missing}, to run the indexer tests on PostgreSQL"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    yield cluster
    cluster.stop()


@dataclass
class Database:
    url: str
    engine: Engine


@pytest.fixture(params=["sqlite", "postgresql"])
def new_database(request, tmp_path) -> Iterator:
    """Makes fresh, migrated databases of one kind (SQLite files or PostgreSQL)."""
    made: list[Database] = []

    def make(revision: str = "head") -> Database:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / f'ledger-{len(made)}.sqlite'}"
        else:
            url = request.getfixturevalue("postgres").new_database()
        engine = connect(url)
        migrate(engine, revision)
        made.append(Database(url, engine))
        return made[-1]

    yield make
    for database in made:
        database.engine.dispose()


@pytest.fixture
def database(new_database) -> Database:
    """A fresh database, migrated."""
    return new_database()


# -- anvil with the suite and a history --------------------------------------------


@dataclass
class Node:
    anvil: Anvil
    record: Path
    web3: Web3
    workload: Workload
    snapshot: str

    @property
    def url(self) -> str:
        return self.anvil.url

    reorganised: bool = False

    def rpc(self, method: str, params: list | None = None) -> object:
        return self.anvil.rpc(method, params)

    def reorg(self, depth: int, transactions: list | None = None) -> None:
        """`anvil_reorg`: replaces the last `depth` blocks (with `transactions`)."""
        self.reorganised = True
        body = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "anvil_reorg",
            "params": [depth, transactions or []],
        }
        response = requests.post(self.url, json=body, timeout=30).json()
        assert "error" not in response, response

    def deployment(self) -> Deployment:
        return read_deployment(self.record, Web3Chain(self.url))


@pytest.fixture(scope="session")
def deployed(abis, tmp_path_factory) -> Iterator[Node]:
    """anvil, `ape run deploy` on it, then the workload's history; snapshotted."""
    anvil = start_anvil(_free_port())
    record = tmp_path_factory.mktemp("deployment") / "deployment.json"
    try:
        result = subprocess.run(
            [
                shutil.which("ape") or "ape",
                "run",
                "deploy",
                "--network",
                "ethereum:local:foundry",
                "--record",
                str(record),
            ],
            cwd=REPO_ROOT,
            env={**os.environ, "APE_FOUNDRY_HOST": anvil.url},
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        addresses = {
            n: e["address"] for n, e in json.loads(record.read_text())["contracts"].items()
        }
        web3 = Web3(Web3.HTTPProvider(anvil.url))
        workload = Workload.connect(web3, addresses, abis)
        workload.run()
        yield Node(anvil, record, web3, workload, str(anvil.rpc("evm_snapshot")))
    finally:
        stop_anvil(anvil)


@pytest.fixture
def node(deployed) -> Iterator[Node]:
    """The deployed node; what a test does to the chain is undone after it when
    anvil can (a snapshot does not survive `anvil_reorg`: then the chain goes on
    from the reorganised head, whose history below the last ten blocks is the
    workload's)."""
    yield deployed
    if not deployed.reorganised:
        assert deployed.rpc("evm_revert", [deployed.snapshot]) is True
    deployed.reorganised = False
    deployed.snapshot = str(deployed.rpc("evm_snapshot"))


def make_indexer(node: Node, database: Database, **options) -> Indexer:
    return build_indexer(
        Web3Chain(node.url), database.engine, node.deployment(), log=lambda _m: None, **options
    )


def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
