"""`make ledger-demo`: the ledger end to end on a throwaway anvil node.

Starts anvil on a free port, deploys the suite with `ape run deploy`, plays
the scripted workload (tasks, a dispute, GPU nodes reporting two epochs,
transfers), indexes it into `.labeldao/ledger-demo/ledger.sqlite`, reconciles
it with the contracts' views and prints the providers' table. The node is
stopped at the end. (`make demo` runs on Ape's embedded chain, which lives
inside one process and cannot be indexed from another.)
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from web3 import Web3

from labeldao.indexer.abi import REPO_ROOT, load_abis
from labeldao.indexer.chain import Web3Chain
from labeldao.indexer.cli import read_deployment, render, run_index, run_reconcile
from labeldao.indexer.queries import top_providers
from labeldao.indexer.store import connect
from labeldao.indexer.workload import Workload

FOLDER = REPO_ROOT / ".labeldao" / "ledger-demo"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_anvil() -> tuple[subprocess.Popen, str]:
    binary = shutil.which("anvil")
    if binary is None:
        sys.exit("error: anvil is not on PATH (make install)")
    port = _free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--silent"], start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    web3 = Web3(Web3.HTTPProvider(url))
    for _ in range(100):
        if web3.is_connected():
            return process, url
        time.sleep(0.1)
    process.terminate()
    sys.exit("error: anvil did not start")


def _deploy(url: str, record: Path) -> None:
    record.unlink(missing_ok=True)
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
        env={**os.environ, "APE_FOUNDRY_HOST": url},
        check=False,
    )
    if result.returncode != 0:
        sys.exit("error: ape run deploy failed")


def main() -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    record, database = FOLDER / "deployment.json", FOLDER / "ledger.sqlite"
    for stale in FOLDER.glob("ledger.sqlite*"):
        stale.unlink()
    url_db = f"sqlite:///{database}"
    process, url = _start_anvil()
    try:
        _deploy(url, record)
        chain = Web3Chain(url)
        deployment = read_deployment(record, chain)
        names = ["RewardToken", "QualityCourt", "TaskEscrow", "ComputeRegistry"]
        print("playing the workload: tasks, a dispute, GPU nodes reporting, transfers ...")
        Workload.connect(chain.web3, deployment.contracts, load_abis(names)).run()
        run_index(chain, deployment, url_db, once=True, confirmations=0, span=2_000, poll=1)
        if run_reconcile(chain, deployment, url_db):
            sys.exit(2)
        render(top_providers(connect(url_db), top=10), "table", "ledger providers --top 10")
        print(f"ledger: {database} (ape run ledger ... --database {url_db})")
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
