"""`ape run simulate` end to end (its click command, in process): a tiny
run whose model check passes, its files, reproducibility, a sweep, a model
check that catches a wrong model, and bad input."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from labeldao.sim import model as sim_model

CSV = ("agents.csv", "epochs.csv", "disputes.csv")
PLOTS = ("earnings.png", "slashes.png", "disputes.png", "lorenz.png", "gpu.png")


def _invoke(cli, *args):
    return CliRunner(mix_stderr=False).invoke(cli, [*args, "--no-progress"], catch_exceptions=False)


@pytest.fixture(scope="module")
def tiny_run(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    result = _invoke(cli, "--scenario", "tiny", "--seed", "5", "--out", str(out))
    return result, out / "tiny-5"


def test_simulate__tiny__model_check_passes_and_writes_everything(tiny_run):
    result, directory = tiny_run
    assert result.exit_code == 0, result.output + result.stderr
    assert "model check passed after every epoch (6 checks)" in result.output
    assert "honesty pays more than cheating: " in result.output
    assert "does cheating pay? (cheater minus honest, per agent):" in result.output
    assert "actions/s vs raw titanoboa" in result.output
    for name in (*CSV, *PLOTS, "summary.json"):
        assert (directory / name).stat().st_size > 0, name
    summary = json.loads((directory / "summary.json").read_text())
    assert summary["model_check"] == {"passed": True, "checks": 6}
    assert summary["disputes"]["count"] > 0
    assert summary["throughput"]["transactions"] > 100
    assert summary["throughput"]["fraction_of_raw"] > 0
    assert "ledger check passed: " in result.output  # its events indexed and reconciled
    assert summary["ledger_check"]["events"] > 0
    assert (directory / "ledger.sqlite").stat().st_size > 0
    timing = (directory / "epoch_timing.csv").read_text().splitlines()
    assert timing[0] == (
        "epoch,seconds,cpu_seconds,transactions,messages,"
        "ms_per_transaction,cpu_ms_per_transaction,rss_mb"
    )
    rows = [dict(zip(timing[0].split(","), line.split(","), strict=True)) for line in timing[1:]]
    assert [int(r["epoch"]) for r in rows] == list(range(6))  # one row per epoch
    transactions = sum(int(r["transactions"]) for r in rows)
    assert transactions <= summary["throughput"]["transactions"]  # set-up apart
    assert all(int(r["messages"]) >= int(r["transactions"]) for r in rows)
    assert all(float(r["cpu_seconds"]) > 0 and float(r["rss_mb"]) > 0 for r in rows)


def test_simulate__same_seed__byte_identical_csv(cli, tiny_run, tmp_path):
    _, first = tiny_run
    result = _invoke(
        cli, "--scenario", "tiny", "--seed", "5", "--out", str(tmp_path), "--no-measure"
    )
    assert result.exit_code == 0, result.output + result.stderr
    for name in CSV:
        assert (tmp_path / "tiny-5" / name).read_bytes() == (first / name).read_bytes(), name


def test_simulate__other_seed__other_run(cli, tiny_run, tmp_path):
    _, first = tiny_run
    result = _invoke(
        cli, "--scenario", "tiny", "--seed", "6", "--epochs", "3", "--out", str(tmp_path),
        "--no-measure",
    )  # fmt: skip
    assert result.exit_code == 0, result.output + result.stderr
    assert (tmp_path / "tiny-6" / "agents.csv").read_bytes() != (first / "agents.csv").read_bytes()


def test_simulate__sweep__grid_csv_and_heatmap(cli, tmp_path):
    result = _invoke(
        cli, "--scenario", "tiny", "--epochs", "2", "--out", str(tmp_path),
        "--sweep", "behaviour.bribe=0,200",
    )  # fmt: skip
    assert result.exit_code == 0, result.output + result.stderr
    lines = (tmp_path / "tiny-1" / "sweep" / "sweep.csv").read_text().splitlines()
    assert lines[0].startswith("behaviour.bribe,runs,")
    assert "bribed_juror_advantage_ldao" in lines[0] and "bribed_juror_verdict" in lines[0]
    assert [line.split(",")[0] for line in lines[1:]] == ["0", "200"]
    assert (tmp_path / "tiny-1" / "sweep" / "sweep.png").stat().st_size > 0
    assert "cheating pays (95 % CI above zero) at" in result.output


def test_simulate__model_that_disagrees__stops_with_a_table(cli, tmp_path, monkeypatch):
    accept = sim_model.Model.accept

    def overpaying(self, task_id, now):
        bonus = accept(self, task_id, now)
        annotator = self.tasks[task_id].annotator
        self.escrow_claimable[annotator] = self.escrow_claimable.get(annotator, 0) + 1
        return bonus

    monkeypatch.setattr(sim_model.Model, "accept", overpaying)
    result = _invoke(cli, "--scenario", "tiny", "--epochs", "2", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "model check failed after epoch 0" in result.stderr
    assert "balanceOf(" in result.stderr  # the annotator withdrew the extra unit
    assert "Traceback" not in result.output + result.stderr
    assert not (tmp_path / "tiny-1" / "summary.json").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenario", "nope"], "no scenario 'nope'"),
        (["--scenario", "tiny", "--set", "bribe"], "expected PATH=VALUE"),
        (["--scenario", "tiny", "--set", "behaviour.brib=1"], "unknown parameter 'behaviour.brib'"),
        (["--scenario", "tiny", "--set", "behaviour.reward=-1"], "behaviour.reward"),
        (["--scenario", "tiny", "--epochs", "0"], "Invalid value for '--epochs'"),
        (["--scenario", "tiny", "--sweep", "behaviour.bribe"], "expected PARAM=v1,v2"),
        (["--scenario", "tiny", "--sweep", "population.lazy_jurors=0,x"], "population.lazy_jurors"),
        (["--scenario", "tiny", "--seed", "abc"], "Invalid value for '--seed'"),
        (["--scenario", "tiny", "--set", "escrow.fee=1"], "unknown parameters ['fee']"),
        (["--scenario", "tiny", "--set", "escrow.fee_bps=5000"], "escrow: fee above maximum"),
        (
            ["--scenario", "tiny", "--sweep", "escrow.reject_slash_bps=1000,abc"],
            "--sweep protocol.escrow.reject_slash_bps='abc': ",
        ),
        (
            ["--scenario", "tiny", "--sweep", "escrow.fee_bps=100,5000"],
            "--sweep protocol.escrow.fee_bps=5000: ",
        ),
        (
            ["--scenario", "tiny", "--set", "colour.red=1"],
            "known groups: population, behaviour, protocol",
        ),
        (
            ["--scenario", "tiny", "--set", "protocol.bank.x=1"],
            "known groups of protocol: escrow, court, registry",
        ),
        (["--scenario", "tiny", "--set", "behaviour.bribe=-5"], "--set behaviour.bribe=-5: "),
        (
            ["--scenario", "tiny", "--sweep", "behaviour.gold_items=3,40"],
            "--sweep behaviour.gold_items=40: ",
        ),
    ],
)
def test_simulate__bad_input__one_line_error_before_any_run(cli, tmp_path, args, message):
    result = _invoke(cli, *args, "--out", str(tmp_path))
    assert result.exit_code in (1, 2)  # 2: click's own usage errors
    assert message in result.stderr
    if result.exit_code == 1:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert not list(tmp_path.iterdir())  # nothing ran, nothing was written


def test_simulate__search__best_point_with_its_interval_and_trial_history(cli, tmp_path):
    result = _invoke(
        cli, "--scenario", "tiny", "--epochs", "2", "--runs", "2", "--trials", "3",
        "--workers", "1", "--out", str(tmp_path), "--search",
    )  # fmt: skip
    assert result.exit_code == 0, result.output + result.stderr
    assert "search: 3 trials x 2 run(s) of tiny" in result.output
    assert "largest advantage of cheating over honesty: " in result.output
    assert "95 % CI " in result.output
    trials = (tmp_path / "tiny-1" / "search" / "trials.csv").read_text().splitlines()
    assert trials[0].startswith("trial,behaviour.bribe,population.bribed_jurors,strategy,")
    assert len(trials) == 1 + 3
    best = json.loads((tmp_path / "tiny-1" / "search" / "best.json").read_text())
    assert best["trials"] == 3 and len(best["seeds"]) == 2
    assert 0 <= best["best"]["behaviour.bribe"] <= 300
    assert best["best"]["verdict"] in ("pays", "does not pay", "inconclusive", "no difference")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--search", "--sweep", "behaviour.bribe=1,2"], "--search and --sweep: choose one"),
        (["--search", "--set", "search.ranges={}"], "no [search.ranges] table"),
        (
            ["--search", "--set", 'search.ranges={"behaviour.brib" = [0, 1]}'],
            "unknown parameter 'behaviour.brib'",
        ),
        (
            ["--search", "--set", 'search.ranges={"behaviour.bribe" = [5, 1]}'],
            "expected [low, high] with low < high",
        ),
    ],
)
def test_simulate__search__bad_ranges__one_line_error(cli, tmp_path, args, message):
    result = _invoke(cli, "--scenario", "tiny", *args, "--out", str(tmp_path))
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
