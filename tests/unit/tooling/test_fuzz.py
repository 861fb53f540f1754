"""labeldao.assurance.fuzz: how a deep run adds up its batches (steps,
outcome, the counters each batch prints) and reads its arguments."""

import argparse
import datetime as dt
from pathlib import Path

import pytest

from labeldao.assurance import fuzz
from labeldao.assurance.fuzz import Batch, Worker, reach


def _log(tmp_path: Path, name: str, rules: dict, reached: dict) -> Path:
    path = tmp_path / name
    path.write_text(
        "....\nsystem machine: 10 steps, 1 examples, 1 s, 10.0 steps/s\n"
        f"rules: {rules!r}\nreached: {reached!r}\n.\n1 passed in 3.00s\n"
    )
    return path


def test_reach__sums_every_log__skips_missing_and_stopped_batches(tmp_path: Path):
    first = _log(tmp_path, "w0-b0.log", {"vote": 3, "burn": 1}, {"disputes ruled: escrow": 2})
    second = _log(tmp_path, "w1-b0.log", {"vote": 1}, {"disputes ruled: escrow": 1, "x": 4})
    stopped = tmp_path / "w0-b1.log"
    stopped.write_text("....\n")  # terminated: no counters printed
    totals = reach([first, second, stopped, tmp_path / "missing.log", ""])
    assert totals["rules"] == {"vote": 4, "burn": 1}
    assert list(totals["rules"]) == ["vote", "burn"]  # most steps first
    assert totals["reached"] == {"disputes ruled: escrow": 3, "x": 4}


def _workers(tmp_path: Path, outcomes: list[str], steps: int) -> list[Worker]:
    log = _log(tmp_path, "w0-b0.log", {"keeper_settle": 5}, {"slash: registry (ruling)": 1})
    batches = [
        Batch(0, i, 100 + i, steps=steps, examples=2, seconds=1.0, outcome=o, log=str(log))
        for i, o in enumerate(outcomes)
    ]
    return [Worker(0, 10_000, batches)]


def _args(steps: int) -> argparse.Namespace:
    return argparse.Namespace(steps=steps, workers=1, batch=2, stop_at=None)


@pytest.mark.parametrize(
    ("outcomes", "target", "expected"),
    [
        (["passed", "passed"], 20, "passed"),
        (["passed", "stopped"], 30, "passed, incomplete: 20 of 30 steps, stopped"),
        (["passed", "failed"], 20, "failed"),
    ],
)
def test_summary__outcome_steps_and_counters(tmp_path, outcomes, target, expected):
    summary = fuzz._summary(_workers(tmp_path, outcomes, 10), 100, _args(target), 0.0, 4.0)
    assert summary["outcome"] == expected
    assert (summary["steps"], summary["examples"], summary["steps_per_second"]) == (20, 4, 5.0)
    assert summary["rules"] == {"keeper_settle": 10}  # the same log twice
    assert summary["reached"] == {"slash: registry (ruling)": 2}


def test_markdown__has_batches_and_what_was_reached(tmp_path: Path):
    summary = fuzz._summary(_workers(tmp_path, ["passed"], 10), 7, _args(10), 0.0, 2.0)
    text = fuzz._markdown(summary)
    assert "| outcome | **passed** |" in text
    assert "| 0 | 0 | 100 | 2 | 10 | 1 | passed |" in text
    assert "| slash: registry (ruling) | 1 |" in text
    assert "Rule steps: `keeper_settle` 5." in text


def test_markdown__no_counters__no_reach_section(tmp_path: Path):
    summary = fuzz._summary([Worker(0, 10)], 7, _args(10), 0.0, 2.0)
    assert "What the finished batches reached" not in fuzz._markdown(summary)


def test_stop_time__past_time_of_day__is_tomorrow():
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).strftime("%H:%M")
    stop = fuzz._stop_time(past)
    assert stop is not None
    assert 0 < stop - dt.datetime.now(dt.UTC).timestamp() <= 24 * 3600


@pytest.mark.parametrize("bad", ["25:00", "12:60", "noon", "1230", "12:5"])
def test_main__bad_stop_at__usage_error_before_anything_runs(bad, capsys):
    with pytest.raises(SystemExit) as exit_:
        fuzz.main(["run", "--stop-at", bad])
    assert exit_.value.code == 2
    assert "expected a UTC time of day as HH:MM" in capsys.readouterr().err
