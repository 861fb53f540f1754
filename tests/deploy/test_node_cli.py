"""`ape run node` as a GPU provider uses it, against a real anvil node on
which `ape run deploy` put the suite (1-day epochs): register (showing the
stake and the bound on work units), report from a receipts file, be
challenged (the juror CLI shows the compute question), and every refusal
in one line. The provider is TEST::2, the watcher TEST::3."""

from __future__ import annotations

from tests.deploy.cli_helpers import ApeScript
from tests.deploy.test_court_cli import Chain

PROVIDER, WATCHER = "TEST::2", "TEST::3"
DAY = 86_400


def _receipts(path, units):
    rows = ["job_id,client,work_units,output_hash"]
    rows += [f"0x{i + 1:064x},0x{'ab' * 20},{u},0x{'cd' * 32}" for i, u in enumerate(units)]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_node_cli__register_report_challenge__with_refusals(deploy, anvil, tmp_path):
    assert deploy().returncode == 0
    chain = Chain(anvil, deploy.record)
    node = ApeScript("node", anvil, deploy.record, tmp_path / "store")
    court = ApeScript("court", anvil, deploy.record, tmp_path / "juror-store")
    specs = tmp_path / "specs.json"
    specs.write_text('{"gpu": "RTX 4090", "count": 2}\n')

    overview = node.ok("status", account=PROVIDER)
    assert "│ 1 │ 250 LDAO │ 34,560,000" in overview  # tier 1: 400 units/GPU-second x 1 day
    registered = node.ok(
        "register", str(specs), "--gpus", "2", "--tier", "1", "-y", account=PROVIDER
    )
    assert "stake required: 500 LDAO (2 GPU(s) of tier 1)" in registered
    assert "bound on work units: 69,120,000 per epoch; reports from epoch 1" in registered
    assert "registered node 1; it reports from epoch 1" in registered

    receipts = _receipts(tmp_path / "receipts.csv", [1_000, 2_000])
    early = node.refused("report", "1", str(receipts), "--epoch", "1", account=PROVIDER)
    assert "epoch 1 is not finished: it can be reported from" in early
    chain.travel_to(chain.now() + 2 * DAY)
    huge = _receipts(tmp_path / "huge.csv", [69_120_001])
    assert "exceed node 1's capacity in epoch 1: at most 69,120,000 (2 GPU(s) x 400" in (
        node.refused("report", "1", str(huge), account=PROVIDER)
    )
    reported = node.ok("report", "1", str(receipts), "--uptime", "9900", account=PROVIDER)
    assert "epoch 1: 2 receipt(s), 3,000 work units (bound 69,120,000), uptime 99 %" in reported
    assert "reported epoch 1 of node 1 (2,970 effective units)" in reported
    assert "already reported epoch 1 (FILED)" in node.refused(
        "report", "1", str(receipts), "--epoch", "1", account=PROVIDER
    )
    assert "FILED" in node.ok("status", "1")
    assert "only node 1's owner" in node.refused("deactivate", "1", "-y", account=WATCHER)

    challenged = node.ok(
        "challenge", "1", "1", "data:,receipts are invented", "-y", account=WATCHER
    )
    assert "a challenge costs 530 LDAO: bond 500 LDAO" in challenged
    assert "challenged: dispute 0 at court" in challenged
    listing = court.ok("disputes")
    assert "Is the node's report for this epoch honest" in listing
    assert "1 = Valid: the report is honest; 2 = Fraud: the report is false" in listing
    assert "CHALLENGED" in node.ok("status", "1")
    assert "is active: `node deactivate` it first" in node.refused(
        "withdraw-stake", "1", account=PROVIDER
    )
    # A challenge holds every claim of the node until the court rules.
    assert "under challenge: its rewards wait for the court's ruling" in node.refused(
        "claim", "1", account=PROVIDER
    )
    assert "was not convicted of fraud: its reports stand" in node.refused(
        "forfeit", "1", account=PROVIDER
    )
    assert "0<=x<=3" in node.refused("register", str(specs), "--gpus", "1", "--tier", "9")
    assert "no node 7 at registry" in node.refused("status", "7")
