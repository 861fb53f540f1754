"""labeldao.sim.parallel: the same sweep, byte for byte, run serially, on
two local worker processes and on a real Dask `LocalCluster` (each run
builds its own chain in the worker that runs it)."""

from __future__ import annotations

import importlib.util
import os

import pytest
from click.testing import CliRunner
from distributed import LocalCluster

from labeldao.boa_tools import REPO_ROOT
from labeldao.sim import parallel

SWEEP = ["--scenario", "tiny", "--epochs", "2", "--runs", "2", "--seed", "3",
         "--sweep", "behaviour.bribe=0,300", "--no-progress"]  # fmt: skip
FILES = ("sweep.csv", "runs.csv", "sweep.json", "sweep.png")


def _square(x: int) -> int:
    return x * x


def test_run_all__results_in_task_order_on_every_backend():
    seen: list[int] = []
    assert parallel.run_all(_square, [3, 1, 2], on_done=lambda i, _: seen.append(i)) == [9, 1, 4]
    assert seen == [0, 1, 2]
    assert parallel.run_all(_square, [3, 1, 2], workers=2) == [9, 1, 4]


def test_default_workers__one_per_core_at_most_one_per_task():
    assert parallel.default_workers(1) == 1
    assert 1 <= parallel.default_workers(1_000) == (os.cpu_count() or 1)


@pytest.fixture(scope="module")
def cli():
    spec = importlib.util.spec_from_file_location("simulate", REPO_ROOT / "scripts" / "simulate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.cli


def _sweep(cli, out, *backend):
    result = CliRunner(mix_stderr=False).invoke(
        cli, [*SWEEP, "--out", str(out), *backend], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output + result.stderr
    return {name: (out / "tiny-3" / "sweep" / name).read_bytes() for name in FILES}


def test_sweep__serial_local_workers_and_dask_cluster__byte_identical(cli, tmp_path, monkeypatch):
    # Dask's worker processes import labeldao from this checkout.
    monkeypatch.setenv("PYTHONPATH", f"{REPO_ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    serial = _sweep(cli, tmp_path / "serial", "--workers", "1")
    local = _sweep(cli, tmp_path / "local", "--workers", "2")
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        dask = _sweep(cli, tmp_path / "dask", "--cluster", cluster.scheduler_address)
    assert serial["runs.csv"].count(b"\n") == 1 + 2 * 2  # header, 2 points x 2 seeds
    for name in FILES:
        assert local[name] == serial[name], name
        assert dask[name] == serial[name], name


def test_sweep__unreachable_cluster__one_line_error(cli, tmp_path):
    result = CliRunner(mix_stderr=False).invoke(
        cli, [*SWEEP, "--out", str(tmp_path), "--cluster", "tcp://127.0.0.1:9"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: --cluster tcp://127.0.0.1:9: ")
    assert len(result.stderr.strip().splitlines()) == 1
