"""`kill -9` during a backfill, and the command line (`python -m labeldao.indexer`).

The indexer runs as a separate process, as an operator runs it; it is
killed with SIGKILL at random moments after it has written something, and
restarted; the final database must equal an uninterrupted run's.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time

from labeldao.indexer import queries, summary
from labeldao.indexer.abi import REPO_ROOT
from labeldao.indexer.store import Ledger
from tests.indexer.conftest import make_indexer


def _cli(*args, url, wait=True):
    command = [sys.executable, "-m", "labeldao.indexer", *args, "--database", url]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    if not wait:
        return subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
    return subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _index_args(node, *extra):
    return ("index", "--rpc", node.url, "--deployment", str(node.record), "--once", *extra)


def test_kill_9_during_backfill__restart_gives_the_same_database(node, new_database):
    database = new_database()
    chain_id = node.web3.eth.chain_id
    head = node.web3.eth.block_number
    ledger = Ledger(database.engine)
    rng = random.Random(16)
    kills = 0
    for _ in range(3):
        process = _cli(*_index_args(node, "--span", "1"), url=database.url, wait=False)
        start = ledger.checkpoint(chain_id)
        # Wait until this run has written a batch, then kill it a random moment later.
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            now = ledger.checkpoint(chain_id)
            if now is not None and now != start:
                break
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.3))
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            kills += 1
        process.wait()
        checkpoint = ledger.checkpoint(chain_id)
        if checkpoint is not None and checkpoint.block_number == head:
            break
    assert kills >= 1
    finished = _cli(*_index_args(node), url=database.url)
    assert finished.returncode == 0, finished.stderr
    reference = new_database()
    make_indexer(node, reference).run()
    assert queries.dump(database.engine) == queries.dump(reference.engine)
    with database.engine.connect() as connection:
        assert summary.differences(connection) == []
    assert queries.epochs(database.engine)  # the history has epoch reports


def test_cli__index_query_and_reconcile(node, database):
    indexed = _cli(*_index_args(node), url=database.url)
    assert indexed.returncode == 0, indexed.stderr
    assert "checkpoint at block" in indexed.stdout
    rows = json.loads(_cli("ledger", "tasks", "--format", "json", url=database.url).stdout)
    assert len(rows) == 6 and {"task_id", "status", "requester"} <= set(rows[0])
    csv_text = _cli("ledger", "providers", "--top", "2", "--format", "csv", url=database.url).stdout
    assert csv_text.splitlines()[0] == "owner,nodes,reports,units"
    assert len(csv_text.splitlines()) == 3
    table = _cli("ledger", "epochs", url=database.url)
    assert table.returncode == 0 and "reports" in table.stdout
    reconciled = _cli(
        "reconcile", "--rpc", node.url, "--deployment", str(node.record), url=database.url
    )
    assert reconciled.returncode == 0, reconciled.stdout + reconciled.stderr
    assert "the ledger matches the chain" in reconciled.stdout


def test_cli__a_tampered_ledger_fails_reconciliation(node, database):
    assert _cli(*_index_args(node), url=database.url).returncode == 0
    with database.engine.begin() as connection:
        table = Ledger(database.engine).tables["task_settled"]
        connection.execute(table.delete())
    reconciled = _cli(
        "reconcile", "--rpc", node.url, "--deployment", str(node.record), url=database.url
    )
    assert reconciled.returncode == 2
    assert "DIFFERENT TaskEscrow.tasks(" in reconciled.stdout


def test_cli__bad_input_is_one_line(node, database, tmp_path):
    missing = _cli(
        "index", "--rpc", node.url, "--deployment", str(tmp_path / "none.json"), url=database.url
    )
    assert missing.returncode == 1
    assert missing.stderr.strip().startswith("error:") and "Traceback" not in missing.stderr
    juror = _cli("ledger", "juror", "not-an-address", url=database.url)
    assert juror.returncode == 2 and "is not an address" in juror.stderr
    unreachable = _cli(
        "index", "--rpc", "http://127.0.0.1:9", "--deployment", str(node.record), url=database.url
    )
    assert unreachable.returncode == 1 and "Traceback" not in unreachable.stderr
