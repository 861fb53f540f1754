"""labeldao.sim.results: the verdict, inequality measures and the files of a run."""

import csv
import json

import pytest

from labeldao.config import LDAO
from labeldao.sim import results
from labeldao.sim.agents import Role, make_agent
from labeldao.sim.engine import RunResult
from labeldao.sim.scenario import load


def test_gini__equal_holdings__zero():
    assert results.gini([5, 5, 5, 5]) == 0.0


def test_gini__one_holds_everything__n_minus_one_over_n():
    assert results.gini([0, 0, 0, 8]) == pytest.approx(0.75)


def test_gini__empty_or_nothing_held__zero():
    assert results.gini([]) == 0.0
    assert results.gini([0, 0]) == 0.0


def test_lorenz__runs_from_origin_to_one():
    pop, share = results.lorenz([1, 3])
    assert pop == [0.0, 0.5, 1.0]
    assert share == [0.0, 0.25, 1.0]


def test_verdict__honesty_wins_in_every_role__yes_with_the_smallest_margin():
    v = results.verdict(
        {
            "honest annotator": 100.0, "lazy annotator": -5.0, "malicious annotator": 40.0,
            "honest juror": 10.0, "bribed juror": 8.0,
        }
    )  # fmt: skip
    assert v["honesty_pays_more"] is True
    assert v["smallest_margin_ldao"] == 2.0
    assert v["smallest_margin_against"] == "juror: bribed juror"
    assert "provider" not in v["roles"]


def test_verdict__one_cheater_ahead__no():
    v = results.verdict({"honest provider": 10.0, "overreporting provider": 11.0})
    assert v["honesty_pays_more"] is False
    assert v["roles"]["provider"]["honesty_margin_ldao"] == {"overreporting provider": -1.0}


def test_verdict__no_comparison_possible__no():
    assert results.verdict({"requester": -3.0})["honesty_pays_more"] is False


def _result():
    agents = [
        make_agent("honest-annotator-0", Role.ANNOTATOR, "honest"),
        make_agent("lazy-annotator-0", Role.ANNOTATOR, "lazy"),
        make_agent("honest-provider-0", Role.PROVIDER, "honest"),
        make_agent("keeper", Role.KEEPER, "keeper"),
    ]
    for a in agents[:3]:
        a.funded = 100 * LDAO
    agents[0].count("accepted", 3)
    agents[0].count("tasks_done", 3)
    agents[2].count("rewards", 7 * LDAO)
    wealth = {"honest-annotator-0": 130 * LDAO, "lazy-annotator-0": 90 * LDAO,
              "honest-provider-0": 107 * LDAO, "keeper": 0}  # fmt: skip
    epochs = [
        {"epoch": e, "group": g, "agents": 1, "mean_net_ldao": float(e), "slashed_ldao": 0.0,
         "disputes": 1, "dispute_accuracy": 1.0}
        for e in range(2) for g in ("honest annotator", "lazy annotator", "honest provider")
    ]  # fmt: skip
    return RunResult(
        scenario=load("tiny"),
        seed=3,
        agents=agents,
        epochs=epochs,
        disputes=[
            {
                "dispute_id": 0,
                "subject": "task",
                "right": 2,
                "ruling": 2,
                "cheater": "",
                "correct": 1,
            }
        ],  # fmt: skip
        providers={"honest-provider-0": {"delivered_units": 1_000, "rewards": 7 * LDAO}},
        wealth=wealth,
        model_checks=2,
        transactions=50,
        messages=80,
        harness_seconds=2.0,
        slashed={agents[1].address: 10 * LDAO},
        replay_seconds=1.5,
    )


def test_write__csv_json_and_plots(tmp_path):
    summary = results.write(_result(), tmp_path)
    with (tmp_path / "agents.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [r["agent"] for r in rows] == [
        "honest-annotator-0",
        "lazy-annotator-0",
        "honest-provider-0",
    ]
    assert rows[0]["net_ldao"] == "30.0000" and rows[0]["accepted"] == "3"
    assert rows[1]["slashed_ldao"] == "10.0000"
    assert rows[2]["rewards"] == "7.0000"
    saved = json.loads((tmp_path / "summary.json").read_text())
    assert saved == summary
    assert saved["runs"] == 1 and saved["seeds"] == [3]
    lazy = saved["verdict"]["strategies"][0]
    assert lazy["strategy"] == "lazy annotator"
    assert lazy["advantage_ldao"] == {"mean": -40.0, "ci95": None, "runs": 1}
    assert lazy["verdict"] == "inconclusive"  # one run: no interval
    assert saved["mean_slashed_ldao_by_group"]["lazy annotator"]["mean"] == 10.0
    assert (tmp_path / "runs.csv").read_text().startswith("run,seed,group,agents,")
    assert saved["throughput"]["actions_per_second"] == 25.0
    assert saved["throughput"]["raw_titanoboa_actions_per_second"] == pytest.approx(33.3, abs=0.1)
    assert saved["throughput"]["fraction_of_raw"] == 0.75
    for name in ("earnings", "slashes", "disputes", "lorenz", "gpu"):
        path = tmp_path / f"{name}.png"
        assert str(path) in saved["plots"]
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_headline__answers_the_question_and_reports_throughput():
    text = results.headline(results.summary(_result()))
    assert "honesty pays more than cheating: inconclusive" in text
    assert "lazy annotator           INCONCLUSIVE  -40.00 LDAO per agent" in text
    assert "(one run)" in text
    assert "model check passed after every epoch (2 checks)" in text
    assert "25 actions/s vs raw titanoboa 33 actions/s" in text
    assert "(0.75x)" in text


def test_epoch_rates__first_and_last_windows():
    extra = {"epoch_seconds": [1.0] * 70, "epoch_transactions": [10] * 35 + [20] * 35}
    rates = results.epoch_rates(extra)
    assert rates["epochs_per_window"] == 30
    assert rates["first_epochs_actions_per_second"] == 10.0
    assert rates["last_epochs_actions_per_second"] == 20.0
    short = results.epoch_rates({"epoch_seconds": [2.0] * 4, "epoch_transactions": [8] * 4})
    assert short["epochs_per_window"] == 2 and short["first_epochs_actions_per_second"] == 4.0
    assert results.epoch_rates({}) == {}


def test_write__epoch_timing__one_row_per_epoch(tmp_path):
    result = _result()
    result.extra = {
        "epoch_seconds": [2.0, 3.0],
        "epoch_cpu_seconds": [1.0, 2.5],
        "epoch_transactions": [40, 0],
        "epoch_messages": [90, 5],
        "epoch_rss_mb": [300.5, 301.0],
    }
    results.write(result, tmp_path)
    with (tmp_path / "epoch_timing.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert rows == [
        {"epoch": "0", "seconds": "2.0", "cpu_seconds": "1.0", "transactions": "40",
         "messages": "90", "ms_per_transaction": "50.0", "cpu_ms_per_transaction": "25.0",
         "rss_mb": "300.5"},
        {"epoch": "1", "seconds": "3.0", "cpu_seconds": "2.5", "transactions": "0",
         "messages": "5", "ms_per_transaction": "", "cpu_ms_per_transaction": "",
         "rss_mb": "301.0"},
    ]  # fmt: skip
