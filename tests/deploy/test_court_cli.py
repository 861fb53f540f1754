"""`ape run court` as a juror runs it: subprocesses against a real anvil
node on which `ape run deploy` put the suite with its production
parameters (2-day periods, 1,000 LDAO minimum stake).

The juror is Ape's TEST::1 (anvil's account 1, 1,000,000 LDAO from the
local parameter file). The other parties act from the test through anvil's
unlocked accounts: the requester (account 2) posts a task, the annotator
(account 3) claims it and submits, the requester rejects it, which opens
dispute 0 at the court. Time moves with `evm_setNextBlockTimestamp`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from eth_abi import decode, encode
from eth_utils import keccak

from labeldao.ape_backend import CRASH_ENV, CRASH_EXIT_CODE
from labeldao.boa_tools import REPO_ROOT
from tests.deploy.conftest import Anvil, DeployRun, _free_port, start_anvil, stop_anvil

LDAO = 10**18
DAY = 86_400
LOCAL_EPOCH_SECONDS = 600  # court.epoch_seconds in deployments/params/local.toml
JUROR = "TEST::1"
NOT_DRAWN = "TEST::4"
ROUND_INFO = ["uint256"] * 20
DISPUTE_INFO = ["address", "uint256", "uint256", "uint256", "bool", "uint256", "bool"]
JUROR_ROUND = ["uint256", "uint256", "bool", "bool", "uint256", "bool", "bytes32"]


class Chain:
    """The node as the other parties and the clock see it."""

    def __init__(self, node: Anvil, record: Path) -> None:
        self.node = node
        self.record = record
        contracts = json.loads(record.read_text())["contracts"]
        self.at = {name: entry["address"] for name, entry in contracts.items()}
        self.accounts = node.rpc("eth_accounts")

    def send(self, sender: int, contract: str, signature: str, *args: object) -> None:
        """A transaction from anvil's unlocked account `sender`; must succeed."""
        tx = {
            "from": self.accounts[sender],
            "to": self.at[contract],
            "data": _data(signature, args),
        }
        tx_hash = self.node.rpc("eth_sendTransaction", [tx])
        receipt = None
        for _ in range(100):  # automining answers the hash before the receipt, at times
            receipt = self.node.rpc("eth_getTransactionReceipt", [tx_hash])
            if receipt is not None:
                break
            time.sleep(0.1)
        assert receipt is not None, f"{signature}: no receipt"
        assert receipt["status"] == "0x1", f"{signature} reverted"

    def call(self, contract: str, signature: str, types: list[str], *args: object) -> tuple:
        raw = self.node.rpc("eth_call", [{"to": self.at[contract], "data": _data(signature, args)}])
        return decode(types, bytes.fromhex(raw.removeprefix("0x")))

    def now(self) -> int:
        return int(self.node.rpc("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def travel_to(self, timestamp: int) -> None:
        """Mines a block at `timestamp` (or one block, if that is past)."""
        if timestamp > self.now():
            self.node.rpc("evm_setNextBlockTimestamp", [hex(timestamp)])
        self.node.rpc("evm_mine")

    def mine(self, blocks: int) -> None:
        self.node.rpc("anvil_mine", [hex(blocks)])

    def next_epoch(self, epoch_seconds: int = LOCAL_EPOCH_SECONDS) -> None:
        """Mines a block at the first second of the court's next snapshot epoch."""
        now = self.now()
        self.travel_to(now - now % epoch_seconds + epoch_seconds)

    def round_info(self, dispute_id: int, round_: int) -> tuple:
        return self.call(
            "QualityCourtLens",
            "round_info(address,uint256,uint256)",
            ROUND_INFO,
            self.at["QualityCourt"],
            dispute_id,
            round_,
        )


def _data(signature: str, args: tuple) -> str:
    types = signature[signature.index("(") + 1 : -1]
    encoded = encode(types.split(",") if types else [], list(args))
    return "0x" + keccak(text=signature)[:4].hex() + encoded.hex()


class Court:
    """Runs `ape run court ...` as a juror would, against the node."""

    def __init__(self, node: Anvil, record: Path, store: Path) -> None:
        self.node, self.record, self.store = node, record, store

    def command(self, *args: str, account: str | None = JUROR) -> list[str]:
        """`ape run court ARGS` on the node, with this juror's options (an
        option given in ARGS wins)."""
        options = ["--network", "ethereum:local:foundry", "--store", str(self.store)]
        if "--deployment" not in args:
            options += ["--deployment", str(self.record)]
        if account is not None:
            options += ["--account", account]
        return [shutil.which("ape") or "ape", "run", "court", *args, *options]

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "APE_FOUNDRY_HOST": self.node.url,
            # Wide enough that rich never wraps a table cell the asserts read,
            # whatever COLUMNS the caller's shell (or CI) exports.
            "COLUMNS": "200",
            "PYTHONWARNINGS": "ignore::UserWarning:pydantic_settings.sources.utils",
        }

    def __call__(
        self, *args: str, account: str | None = JUROR, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.command(*args, account=account),
            cwd=REPO_ROOT,
            env={**self.env(), **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
        )

    def ok(self, *args: str, account: str | None = JUROR) -> str:
        result = self(*args, account=account)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        return result.stdout

    def refused(self, *args: str, account: str | None = JUROR) -> str:
        """A command that must fail: non-zero exit, a message, no traceback."""
        result = self(*args, account=account)
        assert result.returncode != 0, result.stdout
        assert "Traceback" not in result.stdout + result.stderr
        return " ".join((result.stdout + result.stderr).split())


def _open_dispute(chain: Chain) -> None:
    """Requester (2) posts a task, annotator (3) submits, requester rejects."""
    max_uint = 2**256 - 1
    for party in (2, 3):
        chain.send(
            party, "RewardToken", "approve(address,uint256)", chain.at["TaskEscrow"], max_uint
        )
    args = (keccak(text="spec"), "ipfs://spec", 10, 100 * LDAO, 20 * LDAO)
    deadline = chain.now() + 7 * DAY
    chain.send(
        2,
        "TaskEscrow",
        "create_task(bytes32,string,uint256,uint256,uint256,uint256,uint256,bytes32)",
        *args,
        deadline,
        3 * DAY,
        b"\x00" * 32,
    )
    chain.send(3, "TaskEscrow", "claim_task(uint256)", 0)
    chain.send(
        3, "TaskEscrow", "submit(uint256,bytes32,string)", 0, keccak(text="answers"), "ipfs://a"
    )
    chain.send(2, "TaskEscrow", "reject(uint256,bytes32)", 0, keccak(text="off-spec"))


def _wait_for(path: Path, text: str, process: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in path.read_text():
            return
        assert process.poll() is None, path.read_text()
        time.sleep(0.5)
    raise AssertionError(f"no '{text}' in: {path.read_text()}")


def test_court_cli__full_dispute__stake_draw_commit_crash_recover_reveal_execute_withdraw(
    deploy, anvil, tmp_path
):
    assert deploy().returncode == 0
    chain = Chain(anvil, deploy.record)
    court = Court(anvil, deploy.record, tmp_path / "store")

    staked = court.ok("stake", "3000")
    assert "free stake now 3,000 LDAO" in staked
    assert "drawable from the next snapshot epoch, " in staked
    assert f"(epochs of {LOCAL_EPOCH_SECONDS} s)" in staked
    chain.next_epoch()  # the stake is drawable from the next snapshot epoch
    _open_dispute(chain)
    assert "panel complete (3 seats, 1 juror)" in court.ok("draw", "0")

    early = court.refused("commit", "0", "1")
    assert "dispute 0 round 0 is not in its commit period: it opens at" in early
    info = chain.round_info(0, 0)
    chain.travel_to(info[5])  # commit_start
    assert "you were not drawn in dispute 0 round 0" in court.refused(
        "commit", "0", "1", account=NOT_DRAWN
    )
    assert "committed choice 2 in dispute 0 round 0; reveal from" in court.ok("commit", "0", "2")
    (store_file,) = (tmp_path / "store").glob("*.json")

    # The juror changes their vote and the CLI dies right after sending it.
    crashed = court("commit", "0", "1", env={CRASH_ENV: "commit"})
    assert crashed.returncode == CRASH_EXIT_CODE, crashed.stdout + crashed.stderr
    attempts = json.loads(store_file.read_text())["votes"]["0:0"]["attempts"]
    assert [(a["choice"], a["status"]) for a in attempts] == [(2, "confirmed"), (1, "sent")]
    status = " ".join(court.ok("status").split())
    assert "locked │ 300 LDAO │ by seats in 1 open round" in status
    assert "committed 1" in status

    # The store is lost; the wallet re-derives the salt, the chain gives the choice.
    store_file.unlink()
    recovered = court.ok("recover-salt", "0")
    assert "committed choice: 1 (not revealed yet)" in recovered
    assert store_file.exists()

    # auto-reveal --loop waits for the reveal period, reveals, and stops.
    log = tmp_path / "auto-reveal.log"
    with open(log, "w") as out:
        looping = subprocess.Popen(
            court.command("auto-reveal", "--loop", "--interval", "1"),
            cwd=REPO_ROOT,
            env=court.env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        _wait_for(log, "waiting: dispute 0 round 0 reveals from", looping)
        chain.travel_to(info[6])  # reveal_start
        assert looping.wait(timeout=180) == 0, log.read_text()
    finally:
        if looping.poll() is None:
            looping.kill()
    assert "revealed choice 1 in dispute 0 round 0" in log.read_text()
    vote = chain.call(
        "QualityCourtLens",
        "juror_round(address,uint256,uint256,address)",
        JUROR_ROUND,
        chain.at["QualityCourt"],
        0,
        0,
        chain.accounts[1],
    )
    assert (vote[3], vote[4]) == (True, 1)

    assert "not final" in court.refused("execute", "0")
    chain.travel_to(info[8])  # appeal_end
    executed = court.ok("execute", "0")
    assert f"ruling 1 delivered to {chain.at['TaskEscrow']}" in executed
    dispute = chain.call(
        "QualityCourtLens",
        "dispute_info(address,uint256)",
        DISPUTE_INFO,
        chain.at["QualityCourt"],
        0,
    )
    assert (dispute[4], dispute[5], dispute[6]) == (True, 1, True)

    listing = " ".join(court.ok("disputes", account=None).split())
    assert "1 (final, delivered)" in listing
    status = court.ok("status")
    assert "No open round holds your seats." in status
    assert "withdrew" in court.ok("withdraw")
    assert "pending withdrawal 3,000 LDAO, unlocks" in court.ok("unstake", "--all")
    later = court.refused("withdraw")
    assert "nothing to withdraw yet: 3,000 LDAO pending unlocks at" in later
    assert "(in 7d)" in later


@pytest.fixture(scope="module")
def idle_court(tmp_path_factory):
    """A deployment with no dispute, shared by the bad-input tests (all of
    them are refused before anything is sent)."""
    node = start_anvil(_free_port())
    directory = tmp_path_factory.mktemp("idle")
    run = DeployRun(node, directory / "deployment.json")
    try:
        assert run().returncode == 0
        yield Court(node, run.record, directory / "store")
    finally:
        stop_anvil(node)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["stake", "10"], "insufficient stake: the minimum is 1,000 LDAO"),
        (["stake", "ten"], "'ten' is not an amount of LDAO"),
        (["stake", "2000000"], "insufficient LDAO: you hold 1,000,000 LDAO"),
        (["unstake", "5"], "insufficient free stake: you have 0 LDAO free"),
        (["unstake"], "give an AMOUNT or --all"),
        (["withdraw"], "nothing to withdraw"),
        (["commit", "0", "1"], "no dispute 0 at court"),
        (["reveal", "3"], "no dispute 3 at court"),
        (["evidence", "0", "ipfs://e"], "no dispute 0 at court"),
        (["draw", "0"], "no dispute 0 at court"),
        (["appeal", "0", "1"], "no dispute 0 at court"),
        (["execute", "0"], "no dispute 0 at court"),
        (["recover-salt", "0"], "no dispute 0 at court"),
        (["commit", "0", "one"], "'one' is not a valid integer"),
        (["reveal", "0", "--salt", "0x12"], "'0x12' is 1 bytes, not 32"),
        (["status", "--deployment", "/nonexistent/deployment.json"], "no deployment record"),
        (["status", "--court", "0x1234"], "--court: '0x1234' is not an address"),
    ],
)
def test_court_cli__bad_input__clear_message_and_non_zero_exit(idle_court, args, message):
    assert message in idle_court.refused(*args)


def test_court_cli__no_account__says_how_to_choose_one(idle_court):
    assert "--account is required" in idle_court.refused("commit", "0", "1", account=None)
