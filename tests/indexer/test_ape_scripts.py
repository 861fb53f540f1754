"""`ape run index` and `ape run ledger`, as an operator runs them, on anvil."""

import csv
import io
import json
import os
import shutil
import subprocess

from labeldao.indexer.abi import REPO_ROOT


def _ape(*args, node=None, url):
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    network = []
    if node is not None:
        env["APE_FOUNDRY_HOST"] = node.url
        network = ["--network", "ethereum:local:foundry", "--deployment", str(node.record)]
    return subprocess.run(
        [shutil.which("ape") or "ape", "run", *args, *network, "--database", url],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_ape_run_index_then_reconcile_then_ledger(node, tmp_path):
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    indexed = _ape("index", "--once", node=node, url=url)
    assert indexed.returncode == 0, indexed.stdout + indexed.stderr
    assert f"checkpoint at block {node.web3.eth.block_number}" in indexed.stdout
    reconciled = _ape("index", "--reconcile", node=node, url=url)
    assert reconciled.returncode == 0, reconciled.stdout + reconciled.stderr
    assert "the ledger matches the chain" in reconciled.stdout
    tasks = _ape("ledger", "tasks", "--format", "json", url=url)
    assert tasks.returncode == 0, tasks.stderr
    assert len(json.loads(tasks.stdout)) == 6
    # A dispute's question: the URI its arbitrable logged in ERC-1497 MetaEvidence.
    disputes = _ape("ledger", "disputes", "--format", "csv", url=url)
    assert disputes.returncode == 0, disputes.stderr
    (row,) = csv.DictReader(io.StringIO(disputes.stdout))
    escrow = node.workload.contracts["TaskEscrow"]
    logged = {
        log.args.meta_evidence_id: log.args.evidence
        for log in escrow.events.MetaEvidence().get_logs(from_block=0)
    }
    assert row["meta_evidence_uri"] == logged[int(row["task_id"])]
