"""`ape run simulate` as a user runs it: a subprocess on the local chain.

A short tiny run must pass the model check and write its results; bad
input must give a clear message, a non-zero exit and no traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
APE = str(Path(sys.executable).with_name("ape"))


def _ape_run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [APE, "run", "simulate", *args], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=600, check=False,
    )  # fmt: skip


def test_ape_run_simulate__tiny__passes_the_model_check(tmp_path):
    done = _ape_run("--scenario", "tiny", "--epochs", "3", "--out", str(tmp_path), "--no-progress")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "model check passed after every epoch (3 checks)" in done.stdout
    assert "honesty pays more than cheating:" in done.stdout
    assert "ledger check passed: " in done.stdout  # its events indexed and reconciled
    summary = json.loads((tmp_path / "tiny-1" / "summary.json").read_text())
    assert summary["model_check"]["passed"] is True
    assert (tmp_path / "tiny-1" / "agents.csv").is_file()
    assert (tmp_path / "tiny-1" / "earnings.png").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenario", "missing"], "no scenario 'missing'"),
        (["--scenario", "tiny", "--set", "population.requesters=0"], "population.requesters"),
        (["--scenario", "tiny", "--sweep", "nothing"], "expected PARAM=v1,v2"),
        (
            ["--scenario", "tiny", "--sweep", "escrow.reject_slash_bps=1000,abc"],
            "--sweep protocol.escrow.reject_slash_bps='abc': ",
        ),
        (["--scenario", "tiny", "--set", "bank.rate=1"], "known groups: population, behaviour"),
    ],
)
def test_ape_run_simulate__bad_input__clear_error(args, message, tmp_path):
    done = _ape_run(*args, "--out", str(tmp_path))
    assert done.returncode != 0
    assert message in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert not list(tmp_path.iterdir())  # refused before the first run
