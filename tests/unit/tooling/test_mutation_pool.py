"""labeldao.assurance.mutation's process pool (pebble): jobs run in spawned
processes, a job past its timeout is stopped and counted as a timeout, a
crashed process is a harness error, and the pool carries on."""

import multiprocessing
import os
import time

import pebble

from labeldao.assurance import mutation
from labeldao.assurance.mutation import ERROR, KILLED, TIMEOUT


def _sleeps(job: dict) -> dict:
    if job["key"] == "crash":
        os._exit(3)
    time.sleep(job["sleep"])
    return {"status": KILLED, "seconds": job["sleep"], "pid": os.getpid()}


def _workers(slots: int) -> mutation.Workers:
    # fork: the test module is not imported again (spawn is what the runner uses)
    pool = pebble.ProcessPool(max_workers=slots, context=multiprocessing.get_context("fork"))
    return mutation.Workers(pool, slots, _sleeps)


def test_run_jobs__one_job_past_its_timeout__is_a_timeout_the_other_finishes():
    workers = _workers(2)
    jobs = [
        {"key": "quick", "sleep": 0.1, "timeout": 20.0},
        {"key": "hangs", "sleep": 60.0, "timeout": 1.0},
    ]
    started = time.monotonic()
    try:
        quick, hangs = mutation.run_jobs(jobs, workers, progress=False)
    finally:
        workers.close()
    assert quick["status"] == KILLED and quick["pid"] != os.getpid()
    assert hangs == {"status": TIMEOUT, "seconds": 1.0}
    assert time.monotonic() - started < 30  # stopped, not waited for


def test_run_jobs__a_crashed_process__is_a_harness_error_and_the_pool_carries_on():
    workers = _workers(1)
    jobs = [
        {"key": "crash", "sleep": 0.0, "timeout": 20.0},
        {"key": "after", "sleep": 0.0, "timeout": 20.0},
    ]
    try:
        crashed, after = mutation.run_jobs(jobs, workers, progress=False)
    finally:
        workers.close()
    assert crashed["status"] == ERROR and "worker exited" in crashed["test"]
    assert after["status"] == KILLED
