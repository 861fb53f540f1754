"""The simulation's last check (issue 16): a run's events, recorded from
titanoboa, indexed by the real indexer and reconciled with the contracts.
A short run passes; a run whose recorded events lose one token transfer
fails, in the engine and as `ape run simulate`'s exit code 3."""

from __future__ import annotations

import json

import boa
import pytest
from boa.contracts.base_evm_contract import BoaError
from boa.environment import Env
from click.testing import CliRunner
from eth_utils import keccak
from sqlalchemy import create_engine, func, select

from labeldao.boa_logs import LogRecorder, RecordedChain, RecordedLog, block_hash
from labeldao.indexer import queries
from labeldao.indexer.chain import ChainError
from labeldao.indexer.schema import EVENT_TABLE_NAMES, METADATA
from labeldao.sim import engine, ledger_check
from labeldao.sim.agents import Role
from labeldao.sim.scenario import load

TRANSFER = "0x" + keccak(text="Transfer(address,address,uint256)").hex()


def _scenario(epochs: int = 3):
    return load("tiny").with_overrides({"epochs": epochs, "runs": 1})


# -- the chain source ----------------------------------------------------------


def _log(block: int, tx: int, address: bytes, topic: int) -> RecordedLog:
    return RecordedLog(block, 1_000 + block, tx, address, (topic, 7), b"\x01" * 32)


def test_recorded_chain__serves_recorded_logs_as_a_node_numbered_within_their_block():
    a, b = b"\xaa" * 20, b"\xbb" * 20
    recorder = LogRecorder(
        logs=[_log(5, 0, a, 1), _log(5, 0, b, 2), _log(5, 1, a, 1), _log(9, 2, a, 2)],
        transactions=3,
        timestamps={5: 1_005, 9: 1_009},
    )
    with boa.swap_env(Env()):
        boa.env.evm.patch.block_number = 12
        chain = RecordedChain(recorder)
        assert chain.head() == 12
        assert chain.block(13) is None
        assert chain.block(7).hash == block_hash(7) != block_hash(8)
        stamps = [chain.block(n).timestamp for n in (4, 5, 8, 9, 12)]
        assert stamps == [0, 1_005, 1_005, 1_009, 1_009]
        word = "0x" + (1).to_bytes(32, "big").hex()
        both = [word, "0x" + (2).to_bytes(32, "big").hex()]
        every = chain.logs(["0x" + a.hex(), "0x" + b.hex()], both, 0, 12)
        numbers = [(log["blockNumber"], log["transactionIndex"], log["logIndex"]) for log in every]
        assert numbers == [("0x5", "0x0", "0x0"), ("0x5", "0x0", "0x1"),
                           ("0x5", "0x1", "0x2"), ("0x9", "0x0", "0x0")]  # fmt: skip
        assert len({log["transactionHash"] for log in every}) == 3
        assert every[0]["blockHash"] == block_hash(5) and every[0]["blockTimestamp"] == hex(1_005)
        assert chain.logs(["0x" + a.hex()], [word], 0, 12) == [every[0], every[2]]
        assert chain.logs(["0x" + a.hex(), "0x" + b.hex()], both, 6, 9) == [every[3]]
        assert chain.logs(["0x" + a.hex()], both, 0, 4) == []


def test_log_recorder__keeps_state_changes_not_views_nor_reverts(tmp_path):
    engine.compile_all()
    recorder = LogRecorder()
    with engine.fresh_chain(0), recorder.recording():
        system = engine.deploy_boa(engine.params_file(_scenario(1), tmp_path))
        token, holder = system.token, str(system.params.token.initial_mints[0].to)
        before = len(recorder.logs)
        token.balanceOf(holder)  # a view: no transaction
        assert (len(recorder.logs), recorder.transactions) == (before, recorder.transactions)
        sent = recorder.transactions
        token.transfer(boa.env.generate_address(), 5, sender=holder)
        assert recorder.transactions == sent + 1
        assert recorder.logs[-1].topics[0] == int(TRANSFER, 16)
        with pytest.raises(BoaError):  # reverts: no logs kept
            token.transfer(holder, 10**40, sender=boa.env.generate_address())
        assert len(recorder.logs) == before + 1


def test_check__a_deployment_passes__an_indexer_that_stops_fails_it(tmp_path, monkeypatch):
    engine.compile_all()
    recorder, database = LogRecorder(), tmp_path / "ledger.sqlite"
    with engine.fresh_chain(0):
        with recorder.recording():
            system = engine.deploy_boa(engine.params_file(_scenario(1), tmp_path))
        deployed = ledger_check.check(recorder, system, database)
        assert deployed.difference_count == 0, deployed.differences
        assert deployed.events > 0  # the initial mints
        assert deployed.block == boa.env.evm.patch.block_number

        def unreachable(self, addresses, topics, start, end):
            raise ChainError("eth_getLogs: connection reset")

        monkeypatch.setattr(RecordedChain, "logs", unreachable)
        stopped = ledger_check.check(recorder, system, database).as_dict()
    assert not stopped["passed"]
    assert list(stopped["differences"]) == ["the indexer stopped: eth_getLogs: connection reset"]
    assert ledger_check.line(stopped).startswith("ledger check FAILED: 0 events indexed")


# -- a short run ---------------------------------------------------------------


@pytest.fixture(scope="module")
def checked_run(tmp_path_factory):
    database = tmp_path_factory.mktemp("ledger") / "ledger.sqlite"
    return engine.run(_scenario(), 3, measure=False, ledger=database), database


def test_short_run__ends_with_its_ledger_equal_to_the_contracts(checked_run):
    result, database = checked_run
    check = result.extra["ledger"]
    assert check["passed"] and check["difference_count"] == 0, check["differences"]
    assert check["database"] == str(database)
    assert check["events"] > 100 and check["view_calls"] > 20
    db = create_engine(f"sqlite:///{database}")
    with db.connect() as connection:
        rows = sum(
            connection.execute(select(func.count()).select_from(METADATA.tables[t])).scalar()
            for t in EVENT_TABLE_NAMES
        )
    assert rows == check["events"]
    # What the ledger says happened is what the agents did.
    posted = sum(a.stats.get("tasks_posted", 0) for a in result.agents if a.role == Role.REQUESTER)
    assert len(queries.tasks(db, limit=10**6)) == posted > 0
    reports = sum(a.stats.get("reports", 0) for a in result.agents if a.role == Role.PROVIDER)
    assert sum(e["reports"] for e in queries.epochs(db)) == reports > 0
    db.dispose()


def test_short_run__a_lost_transfer__fails_naming_the_balances(tmp_path, monkeypatch):
    _lose_first_transfer(monkeypatch)
    result = engine.run(_scenario(2), 3, measure=False, ledger=tmp_path / "ledger.sqlite")
    check = result.extra["ledger"]
    assert not check["passed"] and check["difference_count"] >= 2  # sender and receiver
    assert "difference(s)" in ledger_check.line(check)
    with pytest.raises(ledger_check.LedgerMismatch) as raised:
        ledger_check.require(check)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("ledger check failed at block ")
    assert "RewardToken.balanceOf(0x" in message
    assert any("RewardToken.balanceOf(" in d for d in raised.value.differences)


def _lose_first_transfer(monkeypatch) -> None:
    """The chain source forgets the run's first token transfer (as a node that
    lost a log would); the contracts still hold it."""
    logs = RecordedChain.logs

    def losing(self, addresses, topics, start, end):
        served = logs(self, addresses, topics, start, end)
        if not getattr(self, "_lost", False):
            first = next((log for log in served if log["topics"][0] == TRANSFER), None)
            if first is not None:
                self._lost = True
                served = [log for log in served if log is not first]
        return served

    monkeypatch.setattr(RecordedChain, "logs", losing)


# -- ape run simulate ----------------------------------------------------------


def _invoke(cli, *args):
    runner = CliRunner(mix_stderr=False)
    return runner.invoke(cli, [*args, "--no-progress", "--no-measure"], catch_exceptions=False)


def test_simulate__prints_the_ledger_check__no_reconcile_skips_it(cli, tmp_path):
    result = _invoke(cli, "--scenario", "tiny", "--epochs", "2", "--out", str(tmp_path / "on"))
    assert result.exit_code == 0, result.output + result.stderr
    database = tmp_path / "on" / "tiny-1" / "ledger.sqlite"
    assert "ledger check passed: " in result.output
    assert f"events indexed into {database}, equal to " in result.output
    ledger_check.require(json.loads((database.parent / "summary.json").read_text())["ledger_check"])
    assert database.stat().st_size > 0
    skipped = _invoke(
        cli, "--scenario", "tiny", "--epochs", "2", "--out", str(tmp_path / "off"),
        "--no-reconcile",
    )  # fmt: skip
    assert skipped.exit_code == 0, skipped.output + skipped.stderr
    assert "ledger check" not in skipped.output
    assert not (tmp_path / "off" / "tiny-1" / "ledger.sqlite").exists()


def test_simulate__ledger_that_disagrees__exits_3_with_one_line(cli, tmp_path, monkeypatch):
    _lose_first_transfer(monkeypatch)
    result = _invoke(cli, "--scenario", "tiny", "--epochs", "2", "--out", str(tmp_path))
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ledger check failed at block ")
    assert "RewardToken.balanceOf(0x" in lines[0]
    assert "Traceback" not in result.output + result.stderr
    assert "ledger check FAILED: " in result.output
    summary = json.loads((tmp_path / "tiny-1" / "summary.json").read_text())  # results kept
    assert summary["ledger_check"]["passed"] is False
    assert summary["ledger_check"]["differences"][0] in lines[0]
